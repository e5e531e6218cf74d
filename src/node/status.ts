/**
 * What `ClusterNode.status()` reports: the core's view (role, term, leader, commit, applied)
 * plus, on the leader, each peer's replication progress and lag (entries it is behind the
 * leader's last index), and the runtime's own counters.
 */
import type { LogIndex, NodeId, ProgressStatus, RoleName, Status, Term } from "../core/index.js";

export interface PeerStatus extends ProgressStatus {
  readonly id: NodeId;
  /** `lastIndex - match`: entries the peer still lacks. */
  readonly lag: number;
}

export interface NodeStatus {
  readonly id: NodeId;
  readonly role: RoleName;
  readonly term: Term;
  readonly leaderId: NodeId | null;
  readonly commit: LogIndex;
  readonly applied: LogIndex;
  readonly lastIndex: LogIndex;
  /** The index of this node's newest snapshot (0: none). */
  readonly snapshotIndex: LogIndex;
  /** Per-peer progress, this node included; present only on the leader. */
  readonly peers: readonly PeerStatus[] | null;
  readonly pendingProposals: number;
  readonly pendingReads: number;
  /** "running", "stopped", or "failed" after a fatal error. */
  readonly state: NodeRunState;
}

export type NodeRunState = "running" | "stopped" | "failed";

export function toNodeStatus(
  core: Status,
  extra: Pick<NodeStatus, "snapshotIndex" | "pendingProposals" | "pendingReads" | "state">,
): NodeStatus {
  let peers: PeerStatus[] | null = null;
  if (core.progress !== null) {
    peers = [];
    for (const [id, progress] of core.progress) {
      peers.push({ id, ...progress, lag: Math.max(0, core.lastIndex - progress.match) });
    }
    peers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return {
    id: core.id,
    role: core.role,
    term: core.term,
    leaderId: core.leaderId,
    commit: core.commit,
    applied: core.applied,
    lastIndex: core.lastIndex,
    peers,
    ...extra,
  };
}
