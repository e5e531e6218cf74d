/**
 * Helpers for membership tests on a TestCluster: a client that keeps writing through whatever
 * node leads (retrying definite failures, as a real client retries "no leader"), the current
 * leader, and growing the cluster with joining nodes. Only tests import this file.
 */
import assert from "node:assert/strict";
import { nodeId, RaftError, type NodeId } from "../../core/index.js";
import type { MemberInfo } from "../admin.js";
import type { ClusterNode } from "../cluster_node.js";
import { testAddresses, type LogResult, type TestCluster } from "./cluster.js";

const encoder = new TextEncoder();
/** A client's pause before retrying a definite failure (no leader, transfer under way). */
const retryDelayMs = 10;

/** The running node that leads in the highest term, once there is one. */
export function leaderNode(cluster: TestCluster): Promise<ClusterNode<LogResult>> {
  return cluster.waitFor(() => {
    let best: ClusterNode<LogResult> | null = null;
    for (const node of cluster.running()) {
      const status = node.status();
      if (status.role !== "leader") continue;
      if (best === null || status.term > best.status().term) best = node;
    }
    return best;
  }, 10_000, "a leader");
}

export interface Writer {
  /** Stops writing; resolves with the acknowledged commands, in order. */
  stop(): Promise<string[]>;
  /** Resolves once at least `n` writes were acknowledged. */
  acked(n: number): Promise<void>;
}

/** Writes `w0`, `w1`, ... one at a time through the leader until stopped. */
export function startWriter(cluster: TestCluster): Writer {
  const acked: string[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  let stopped = false;
  const run = async (): Promise<void> => {
    for (let i = 0; !stopped; i++) {
      const text = `w${i}`;
      for (;;) {
        const leader = await leaderNode(cluster);
        try {
          await leader.propose(encoder.encode(text));
          acked.push(text);
          break;
        } catch (error) {
          if (!(error instanceof RaftError)) throw error;
          if (!error.definite) break; // may or may not apply: a client would read it back
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
        }
      }
      for (const w of waiting.filter((x) => acked.length >= x.n)) w.resolve();
    }
  };
  const done = run();
  return {
    stop: async () => {
      stopped = true;
      await done;
      return acked;
    },
    acked: (n) => new Promise<void>((resolve) => {
      if (acked.length >= n) resolve();
      else waiting.push({ n, resolve });
    }),
  };
}

/** Starts `id` as a joining node and adds it as a voter through the leader. */
export async function join(cluster: TestCluster, id: string): Promise<readonly MemberInfo[]> {
  await cluster.startNode(nodeId(id), true);
  return addVoterRetrying(cluster, id);
}

/** addVoter on the current leader, retrying when leadership moved meanwhile. */
export async function addVoterRetrying(
  cluster: TestCluster,
  id: string,
): Promise<readonly MemberInfo[]> {
  for (let attempt = 1; ; attempt++) {
    const leader = await leaderNode(cluster);
    try {
      return await leader.addVoter(id, testAddresses(nodeId(id)), { lagMax: 5, timeoutMs: 10_000 });
    } catch (error) {
      if (!(error instanceof RaftError && error.code === "NOT_LEADER") || attempt >= 5) throw error;
    }
  }
}

export function votersOf(members: readonly MemberInfo[]): NodeId[] {
  return members.filter((m) => m.role === "voter").map((m) => m.id);
}

/**
 * Resolves once every node in `ids` applied the same commands (after a read barrier on each),
 * and returns them.
 */
export async function converged(cluster: TestCluster, ids: readonly string[]): Promise<string[]> {
  const leader = await leaderNode(cluster);
  const target = leader.status().lastIndex;
  const caughtUp = () => ids.every((id) => cluster.node(nodeId(id)).status().applied >= target);
  await cluster.waitFor(() => (caughtUp() ? true : null), 10_000,
    `${ids.join(",")} to apply ${target}`);
  const first = cluster.machine(nodeId(ids[0] ?? "")).applied;
  for (const id of ids) assert.deepEqual(cluster.machine(nodeId(id)).applied, first, `node ${id}`);
  return first;
}
