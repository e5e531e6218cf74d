/**
 * Views over all simulated nodes: which one leads (the newest leader when stale ones linger),
 * whether the cluster has converged for the liveness phase, and a one-line description.
 */
import { logIndex } from "../core/types.js";
import type { SimNode } from "./sim_node.js";

/** The leader of the highest term among the nodes that believe they lead, or null. */
export function newestLeader(nodes: readonly SimNode[]): SimNode | null {
  let best: SimNode | null = null;
  let bestTerm = -1;
  for (const n of nodes) {
    const term = n.leader ? n.status()?.term ?? -1 : -1;
    if (term > bestTerm) {
      best = n;
      bestTerm = term;
    }
  }
  return best;
}

/**
 * One leader that every member of its configuration follows, that has committed an entry of
 * its own term (so a quorum of the final configuration, joint or not, works), with every member
 * having applied the leader's commit. Nodes outside the configuration (spares, removed nodes)
 * are not asked.
 */
export function isConverged(nodes: readonly SimNode[]): boolean {
  const leader = newestLeader(nodes);
  const status = leader?.status() ?? null;
  if (leader === null || status === null || termAt(leader, status.commit) !== status.term) {
    return false;
  }
  const { voters, votersOutgoing, learners } = status.confState;
  const members = new Set<string>([...voters, ...votersOutgoing, ...learners]);
  return nodes.every((n) => {
    if (!members.has(n.id)) return true;
    const s = n.status();
    return s !== null && s.leaderId === status.id && s.term === status.term
      && n.appliedIndex >= status.commit;
  });
}

export function describeNodes(nodes: readonly SimNode[]): string {
  return nodes.map((n) => {
    const s = n.status();
    return s === null
      ? `${n.id}:down`
      : `${n.id}:${s.role}@${s.term} commit ${s.commit} applied ${n.appliedIndex}`;
  }).join(", ");
}

/** The term of the node's durable entry at `index`, or null when it is not stored. */
function termAt(node: SimNode, index: number): number | null {
  const storage = node.storage;
  if (index < storage.firstIndex() - 1 || index > storage.lastIndex()) return null;
  return storage.term(logIndex(index));
}
