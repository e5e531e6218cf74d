/**
 * What a proposal pending at a leader that loses leadership resolves to. Never "failed" when it
 * may be in the log: definitely dropped only when another term's entry took its index (§5.3),
 * resolved with its result when the next leader commits it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ProposalDroppedError, type NodeId } from "../core/index.js";
import { TestCluster } from "./testing/cluster.js";

const enc = new TextEncoder();

/** Resolves once a node other than `old` leads and every node but `old` knows it. */
function newLeader(cluster: TestCluster, old: NodeId): Promise<NodeId> {
  return cluster.waitFor(() => {
    const others = cluster.ids.filter((id) => id !== old);
    const leader = others.find((id) => cluster.node(id).status().role === "leader");
    if (leader === undefined) return null;
    return others.every((id) => cluster.node(id).status().leaderId === leader) ? leader : null;
  }, 10_000, "a new leader among the others");
}

test("§5.3 a proposal appended only by an isolated leader is definitely dropped when overwritten", async () => {
  const cluster = await TestCluster.start({ size: 3 });
  try {
    const old = await cluster.waitForLeader();
    await cluster.propose("first");
    cluster.network.dropHook = (m) => m.from === old || m.to === old;
    const lost = cluster.node(old).propose(enc.encode("lost"));
    const settled = lost.then(() => null, (error: unknown) => error);
    const leader = await newLeader(cluster, old);
    await cluster.propose("after", leader);
    cluster.network.dropHook = null;
    const error = await settled;
    assert.ok(error instanceof ProposalDroppedError, `expected ProposalDroppedError, got ${String(error)}`);
    assert.equal(error.definite, true);
    await cluster.waitFor(() => (cluster.machine(old).applied.includes("after") ? true : null), 5000, "old leader catch-up");
    for (const id of cluster.ids) {
      assert.ok(!cluster.machine(id).applied.includes("lost"), `node ${id} applied a proposal reported as dropped`);
    }
  } finally {
    await cluster.stop();
  }
});

test("§5.4 a proposal replicated before the leader lost contact resolves with its result once committed", async () => {
  const cluster = await TestCluster.start({ size: 3 });
  try {
    const old = await cluster.waitForLeader();
    await cluster.propose("first");
    // The old leader can still send (its AppendEntries reach the followers) but hears nothing
    // back, so it never learns the entry committed and steps down (check-quorum).
    cluster.network.dropHook = (m) => m.to === old;
    const maybe = cluster.node(old).propose(enc.encode("maybe"));
    const settled = maybe.then((result) => result, (error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    const leader = await newLeader(cluster, old);
    await cluster.waitFor(() => (cluster.machine(leader).applied.includes("maybe") ? true : null), 5000,
      "the new leader to commit the replicated proposal");
    cluster.network.dropHook = null;
    const outcome = await settled;
    assert.ok(!(outcome instanceof Error), `expected a result, got ${outcome instanceof Error ? outcome.message : "?"}`);
    assert.equal(outcome.command, "maybe");
    assert.equal(cluster.machine(old).applied.filter((c) => c === "maybe").length, 1);
  } finally {
    await cluster.stop();
  }
});
