/**
 * Membership changes on running nodes (§4 of the dissertation): the safe add (learner, catch up,
 * promote) while a client writes, replacing a node, removing the leader (§4.2.2), shrinking, and
 * the typed refusals (NotLeaderError on followers, CatchUpTimeoutError).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfChangeRefusedError, NotLeaderError, nodeId } from "../core/index.js";
import { CatchUpTimeoutError } from "./errors.js";
import { testAddresses, TestCluster } from "./testing/cluster.js";
import {
  addVoterRetrying, converged, join, leaderNode, startWriter, votersOf,
} from "./testing/membership.js";

test("§4.1 grow 3 -> 5 with addVoter while a client writes; no acknowledged write is lost",
  async () => {
    const cluster = await TestCluster.start({ size: 3 });
    try {
      const writer = startWriter(cluster);
      await writer.acked(5);
      await join(cluster, "n4");
      await writer.acked(15);
      const members = await join(cluster, "n5");
      assert.deepEqual(votersOf(members), ["n1", "n2", "n3", "n4", "n5"]);
      await writer.acked(25);
      const acked = await writer.stop();
      const applied = await converged(cluster, ["n1", "n2", "n3", "n4", "n5"]);
      for (const text of acked) assert.ok(applied.includes(text), `acknowledged ${text} applied`);
      assert.equal(new Set(applied).size, applied.length, "each write applied once");
      // Every member has a link to every other (the new ones learned from the config entries).
      for (const id of ["n1", "n2", "n3"]) {
        const peers = cluster.node(nodeId(id)).members().map((m) => m.addresses?.peer);
        assert.ok(peers.every((p) => p !== undefined), `${id} knows every member's address`);
      }
    } finally {
      await cluster.stop();
    }
  });

test("§4.3 replace a node, remove the leader (it hands over and stops), shrink 5 -> 3",
  async () => {
    const cluster = await TestCluster.start({ size: 3 });
    try {
      const writer = startWriter(cluster);
      await join(cluster, "n4");
      // Replace n3 by n5: add the new node, then remove the old.
      await join(cluster, "n5");
      let leader = await leaderNode(cluster);
      let members = await leader.removeNode(leader.id === nodeId("n3") ? "n2" : "n3");
      assert.equal(votersOf(members).length, 4);
      await writer.acked(10);

      // Remove the leader itself: leadership moves, the removed node stops campaigning.
      leader = await leaderNode(cluster);
      const removed = new Promise<number>((resolve) => {
        leader.once("removed", ({ index }) => { resolve(index); });
      });
      const roles: string[] = [];
      leader.on("roleChange", ({ role }) => roles.push(role));
      members = await leader.removeNode(leader.id);
      assert.ok(!members.some((m) => m.id === leader.id), "the leader left the configuration");
      await removed;
      const next = await leaderNode(cluster);
      assert.notEqual(next.id, leader.id);
      await cluster.waitFor(() => (leader.status().state === "stopped" ? true : null), 5000,
        "the removed leader to stop");
      assert.ok(!roles.includes("candidate") && !roles.includes("leader"), roles.join(","));

      // Grow back to 5, then shrink 5 -> 3, one voter at a time.
      await join(cluster, "n6");
      members = await join(cluster, "n7");
      assert.equal(votersOf(members).length, 5);
      for (const drop of ["n6", "n7"]) members = await (await leaderNode(cluster)).removeNode(drop);
      assert.equal(votersOf(members).length, 3);
      const acked = await writer.stop();
      const applied = await converged(cluster, votersOf(members));
      for (const text of acked) assert.ok(applied.includes(text), `acknowledged ${text} applied`);
    } finally {
      await cluster.stop();
    }
  });

test("a joining node catches up through a snapshot once the log was compacted (§7)", async () => {
  const limits = { snapshotEntriesMin: 10, snapshotCatchUpEntries: 2 };
  const cluster = await TestCluster.start({ size: 3, limits });
  try {
    for (let i = 0; i < 30; i++) await cluster.propose(`c${i}`);
    const leader = await leaderNode(cluster);
    await cluster.waitFor(() => (leader.status().snapshotIndex > 0 ? true : null), 5000,
      "the leader to snapshot");
    await join(cluster, "n4");
    assert.ok(cluster.machine(nodeId("n4")).restores >= 1, "n4 was sent a snapshot");
    await converged(cluster, ["n1", "n2", "n3", "n4"]);
  } finally {
    await cluster.stop();
  }
});

test("addVoter times out with CatchUpTimeoutError while the learner is down; retry promotes",
  async () => {
    const cluster = await TestCluster.start({ size: 3 });
    try {
      const leader = await leaderNode(cluster);
      await cluster.propose("x");
      const slow = leader.addVoter("n4", testAddresses(nodeId("n4")), { timeoutMs: 150 });
      await assert.rejects(slow, (error: unknown) => error instanceof CatchUpTimeoutError
        && error.nodeId === "n4" && /did not catch up within 150 ms/.test(error.message));
      const n4 = leader.members().find((m) => m.id === nodeId("n4"));
      assert.equal(n4?.role, "learner");
      assert.equal(n4.addresses?.peer, testAddresses(nodeId("n4")).peer);
      await cluster.startNode(nodeId("n4"), true);
      const members = await addVoterRetrying(cluster, "n4"); // skips the add, promotes
      assert.deepEqual(votersOf(members), ["n1", "n2", "n3", "n4"]);
    } finally {
      await cluster.stop();
    }
  });

test("followers refuse cluster operations with NotLeaderError naming the leader", async () => {
  const cluster = await TestCluster.start({ size: 3 });
  try {
    const leaderId = await cluster.waitForLeader();
    const follower = cluster.running().find((n) => n.id !== leaderId);
    assert.ok(follower !== undefined);
    const isNotLeader = (error: unknown) =>
      error instanceof NotLeaderError && error.leaderId === leaderId;
    await assert.rejects(follower.addVoter("n9", testAddresses(nodeId("n9"))), isNotLeader);
    await assert.rejects(follower.addLearner("n9", testAddresses(nodeId("n9"))), isNotLeader);
    await assert.rejects(follower.removeNode("n1"), isNotLeader);
    await assert.rejects(follower.promote("n1"), isNotLeader);
    await assert.rejects(follower.transferLeader(null), isNotLeader);
    // On the leader, an invalid change is refused at once, not retried.
    const leader = cluster.node(leaderId);
    await assert.rejects(leader.removeNode("n9"), ConfChangeRefusedError);
    await assert.rejects(leader.promote("n2"), ConfChangeRefusedError);
    await assert.rejects(leader.addLearner("bad id!", testAddresses(nodeId("n9"))),
      ConfChangeRefusedError);
    assert.deepEqual(votersOf(follower.members()), ["n1", "n2", "n3"]);
    assert.ok(follower.members().every((m) => m.match === null && m.lag === null));
    assert.ok(leader.members().every((m) => m.match !== null));
  } finally {
    await cluster.stop();
  }
});
