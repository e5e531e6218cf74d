/**
 * Failover without waiting out the election timeout: followers whose connection to their leader
 * drops campaign after a short random delay, and a follower that alone loses its link to a
 * leader the others still hear does not unseat it (pre-vote).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type NodeId } from "../core/index.js";
import { TestCluster } from "./testing/cluster.js";

const LONG = { proposalTimeoutMs: 600_000 };

function follower(cluster: TestCluster, leader: NodeId): NodeId {
  const id = cluster.ids.find((other) => other !== leader);
  assert.ok(id !== undefined);
  return id;
}

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
