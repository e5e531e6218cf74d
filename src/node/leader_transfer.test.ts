/**
 * Leadership transfer on running nodes (§3.10): to a chosen voter, to the most caught-up one,
 * and the typed failures (a bad target, no new leader in time).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeId, ProposalDroppedError } from "../core/index.js";
import { TransferTimeoutError } from "./errors.js";
import { TestCluster } from "./testing/cluster.js";
import { leaderNode, startWriter } from "./testing/membership.js";

test("§3.10 transferLeader moves leadership to the chosen node, then to the most caught-up",
  async () => {
    const cluster = await TestCluster.start({ size: 3 });
    try {
      const writer = startWriter(cluster);
      await writer.acked(5);
      const old = await leaderNode(cluster);
      const target = cluster.ids.find((id) => id !== old.id);
      assert.ok(target !== undefined);
      assert.equal(await old.transferLeader(target), target);
      assert.equal(cluster.node(target).status().role, "leader");
      await writer.acked(15);
      const next = await cluster.node(target).transferLeader(null);
      assert.notEqual(next, target);
      assert.equal((await leaderNode(cluster)).id, next);
      await writer.acked(25);
      await writer.stop();
      // To itself: nothing to do.
      assert.equal(await cluster.node(next).transferLeader(next), next);
    } finally {
      await cluster.stop();
    }
  });

test("§3.10 transferLeader refuses a non-voter and times out when the target is unreachable",
  async () => {
    const cluster = await TestCluster.start({ size: 3 });
    try {
      const leader = await leaderNode(cluster);
      await cluster.propose("x");
      await assert.rejects(leader.transferLeader("n9"), ProposalDroppedError);
      const target = cluster.ids.find((id) => id !== leader.id);
      assert.ok(target !== undefined);
      cluster.network.dropHook = (m) => m.to === target;
      await assert.rejects(leader.transferLeader(target, { timeoutMs: 2000 }),
        (error: unknown) => error instanceof TransferTimeoutError && error.definite);
      cluster.network.dropHook = null;
      // The old leader resumed: it accepts writes again.
      assert.equal(leader.status().role, "leader");
      assert.equal((await leader.propose(new TextEncoder().encode("y"))).command, "y");
      assert.equal(nodeId(leader.id), leader.id);
    } finally {
      await cluster.stop();
    }
  });
