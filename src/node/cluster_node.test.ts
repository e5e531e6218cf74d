/**
 * A 3-node in-process cluster of real ClusterNodes (timers, Ready loop, MemoryNetwork,
 * MemoryStorage): elections, proposals through the leader and through followers, read barriers
 * on followers, and leader failover.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { NotLeaderError } from "../core/index.js";
import { MemoryStorage } from "../storage/index.js";
import { MemoryNetwork } from "../transport/index.js";
import { ClusterNode } from "./cluster_node.js";
import { NodeStoppedError } from "./errors.js";
import { RecordingMachine, TEST_LIMITS, TestCluster } from "./testing/cluster.js";

const enc = new TextEncoder();

test("§5.2 a 3-node cluster elects one leader; proposals via the leader resolve with results", async () => {
  const cluster = await TestCluster.start({ size: 3 });
  try {
    const leader = await cluster.waitForLeader();
    const results = await Promise.all(["a", "b", "c"].map((t) => cluster.node(leader).propose(enc.encode(t))));
    assert.deepEqual(results.map((r) => r.command), ["a", "b", "c"]);
    assert.deepEqual(results.map((r) => r.count), [1, 2, 3], "pipelined proposals apply in call order");
    for (let i = 1; i < results.length; i++) assert.ok(results[i]!.index > results[i - 1]!.index);
    await cluster.waitFor(() => (cluster.ids.every((id) => cluster.machine(id).applied.length === 3) ? true : null),
      5000, "every node to apply 3 commands");
    for (const id of cluster.ids) assert.deepEqual(cluster.machine(id).applied, ["a", "b", "c"], `node ${id}`);
    const status = cluster.node(leader).status();
    assert.equal(status.role, "leader");
    assert.equal(status.peers?.length, 3);
    assert.ok(status.applied >= results[2]!.index);
  } finally {
    await cluster.stop();
  }
});

test("a follower forwards proposals to the leader and resolves with its own applied result", async () => {
  const cluster = await TestCluster.start({ size: 3 });
  try {
    const leader = await cluster.waitForLeader();
    const follower = cluster.ids.find((id) => id !== leader)!;
    const results = await Promise.all(["x", "y"].map((t) => cluster.node(follower).propose(enc.encode(t))));
    assert.deepEqual(results.map((r) => r.command), ["x", "y"]);
    // The result is the follower's own state machine's: it had applied exactly these.
    assert.deepEqual(cluster.machine(follower).applied.slice(0, 2), ["x", "y"]);
  } finally {
    await cluster.stop();
  }
});

test("§6.4 a read barrier on a follower sees a write acknowledged on the leader", async () => {
  const cluster = await TestCluster.start({ size: 3 });
  try {
    const leader = await cluster.waitForLeader();
    const follower = cluster.ids.find((id) => id !== leader)!;
    for (let i = 0; i < 5; i++) {
      await cluster.node(leader).propose(enc.encode(`w${i}`));
      await cluster.node(follower).readBarrier();
      assert.equal(cluster.machine(follower).applied.at(-1), `w${i}`, "the follower read its leader's write");
    }
  } finally {
    await cluster.stop();
  }
});

test("§5.2 when the leader stops, a new leader is elected and proposals continue", async () => {
  const cluster = await TestCluster.start({ size: 3 });
  try {
    const first = await cluster.waitForLeader();
    await cluster.propose("before");
    await cluster.node(first).stop();
    const second = await cluster.waitForLeader();
    assert.notEqual(second, first);
    const result = await cluster.propose("after");
    assert.equal(result.command, "after");
    assert.deepEqual(cluster.machine(second).applied, ["before", "after"]);
    await assert.rejects(cluster.node(first).propose(enc.encode("late")), NodeStoppedError);
  } finally {
    await cluster.stop();
  }
});

test("propose and readBarrier fail definitely with NotLeaderError(null) while no leader is known", async () => {
  const network = new MemoryNetwork();
  const ids = ["n1", "n2", "n3"];
  const outcomes: string[] = [];
  const node = await ClusterNode.start({
    id: "n1", peers: ids, transport: network.endpoint(ids[0] as never, ids as never),
    storage: new MemoryStorage({ voters: ids as never, learners: [], votersOutgoing: [] }),
    stateMachine: new RecordingMachine(), limits: TEST_LIMITS,
    observer: { proposalSettled: (outcome) => { outcomes.push(outcome); } },
  });
  try {
    const isNoLeader = (e: unknown): boolean => e instanceof NotLeaderError && e.leaderId === null && e.definite;
    await assert.rejects(node.propose(enc.encode("x")), isNoLeader);
    await assert.rejects(node.readBarrier(), isNoLeader);
    assert.equal(node.status().pendingProposals, 0);
    assert.deepEqual(outcomes, ["not_leader"], "the observer hears how the proposal ended");
  } finally {
    await node.stop();
  }
});
