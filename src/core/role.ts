/**
 * The role of a node as a discriminated union that carries each role's own state: votes exist
 * only while campaigning, and replication progress and pending reads only on the leader. Only
 * the `become*` functions (become.ts) replace a node's role.
 */
import type { LeaderLease } from "./lease.js";
import type { ReadOnly, ReadRequest } from "./read_index.js";
import type { ProgressTracker } from "./tracker.js";
import type { NodeId } from "./types.js";

export interface FollowerState {
  readonly kind: "follower";
}

/** §9.6 of the dissertation: probing whether an election could win, without bumping the term. */
export interface PreCandidateState {
  readonly kind: "pre-candidate";
  readonly votes: Map<NodeId, boolean>;
}

export interface CandidateState {
  readonly kind: "candidate";
  readonly votes: Map<NodeId, boolean>;
}

/** §3.10: a leadership transfer under way; proposals are refused meanwhile. */
export interface TransferState {
  readonly to: NodeId;
  elapsedTicks: number;
  /** A removed leader steps down once it has handed over (§4.2.2). */
  readonly stepDown: boolean;
}

export interface LeaderState {
  readonly kind: "leader";
  readonly tracker: ProgressTracker;
  /** ReadIndex rounds waiting for a quorum of heartbeat acknowledgements (§6.4). */
  readonly reads: ReadOnly;
  /** Reads that arrived before this leader committed an entry of its own term (§6.4 step 1). */
  readonly readsBeforeCommit: ReadRequest[];
  /**
   * Reads asked since the last Ready was made. One heartbeat round serves them all, started when
   * the next Ready is made (`flushReads`), instead of one round (two messages and two
   * acknowledgements in a 3-node cluster) per read.
   */
  readonly readsQueued: ReadRequest[];
  /** Lease mode only: when reads may be served without a quorum round (lease.ts). */
  readonly lease: LeaderLease | null;
  /** Payload bytes of this term's entries appended but not yet handed out as committed. */
  uncommittedBytes: number;
  transfer: TransferState | null;
  /**
   * Proposals or a commit advance await an AppendEntries to every follower. It is sent when the
   * next Ready is made (`flushReplication`), so a burst of proposals and acknowledgements shares
   * one message per follower instead of one per proposal and per acknowledgement.
   */
  replicationDue: boolean;
}

export type Role = FollowerState | PreCandidateState | CandidateState | LeaderState;
