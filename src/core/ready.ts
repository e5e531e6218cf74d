/**
 * `Ready` is everything the core asks its caller to do, and the order is the contract
 * (ARCHITECTURE.md, "The core contract"):
 *
 *   1. persist `hardState`, `snapshot` and `entries` durably (one sync when `mustSync`);
 *   2. only then send `messages`;
 *   3. apply `snapshot` (if any) then `committedEntries` to the state machine, and serve
 *      `readStates` once the applied index reaches each one's index;
 *   4. call `advance(ready)`.
 *
 * One exception to step 2 (§10.2.1): messages for which `maySendBeforePersist` holds (a
 * leader's replication messages of a term already durable) may leave while the save runs; the
 * leader counts its own copy of new entries towards commitment only from `advance` on.
 */
import type { ConfState, Entry, HardState, Message, Snapshot } from "./messages.js";
import type { LogIndex, NodeId, Term } from "./types.js";

export type RoleName = "follower" | "pre-candidate" | "candidate" | "leader";

/** Volatile state worth reporting; present in a Ready only when it changed. */
export interface SoftState {
  readonly role: RoleName;
  readonly leaderId: NodeId | null;
}

/** A linearizable read may be served once the applied index reaches `index` (§6.4). */
export interface ReadState {
  readonly index: LogIndex;
  readonly context: string;
}

export interface Ready {
  readonly softState: SoftState | null;
  /** The hard state to persist, when it changed since the last Ready. */
  readonly hardState: HardState | null;
  /** New entries to append; an entry at an index already stored replaces it and all after it. */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader, to persist and then restore. */
  readonly snapshot: Snapshot | null;
  /** Send only after everything above is durable. */
  readonly messages: readonly Message[];
  /** Apply in order, after everything above is durable. */
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
  /** True when `hardState` or `entries` must reach stable storage before step 2. */
  readonly mustSync: boolean;
  /**
   * The configuration in effect, when it changed since the last Ready: config entries take
   * effect when appended and are reverted when truncated (§4.1), so this follows the log's tail,
   * not the applied index. The configuration at an applied config entry is in its data
   * (`decodeConfEntry`), for snapshots.
   */
  readonly confState: ConfState | null;
}

export interface ProgressStatus {
  readonly match: LogIndex;
  readonly next: LogIndex;
  readonly state: "probe" | "replicate" | "snapshot";
  readonly recentActive: boolean;
}

export interface Status {
  readonly id: NodeId;
  readonly role: RoleName;
  readonly term: Term;
  readonly vote: NodeId | null;
  readonly leaderId: NodeId | null;
  readonly commit: LogIndex;
  readonly applied: LogIndex;
  readonly lastIndex: LogIndex;
  /** Per-peer replication progress; present only on the leader. */
  readonly progress: ReadonlyMap<NodeId, ProgressStatus> | null;
  /** The configuration in effect (the latest in the log, committed or not; §4.1). */
  readonly confState: ConfState;
  /** On the leader, the target of a leadership transfer under way (§3.10). */
  readonly transferee: NodeId | null;
}
