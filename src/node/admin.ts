/**
 * The cluster-operations contract of a running node (issue #6): membership (§4 of Ongaro's
 * dissertation, joint consensus §4.3), leadership transfer (§3.10) and on-demand snapshots.
 * `ClusterNode` implements it; the HTTP API, the `raftkv member|transfer-leader|snapshot`
 * commands and the KV store call it. Every mutating call runs on the leader only and rejects
 * with the core's `NotLeaderError(leaderId)` elsewhere, so callers can redirect.
 */
import type { LogIndex, NodeId } from "../core/index.js";

/**
 * Where a member can be reached. `peer` (host:port of the Raft transport) is required for the
 * node to join; the client addresses are carried for tools (CLI redirects, status tables).
 */
export interface MemberAddresses {
  readonly peer: string;
  readonly redis?: string;
  readonly http?: string;
}

export type MemberRole = "voter" | "learner";

export interface MemberInfo {
  readonly id: NodeId;
  readonly role: MemberRole;
  /** True while a joint configuration still counts this node in the outgoing voter set. */
  readonly outgoingVoter: boolean;
  readonly addresses: MemberAddresses | null;
  readonly isLeader: boolean;
  /** Leader's view of the member's replicated index; null when not asked on the leader. */
  readonly match: LogIndex | null;
  /** Entries behind the leader's last index; null when not asked on the leader. */
  readonly lag: number | null;
}

export interface CatchUpOptions {
  /** The learner counts as caught up when at most this many entries behind. */
  readonly lagMax?: number;
  /** Give up (CatchUpTimeoutError, the node stays a learner) after this long. */
  readonly timeoutMs?: number;
}

export interface TransferOptions {
  /** Resolve with the new leader or reject with TransferTimeoutError after this long. */
  readonly timeoutMs?: number;
}

export interface ClusterAdmin {
  /** The configuration in effect on this node (the latest in its log, §4.1). */
  members(): readonly MemberInfo[];
  /**
   * Safe add: adds `id` as a learner, waits until it has caught up, then promotes it to voter
   * (through joint consensus when needed), all in one call. Resolves with the new membership
   * once the promoting entry is committed.
   * @throws NotLeaderError, ConfChangeRefusedError, CatchUpTimeoutError.
   */
  addVoter(id: string, addresses: MemberAddresses, options?: CatchUpOptions): Promise<readonly MemberInfo[]>;
  /** Adds a non-voting member that receives the log. */
  addLearner(id: string, addresses: MemberAddresses): Promise<readonly MemberInfo[]>;
  /** Promotes an existing learner once caught up (as in addVoter's second half). */
  promote(id: string, options?: CatchUpOptions): Promise<readonly MemberInfo[]>;
  /**
   * Removes a voter or learner. Removing the leader itself hands leadership to the most
   * up-to-date remaining voter, after which the removed node stops campaigning.
   */
  removeNode(id: string): Promise<readonly MemberInfo[]>;
  /**
   * §3.10: moves leadership to `to`, or with null to the most caught-up voter; resolves with
   * the new leader's id.
   * @throws NotLeaderError, ProposalDroppedError (bad target), TransferTimeoutError.
   */
  transferLeader(to: string | null, options?: TransferOptions): Promise<NodeId>;
  /** Takes a snapshot of the state machine now (on any node) and compacts the log behind it. */
  snapshotNow(): Promise<{ readonly index: LogIndex }>;
}
