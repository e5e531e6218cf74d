/**
 * The differential test (issue 12): seeded random sequences of Redis commands (every type, TTLs,
 * wrong types, bad arguments, wrong arity, transactions, WATCH races between two connections)
 * sent to a 3-node raftkv cluster and to a local redis-server, one at a time, on a RESP2 and a
 * RESP3 connection each; every reply must match byte for byte, except where Redis's order comes
 * from its hash tables (compared as multisets), random picks (compared by property) and the
 * deliberate differences of docs/redis-compatibility.md. Every mismatch is counted; the first
 * 20 are shown with the seed and step that reproduce them.
 *
 * `npm test` sends 2,000 commands; `npm run test:differential` sends DIFF_COMMANDS (100,000).
 * DIFF_SEED replays a seed. Skipped without redis-server.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { COMMAND_MIX_ACTIVE, RARE_MIX_ACTIVE, TRANSACTION_MIX_ACTIVE } from "./testing/differential_active.js";
import { connectTarget, DifferentialRun, formatMismatches, type Target } from "./testing/differential_runner.js";
import { redisServerInstalled, startReferenceRedis, type ReferenceRedis } from "../kv/testing/reference_redis.js";
import { startTestCluster, TEST_CONFIG, waitForLeader, type TestCluster } from "./testing/testing_cluster.js";

const skip = redisServerInstalled() ? false : "redis-server missing: apt-get install -y redis-server";
const commands = Number(process.env.DIFF_COMMANDS ?? 2000);
const seed = Number(process.env.DIFF_SEED ??
  (process.env.DIFF_COMMANDS === undefined ? 12 : Date.now() % 1_000_000));

let cluster: TestCluster | null = null;
let redis: ReferenceRedis | null = null;
let ports: { leader: number; follower: number } | null = null;

before(async () => {
  if (skip !== false) return;
  redis = await startReferenceRedis();
  // Long election timeouts: an election on a busy machine would answer TRYAGAIN, a difference
  // that is not about Redis semantics.
  cluster = await startTestCluster(3, { ...TEST_CONFIG, electionTimeoutMs: { min: 1500, max: 3000 } });
  const leader = await waitForLeader(cluster.cluster);
  const follower = cluster.cluster.nodes.find((n) => n.id !== leader.id);
  ports = {
    leader: cluster.cluster.node(leader.id).redisPort, follower: follower?.redisPort ?? 0,
  };
});

after(async () => {
  await cluster?.close();
  await redis?.stop();
});

/** raftkv's RESP2 connection goes to the leader, its RESP3 connection to a follower. */
async function clusterTarget(): Promise<Target> {
  assert.ok(ports !== null);
  const leader = await connectTarget(ports.leader);
  const follower = await connectTarget(ports.follower);
  const [resp2] = leader.conns;
  const [, resp3] = follower.conns;
  return { conns: [resp2, resp3], close: () => { leader.close(); follower.close(); } };
}

test(`${commands} random commands answer as redis-server does (seed ${seed})`,
  { skip, timeout: Math.max(120_000, commands * 60) }, async () => {
  assert.ok(redis !== null);
  const ours = await clusterTarget();
  const theirs = await connectTarget(redis.port);
  // Both start empty (earlier runs of this file used other servers).
  for (const target of [ours, theirs]) await target.conns[0].call(["FLUSHALL"]);
  try {
    const result = await new DifferentialRun(ours, theirs, {
      seed, commands, families: COMMAND_MIX_ACTIVE, rare: RARE_MIX_ACTIVE,
      transactions: TRANSACTION_MIX_ACTIVE,
    }).run();
    assert.equal(result.mismatchCount, 0, formatMismatches(result));
    assert.ok(result.commands >= commands);
  } finally {
    ours.close();
    theirs.close();
  }
});
