/** Linearizable reads by ReadIndex (§6.4). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import type { RaftConfig } from "./config.js";
import { ProposalDroppedError } from "./errors.js";
import type { Heartbeat, Message } from "./messages.js";
import { ReadOnly } from "./read_index.js";
import { TestNetwork } from "./testing/testing_network.js";
import { idx, tm } from "./testing/testing_storage.js";
import { JointConfig } from "./quorum.js";
import { nodeId, type NodeId } from "./types.js";

function cluster(size: number, config: Partial<Omit<RaftConfig, "id">> = {}): TestNetwork {
  const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  return new TestNetwork({ ids, storage: (cs) => new MemoryStorage(cs), config });
}

function settled(net: TestNetwork): NodeId {
  const leader = net.electLeader();
  net.tickAll();
  net.settle();
  return leader;
}

const reads = (net: TestNetwork, id: NodeId): unknown[] => net.readStates.get(id) ?? [];

test("§6.4 the leader releases a read only once a quorum acknowledged its heartbeat", () => {
  const net = cluster(3);
  const leader = settled(net);
  const commit = net.node(leader).status().commit;
  net.node(leader).readIndex("a");
  net.processReady(leader);
  assert.deepEqual(reads(net, leader), [], "not before the round");
  const isRound = (m: Message): m is Heartbeat => m.type === "Heartbeat" && m.context !== null;
  const beats = net.queue.filter(isRound);
  assert.equal(beats.length, 2);
  net.settle();
  assert.deepEqual(reads(net, leader), [{ index: commit, context: "a" }]);
});

test("§6.4 every read asked before the next Ready shares one heartbeat round, a follower's too", () => {
  const net = cluster(3);
  const leader = settled(net);
  const follower = net.ids.find((id) => id !== leader) ?? assert.fail("no follower");
  net.node(follower).readIndex("f");
  net.processReady(follower);
  const forwarded = net.queue.splice(0).find((m) => m.type === "ReadIndexRequest");
  net.node(leader).step(forwarded ?? assert.fail("the follower asked no index"));
  for (const context of ["a", "b", "c"]) net.node(leader).readIndex(context);
  net.processReady(leader);
  const isRound = (m: Message): m is Heartbeat => m.type === "Heartbeat" && m.context !== null;
  const beats = net.queue.filter(isRound);
  assert.equal(beats.length, 2, "one heartbeat per follower for four reads");
  assert.equal(new Set(beats.map((m) => m.context)).size, 1);
  net.settle();
  const commit = net.node(leader).status().commit;
  assert.deepEqual(reads(net, leader), ["a", "b", "c"].map((context) => ({ index: commit, context })));
  assert.deepEqual(reads(net, follower), [{ index: commit, context: "f" }]);
});

test("§6.4 a partitioned leader never answers a read, and drops it when it steps down", () => {
  const net = cluster(3);
  const leader = settled(net);
  net.isolate(leader);
  net.node(leader).readIndex("stale?");
  for (let i = 0; i < 40; i++) {
    net.tick(leader);
    net.settle();
  }
  assert.notEqual(net.node(leader).status().role, "leader", "check-quorum stepped it down");
  net.heal();
  for (let i = 0; i < 30; i++) {
    net.tickAll();
    net.settle();
  }
  assert.deepEqual(reads(net, leader), []);
});

test("testing bug readWithoutQuorum: the partitioned leader answers at once from local state", () => {
  const net = cluster(3, { testingBugs: { readWithoutQuorum: true } });
  const leader = settled(net);
  net.isolate(leader);
  net.node(leader).readIndex("stale!");
  net.processReady(leader);
  assert.equal(reads(net, leader).length, 1);
});

test("§6.4 a new leader defers reads until it has committed an entry of its own term", () => {
  const net = cluster(3);
  for (let i = 0; i < 100 && net.node("n1").status().role !== "leader"; i++) {
    net.tick("n1");
    net.deliverOnly((m: Message) => m.type !== "AppendEntries");
  }
  const n1 = nodeId("n1");
  net.node(n1).readIndex("early");
  net.processReady(n1);
  assert.ok(
    !net.queue.some((m) => m.type === "Heartbeat"),
    "no read round before the no-op commits",
  );
  net.tick(n1);
  net.settle();
  net.tickAll();
  net.settle();
  const status = net.node(n1).status();
  assert.ok(status.commit >= 1);
  assert.deepEqual(
    reads(net, n1),
    [{ index: 1, context: "early" }],
    "the read index covers the no-op",
  );
});

test("§6.4 acknowledgements are cumulative: a quorum for a later round releases earlier ones", () => {
  const readOnly = new ReadOnly(nodeId("a"), tm(3));
  const voters = new JointConfig(["a", "b", "c"].map(nodeId));
  const result = (valueOf: (id: NodeId) => number | undefined) => voters.quorumValue(valueOf);
  const first = readOnly.addRound(idx(5), [{ from: nodeId("a"), context: "r1" }]);
  const second = readOnly.addRound(idx(7), [{ from: nodeId("b"), context: "r2" }]);
  assert.notEqual(first, second);
  assert.equal(readOnly.lastContext(), second);
  assert.deepEqual(
    readOnly.recvAck(nodeId("b"), "3.99", result),
    [],
    "unknown contexts are ignored",
  );
  const released = readOnly.recvAck(nodeId("c"), second, result);
  assert.deepEqual(released.map((r) => [r.index, r.request.context]), [[5, "r1"], [7, "r2"]]);
  assert.equal(readOnly.pendingCount(), 0);
  assert.deepEqual(
    readOnly.recvAck(nodeId("b"), first, result),
    [],
    "a late ack of a released round",
  );
});

test("§6.4 an ack for an earlier round does not release a later one", () => {
  const readOnly = new ReadOnly(nodeId("a"), tm(3));
  const voters = new JointConfig(["a", "b", "c"].map(nodeId));
  const first = readOnly.addRound(idx(5), [{ from: nodeId("a"), context: "r1" }]);
  readOnly.addRound(idx(7), [{ from: nodeId("a"), context: "r2" }]);
  const released = readOnly.recvAck(nodeId("b"), first, (v) => voters.quorumValue(v));
  assert.deepEqual(released.map((r) => r.request.context), ["r1"]);
  assert.equal(readOnly.pendingCount(), 1);
});

test("reads beyond pendingReadsMax are refused with ProposalDroppedError", () => {
  const net = cluster(3, { pendingReadsMax: 2 });
  const leader = settled(net);
  net.isolate(leader);
  net.node(leader).readIndex("1");
  net.node(leader).readIndex("2");
  assert.throws(() => { net.node(leader).readIndex("3"); }, ProposalDroppedError);
});

test("§6.4 a follower's read is answered by the leader and surfaces on the follower", () => {
  const net = cluster(5);
  const leader = settled(net);
  const follower = net.ids.find((id) => id !== leader)!;
  net.node(follower).readIndex("f");
  net.settle();
  assert.deepEqual(
    reads(net, follower),
    [{ index: net.node(leader).status().commit, context: "f" }],
  );
  assert.deepEqual(reads(net, leader), []);
});
