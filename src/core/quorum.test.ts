import { test } from "node:test";
import assert from "node:assert/strict";
import { JointConfig, MajorityConfig } from "./quorum.js";
import { ClusterConfig, ProgressTracker } from "./tracker.js";
import { logIndex, nodeId, type LogIndex, type NodeId } from "./types.js";

const ids = (...names: string[]): NodeId[] => names.map(nodeId);
const matches = (m: Record<string, number>) => (id: NodeId): LogIndex | undefined =>
  m[id] === undefined ? undefined : logIndex(m[id]);
const votes = (v: Record<string, boolean>): Map<NodeId, boolean> =>
  new Map(Object.entries(v).map(([k, b]) => [nodeId(k), b]));

test("§5.3 majority committed index is the largest index on a majority", () => {
  assert.equal(new MajorityConfig(ids("a")).committedIndex(matches({ a: 7 })), 7);
  const three = new MajorityConfig(ids("a", "b", "c"));
  assert.equal(three.committedIndex(matches({ a: 5, b: 3, c: 9 })), 5);
  assert.equal(three.committedIndex(matches({ a: 5 })), 0, "missing voters count as 0");
  const five = new MajorityConfig(ids("a", "b", "c", "d", "e"));
  assert.equal(five.committedIndex(matches({ a: 9, b: 8, c: 1, d: 2, e: 7 })), 7);
  const four = new MajorityConfig(ids("a", "b", "c", "d"));
  assert.equal(four.committedIndex(matches({ a: 9, b: 8, c: 1, d: 2 })), 2, "4 voters need 3");
});

test("§5.2 vote results: won with a majority, lost once a majority is impossible, else pending", () => {
  const three = new MajorityConfig(ids("a", "b", "c"));
  assert.equal(three.voteResult(votes({ a: true })), "pending");
  assert.equal(three.voteResult(votes({ a: true, b: true })), "won");
  assert.equal(three.voteResult(votes({ a: true, b: false })), "pending");
  assert.equal(three.voteResult(votes({ a: true, b: false, c: false })), "lost");
  assert.equal(three.voteResult(votes({ x: true, y: true })), "pending", "non-voters do not count");
  assert.equal(new MajorityConfig([]).voteResult(votes({})), "won");
});

test("§4.3 (dissertation) joint configs need both majorities, for commits and votes", () => {
  const joint = new JointConfig(ids("a", "b", "c"), ids("c", "d", "e"));
  assert.ok(joint.isJoint());
  // a, b, c have 5 (incoming majority) but only c of c, d, e does.
  assert.equal(joint.committedIndex(matches({ a: 5, b: 5, c: 5, d: 1, e: 2 })), 2);
  assert.equal(joint.committedIndex(matches({ a: 5, b: 5, c: 5, d: 4, e: 2 })), 4);
  assert.equal(joint.voteResult(votes({ a: true, b: true })), "pending");
  assert.equal(joint.voteResult(votes({ a: true, b: true, d: true, e: true })), "won");
  assert.equal(joint.voteResult(votes({ a: true, b: true, d: false, e: false })), "lost");
  const simple = new JointConfig(ids("a", "b", "c"));
  assert.ok(!simple.isJoint());
  assert.equal(
    simple.committedIndex(matches({ a: 3, b: 4, c: 1 })),
    3,
    "empty outgoing half is ignored",
  );
  assert.equal(simple.voteResult(votes({ a: true, b: true })), "won");
});

test("learners receive progress but never count towards a quorum", () => {
  const config = new ClusterConfig({
    voters: ids("a", "b", "c"), learners: ids("l1", "l2"), votersOutgoing: [],
  });
  assert.deepEqual(config.ids(), ids("a", "b", "c", "l1", "l2"));
  assert.ok(!config.isVoter(nodeId("l1")));
  const tracker = new ProgressTracker(config, {
    self: nodeId("a"), lastIndex: logIndex(10), inflightMessagesMax: 4,
  });
  for (const id of ids("l1", "l2")) tracker.get(id)?.maybeUpdate(logIndex(10));
  assert.equal(tracker.committedIndex(), 0, "learners at 10 do not make a quorum with the leader");
  tracker.get(nodeId("b"))?.maybeUpdate(logIndex(6));
  assert.equal(tracker.committedIndex(), 6);
  assert.throws(
    () => new ClusterConfig({ voters: ids("a"), learners: ids("a"), votersOutgoing: [] }),
    /both a voter and a learner/,
  );
});

test("check-quorum counts the leader and recently active voters, then resets the marks", () => {
  const config = new ClusterConfig(
    { voters: ids("a", "b", "c"), learners: [], votersOutgoing: [] },
  );
  const tracker = new ProgressTracker(config, {
    self: nodeId("a"), lastIndex: logIndex(0), inflightMessagesMax: 4,
  });
  assert.ok(tracker.checkQuorumActive(nodeId("a")), "everyone starts active");
  assert.ok(!tracker.checkQuorumActive(nodeId("a")), "nobody was heard from since");
  tracker.get(nodeId("c"))!.recentActive = true;
  assert.ok(tracker.checkQuorumActive(nodeId("a")));
});
