/**
 * A proposal a follower forwarded to a leader that then went away settles as soon as the
 * follower sees another leader (issue #14: it used to wait out proposalTimeoutMs, so the first
 * write through a follower after a leader crash took ~5 s). It settles as UNKNOWN, never as a
 * definite failure: the old leader may have appended it, and the next leader may commit it.
 * proposalTimeoutMs is set far beyond the test's timeout, so only the new rule can settle it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type NodeId } from "../core/index.js";
import { OutcomeUnknownError } from "./errors.js";
import { TestCluster } from "./testing/cluster.js";

const enc = new TextEncoder();
const LONG = { proposalTimeoutMs: 600_000 };

function settledError(outcome: Promise<unknown>): Promise<unknown> {
  return outcome.then(() => null, (error: unknown) => error);
}

function follower(cluster: TestCluster, leader: NodeId): NodeId {
  const id = cluster.ids.find((other) => other !== leader);
  assert.ok(id !== undefined);
  return id;
}

test("a proposal forwarded to a leader that is cut off settles as unknown once another leads", { timeout: 30_000 }, async () => {
  const cluster = await TestCluster.start({ size: 3, limits: LONG });
  try {
    const old = await cluster.waitForLeader();
    await cluster.propose("first");
    const via = follower(cluster, old);
    cluster.network.dropHook = (m) => m.from === old || m.to === old; // as if it crashed
    const error = await settledError(cluster.node(via).propose(enc.encode("forwarded")));
    assert.ok(error instanceof OutcomeUnknownError, `expected OutcomeUnknownError, got ${String(error)}`);
    assert.equal(error.definite, false);
    // The next write through the same follower goes to the new leader and is acknowledged.
    await cluster.waitFor(() => {
      const leader = cluster.node(via).status().leaderId;
      return leader !== null && leader !== old ? leader : null;
    }, 10_000, `${via} to follow a new leader`);
    const after = await cluster.node(via).propose(enc.encode("after"));
    assert.equal(after.command, "after");
  } finally {
    await cluster.stop();
  }
});

test("a forwarded proposal the old leader replicated may still commit: unknown, applied once", { timeout: 30_000 }, async () => {
  const cluster = await TestCluster.start({ size: 3, limits: LONG });
  try {
    const old = await cluster.waitForLeader();
    await cluster.propose("first");
    const via = follower(cluster, old);
    // The old leader still sends (so it replicates the forwarded entry) but hears nothing back,
    // so it cannot commit it and steps down; the next leader has the entry and commits it.
    cluster.network.dropHook = (m) => m.to === old && m.type !== "Propose";
    const outcome = cluster.node(via).propose(enc.encode("maybe"));
    const error = await settledError(outcome);
    if (error !== null) {
      assert.ok(error instanceof OutcomeUnknownError, `expected OutcomeUnknownError, got ${String(error)}`);
    }
    const leader = await cluster.waitFor(() => {
      const id = cluster.ids.find((n) => n !== old && cluster.node(n).status().role === "leader");
      return id ?? null;
    }, 10_000, "a new leader");
    await cluster.propose("after", leader);
    cluster.network.dropHook = null;
    for (const id of cluster.ids) {
      await cluster.waitFor(() => (cluster.machine(id).applied.includes("after") ? true : null), 10_000, `${id} applies "after"`);
      assert.ok(cluster.machine(id).applied.filter((c) => c === "maybe").length <= 1, `${id} applied it twice`);
    }
  } finally {
    await cluster.stop();
  }
});
