/**
 * End-to-end behaviour of RaftNode over the in-memory test network: elections, replication,
 * commitment, ReadIndex, forwarding, restarts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import { NotLeaderError } from "./errors.js";
import { TestNetwork, type TestNetworkOptions } from "./testing/testing_network.js";
import { nodeId } from "./types.js";

const enc = new TextEncoder();

function network(size: number, extra: Partial<TestNetworkOptions> = {}): TestNetwork {
  const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  return new TestNetwork({ ids, storage: (cs) => new MemoryStorage(cs), ...extra });
}

for (const size of [1, 3, 5]) {
  test(`§5.2 a ${size}-node cluster elects one leader and commits proposals on every node`, () => {
    const net = network(size);
    const leader = net.electLeader();
    const node = net.node(leader);
    for (let i = 0; i < 10; i++) {
      const result = node.propose(enc.encode(`cmd${i}`));
      assert.equal(result.kind, "appended");
    }
    net.settle();
    net.tickAll(2);
    net.settle();
    const expected = Array.from({ length: 10 }, (_, i) => `cmd${i}`);
    for (const id of net.ids) assert.deepEqual(net.appliedData(id), expected, `node ${id}`);
    const leaders = net.ids.filter((id) => net.node(id).status().role === "leader");
    assert.deepEqual(leaders, [leader]);
  });

  test(`§6.4 ReadIndex on a ${size}-node cluster is answered on leader and followers`, () => {
    const net = network(size);
    const leader = net.electLeader();
    net.node(leader).propose(enc.encode("x"));
    net.settle();
    for (const id of net.ids) net.node(id).readIndex(`read-${id}`);
    net.settle();
    const commit = net.node(leader).status().commit;
    for (const id of net.ids) {
      assert.deepEqual(
        net.readStates.get(id),
        [{ index: commit, context: `read-${id}` }],
        `node ${id}`,
      );
    }
  });
}

test("a follower forwards proposals to the leader it knows", () => {
  const net = network(3);
  const leader = net.electLeader();
  const follower = net.ids.find((id) => id !== leader)!;
  const result = net.node(follower).propose(enc.encode("via-follower"));
  assert.deepEqual(result, { kind: "forwarded", to: leader });
  net.settle();
  net.tickAll();
  net.settle();
  for (const id of net.ids) assert.deepEqual(net.appliedData(id), ["via-follower"]);
});

test("propose and readIndex throw NotLeaderError(null) when no leader is known", () => {
  const net = network(3);
  const node = net.node("n1");
  assert.throws(
    () => node.propose(enc.encode("x")),
    (e: unknown) => e instanceof NotLeaderError && e.leaderId === null,
  );
  assert.throws(() => { node.readIndex("r"); }, NotLeaderError);
});

test("§5.2 after the leader crashes and restarts, the cluster re-elects and keeps committed entries", () => {
  const net = network(3);
  const leader = net.electLeader();
  net.node(leader).propose(enc.encode("a"));
  net.settle();
  net.isolate(leader);
  net.start(leader); // crash: memory lost, storage kept
  let next = leader;
  for (let i = 0; i < 100 && next === leader; i++) {
    net.tickAll();
    net.settle();
    next = net.leader() ?? leader;
    if (net.node(leader).status().role === "leader") next = leader;
  }
  assert.notEqual(next, leader);
  net.node(next).propose(enc.encode("b"));
  net.heal();
  net.tickAll(3);
  net.settle();
  net.tickAll(3);
  net.settle();
  for (const id of net.ids) assert.deepEqual(net.appliedData(id), ["a", "b"], `node ${id}`);
  assert.equal(net.node(leader).status().leaderId, nodeId(next));
});

test("learners receive and apply the log but never campaign nor count towards commitment", () => {
  const net = network(4, { learners: ["n4"] });
  for (let i = 0; i < 100; i++) net.tick("n4");
  assert.equal(net.node("n4").status().role, "follower", "a learner never campaigns");
  const leader = net.electLeader();
  assert.notEqual(leader, "n4");
  net.node(leader).propose(enc.encode("to-all"));
  net.settle();
  net.tickAll();
  net.settle();
  assert.deepEqual(net.appliedData("n4"), ["to-all"]);
  // With two voters cut off, the leader plus the learner are not a quorum.
  const voters = net.ids.filter((id) => id !== leader && id !== "n4");
  for (const id of voters) net.isolate(id);
  const before = net.node(leader).status().commit;
  net.node(leader).propose(enc.encode("stuck"));
  net.settle();
  assert.equal(net.node(leader).status().commit, before);
  assert.equal(net.node("n4").status().lastIndex, before + 1, "yet the learner has the entry");
});
