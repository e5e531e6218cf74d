/** Leadership transfer (§3.10 of the dissertation). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import type { RaftConfig } from "./config.js";
import { ConfChangeRefusedError, NotLeaderError, ProposalDroppedError } from "./errors.js";
import { TestNetwork } from "./testing/testing_network.js";
import { nodeId } from "./types.js";

const enc = new TextEncoder();

/** A 3-node cluster with n1 elected and its no-op committed everywhere. */
function elected(config: Partial<RaftConfig> = {}): TestNetwork {
  const net = new TestNetwork({
    ids: ["n1", "n2", "n3"], storage: (cs) => new MemoryStorage(cs), config,
  });
  for (let i = 0; i < 100 && net.node("n1").status().role !== "leader"; i++) {
    net.tick("n1");
    net.settle();
  }
  assert.equal(net.node("n1").status().role, "leader");
  return net;
}

test("§3.10 leadership moves to the chosen voter at once, without waiting for a timeout", () => {
  const net = elected(); // pre-vote and check-quorum on: TimeoutNow must bypass both
  const term = net.node("n1").status().term;
  net.node("n1").transferLeader(nodeId("n3"));
  net.settle();
  assert.equal(net.leader(), nodeId("n3"));
  assert.equal(net.node("n3").status().term, term + 1);
  assert.equal(net.node("n1").status().role, "follower");
  net.node("n3").propose(enc.encode("after"));
  net.settle();
  assert.deepEqual(net.appliedData("n1"), ["after"]);
});

test("§3.10 with no target, leadership goes to the most caught-up voter", () => {
  const net = elected();
  net.cut.add("n1->n2");
  net.node("n1").propose(enc.encode("x"));
  net.settle();
  assert.ok(net.node("n1").status().progress?.get(nodeId("n3"))?.match
    === net.node("n1").status().lastIndex);
  net.node("n1").transferLeader(null);
  net.settle();
  assert.equal(net.leader(), nodeId("n3"));
});

test("§3.10 a lagging target is caught up first; proposals and changes are refused meanwhile",
() => {
  const net = elected();
  net.cut.add("n1->n3");
  net.node("n1").propose(enc.encode("x"));
  net.settle();
  net.node("n1").transferLeader(nodeId("n3"));
  assert.equal(net.node("n1").status().transferee, nodeId("n3"));
  assert.throws(() => net.node("n1").propose(enc.encode("y")), (error: unknown) =>
    error instanceof ProposalDroppedError && /leadership transfer in progress/.test(error.message));
  assert.throws(() => net.node("n1").proposeConfChange([]), ConfChangeRefusedError);
  net.heal();
  net.tick("n1"); // the heartbeat response lets the leader send n3 what it misses
  net.settle();
  assert.equal(net.leader(), nodeId("n3"));
  assert.deepEqual(net.appliedData("n3"), ["x"]);
});

test("§3.10 a transfer that does not finish within an election timeout is abandoned", () => {
  const net = elected({ electionTimeoutTicksMin: 10, electionTimeoutTicksMax: 20 });
  net.cut.add("n1->n3");
  net.node("n1").propose(enc.encode("x"));
  net.settle();
  net.node("n1").transferLeader(nodeId("n3"));
  let ticks = 0;
  while (net.node("n1").status().transferee !== null) {
    net.tick("n1");
    net.settle();
    ticks++;
    assert.ok(ticks <= 20, "still transferring after electionTimeoutTicksMax ticks");
  }
  assert.ok(ticks >= 10, `abandoned after ${ticks} ticks, before electionTimeoutTicksMin`);
  assert.equal(net.leader(), nodeId("n1"));
  net.node("n1").propose(enc.encode("y"));
  net.settle();
  assert.deepEqual(net.appliedData("n2"), ["x", "y"]);
});

test("§3.10 transfer is refused to a non-voter and on a follower", () => {
  const net = new TestNetwork({
    ids: ["n1", "n2", "n3"], storage: (cs) => new MemoryStorage(cs), learners: ["n3"],
  });
  for (let i = 0; i < 100 && net.node("n1").status().role !== "leader"; i++) {
    net.tick("n1");
    net.settle();
  }
  assert.throws(() => { net.node("n1").transferLeader(nodeId("n3")); }, ProposalDroppedError);
  assert.throws(() => { net.node("n2").transferLeader(nodeId("n1")); }, NotLeaderError);
  net.node("n1").transferLeader(nodeId("n1")); // already the leader: nothing to do
  assert.equal(net.node("n1").status().transferee, null);
});

test("§3.10 a proposal forwarded to a transferring leader is held, then the new leader appends it",
() => {
  const net = elected();
  net.cut.add("n1->n3");
  net.node("n1").propose(enc.encode("x"));
  net.settle();
  net.node("n1").transferLeader(nodeId("n3")); // n3 lags: the transfer waits for it
  net.node("n2").propose(enc.encode("forwarded")); // n2 forwards to n1, which must not drop it
  net.settle();
  net.heal();
  net.tick("n1");
  net.settle();
  assert.equal(net.leader(), nodeId("n3"));
  net.tickAll(3); // heartbeats carry the commit index
  net.settle();
  for (const id of ["n1", "n2", "n3"]) assert.deepEqual(net.appliedData(id), ["x", "forwarded"]);
});

test("§3.10 an abandoned transfer proposes what was forwarded meanwhile", () => {
  const net = elected({ electionTimeoutTicksMin: 10, electionTimeoutTicksMax: 20 });
  net.cut.add("n1->n3");
  net.node("n1").transferLeader(nodeId("n3"));
  net.node("n2").propose(enc.encode("forwarded"));
  net.settle();
  for (let ticks = 0; net.node("n1").status().transferee !== null && ticks <= 20; ticks++) {
    net.tick("n1");
    net.settle();
  }
  assert.equal(net.leader(), nodeId("n1"));
  net.tick("n1");
  net.settle();
  assert.deepEqual(net.appliedData("n2"), ["forwarded"]);
});
