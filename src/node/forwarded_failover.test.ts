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
    assert.ok(error instanceof OutcomeUnknownError, `expected OutcomeUnknownError, got ${error instanceof Error ? error.message : JSON.stringify(error)}`);
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
      assert.ok(error instanceof OutcomeUnknownError, `expected OutcomeUnknownError, got ${error instanceof Error ? error.message : JSON.stringify(error)}`);
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

/**
 * Elections that take at least 3 s; after the leader goes, the test waits less than that for a
 * new one, so only the lost connection can have started it (not a deadline on a fast path:
 * without the rule the wait cannot succeed at all).
 */
const SLOW_ELECTIONS = { electionTimeoutMs: { min: 3_000, max: 6_000 }, heartbeatIntervalMs: 10 };
const SOONER_THAN_ANY_TIMEOUT_MS = 2_500;

test("followers that lose the connection to their leader campaign without waiting out the timeout", { timeout: 90_000 }, async () => {
  const cluster = await TestCluster.start({ size: 3, limits: { ...SLOW_ELECTIONS, ...LONG } });
  try {
    const old = await cluster.waitForLeader(30_000);
    await cluster.propose("first");
    await cluster.node(old).stop(); // its endpoint leaves the network: the others see it go
    const others = cluster.ids.filter((id) => id !== old);
    await cluster.waitFor(() => (others.some((id) => cluster.node(id).status().role !== "follower") ? true : null),
      SOONER_THAN_ANY_TIMEOUT_MS, "a follower to campaign");
    // Usually the first campaign wins; two that start within a round trip split the vote and
    // the election timeout settles it.
    const leader = await cluster.waitForLeader(30_000);
    assert.notEqual(leader, old);
    assert.equal((await cluster.propose("after", leader)).command, "after");
  } finally {
    await cluster.stop();
  }
});

test("a follower that loses its link to a leader the others still hear does not unseat it", { timeout: 30_000 }, async () => {
  const cluster = await TestCluster.start({ size: 3, limits: { electionTimeoutMs: { min: 2_000, max: 4_000 }, heartbeatIntervalMs: 10 } });
  try {
    const old = await cluster.waitForLeader(20_000);
    const { term } = cluster.node(old).status();
    const via = follower(cluster, old);
    // Only via's side sees the leader go (as when one TCP connection resets): its pre-vote is
    // refused by the other follower, which still hears the leader and counts its lease.
    cluster.network.dropHook = (m) => (m.from === old && m.to === via) || (m.from === via && m.to === old);
    (cluster.node(via) as unknown as { leaderUnreachable(peer: string): void }).leaderUnreachable(old);
    await cluster.propose("during", old); // the leader commits with the other follower
    cluster.network.dropHook = null;
    await cluster.propose("after", old);
    assert.equal(cluster.node(old).status().role, "leader");
    assert.equal(cluster.node(old).status().term, term);
  } finally {
    await cluster.stop();
  }
});
