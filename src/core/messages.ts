/**
 * Everything a Raft node persists, sends and receives. Messages are a discriminated union on
 * `type` (STYLE.md rule 8); every message carries its sender, recipient and the sender's term so
 * the common term rules of §5.1 are applied in one place before dispatch by role.
 */
import type { LogIndex, NodeId, Term } from "./types.js";

/** What an entry carries: a client command, the leader's no-op of §5.4.2/§8, or a configuration. */
export type EntryKind = "normal" | "noop" | "config";

export interface Entry {
  readonly term: Term;
  readonly index: LogIndex;
  readonly kind: EntryKind;
  /** Opaque to the core. For "config" entries, the encoded ConfChange (membership issue). */
  readonly data: Uint8Array;
}

/** The state that must be durable before any message that depends on it is sent (Figure 2). */
export interface HardState {
  readonly term: Term;
  readonly vote: NodeId | null;
  readonly commit: LogIndex;
}

/**
 * Cluster membership. `votersOutgoing` is non-empty only in a joint configuration (§4.3 of the
 * dissertation); learners receive the log but never vote or count towards a quorum.
 */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly votersOutgoing: readonly NodeId[];
}

export interface SnapshotMetadata {
  readonly index: LogIndex;
  readonly term: Term;
  readonly confState: ConfState;
}

/** A state machine image covering every entry up to and including `metadata.index` (§7). */
export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: Uint8Array;
}

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  /** The sender's current term; 0 for messages that are not part of the term protocol. */
  readonly term: Term;
}

/** §9.6 of the dissertation: asks whether a real election at `term` could win, without disruption. */
export interface PreVote extends Envelope {
  readonly type: "PreVote";
  readonly lastLogIndex: LogIndex;
  readonly lastLogTerm: Term;
}
export interface PreVoteResponse extends Envelope {
  readonly type: "PreVoteResponse";
  readonly reject: boolean;
}
/** §5.2 RequestVote. `transfer` marks a campaign started by leadership transfer (§3.10). */
export interface RequestVote extends Envelope {
  readonly type: "RequestVote";
  readonly lastLogIndex: LogIndex;
  readonly lastLogTerm: Term;
  readonly transfer: boolean;
}
export interface RequestVoteResponse extends Envelope {
  readonly type: "RequestVoteResponse";
  readonly reject: boolean;
}
/** §5.3 AppendEntries. */
export interface AppendEntries extends Envelope {
  readonly type: "AppendEntries";
  readonly prevLogIndex: LogIndex;
  readonly prevLogTerm: Term;
  readonly entries: readonly Entry[];
  readonly commit: LogIndex;
}
/**
 * On success `index` is the follower's last index matching the leader. On reject, `index` is the
 * `prevLogIndex` that failed and (`hintIndex`, `hintTerm`) let the leader skip a whole
 * conflicting term at once (§5.3, "fast backtracking").
 */
export interface AppendEntriesResponse extends Envelope {
  readonly type: "AppendEntriesResponse";
  readonly reject: boolean;
  readonly index: LogIndex;
  readonly hintIndex: LogIndex;
  readonly hintTerm: Term;
}
/** Leader liveness and commit propagation; `context` confirms a ReadIndex round (§6.4). */
export interface Heartbeat extends Envelope {
  readonly type: "Heartbeat";
  readonly commit: LogIndex;
  readonly context: string | null;
}
export interface HeartbeatResponse extends Envelope {
  readonly type: "HeartbeatResponse";
  readonly context: string | null;
}
/** §7 InstallSnapshot, sent whole (streaming in chunks is the runtime's concern). */
export interface InstallSnapshot extends Envelope {
  readonly type: "InstallSnapshot";
  readonly snapshot: Snapshot;
}
/** A follower forwards a client proposal to the leader it knows. */
export interface Propose extends Envelope {
  readonly type: "Propose";
  readonly data: Uint8Array;
}
/** A follower asks the leader for a read index on behalf of a client read (§6.4). */
export interface ReadIndexRequest extends Envelope {
  readonly type: "ReadIndexRequest";
  readonly context: string;
}
export interface ReadIndexResponse extends Envelope {
  readonly type: "ReadIndexResponse";
  readonly context: string;
  readonly index: LogIndex;
}
/** §3.10: the leader tells a caught-up target to start an election at once. */
export interface TimeoutNow extends Envelope {
  readonly type: "TimeoutNow";
}

export type Message =
  | PreVote
  | PreVoteResponse
  | RequestVote
  | RequestVoteResponse
  | AppendEntries
  | AppendEntriesResponse
  | Heartbeat
  | HeartbeatResponse
  | InstallSnapshot
  | Propose
  | ReadIndexRequest
  | ReadIndexResponse
  | TimeoutNow;

export type MessageType = Message["type"];
