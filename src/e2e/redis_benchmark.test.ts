/**
 * redis-benchmark's default test list (`-t ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,
 * spop,zadd,zpopmin,lrange,mset`) against a 3-node cluster, briefly (-n 2000): redis-benchmark
 * exits at the first error reply, so an error, a failed exit or a test missing from the output
 * fails. Skipped without redis-benchmark (Debian's redis-tools).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startTestCluster, TEST_CONFIG, waitForLeader, type TestCluster } from "./testing/testing_cluster.js";
import { installed } from "./testing/testing_clients.js";

const run = promisify(execFile);
const skip = installed("redis-benchmark") ? false
  : "redis-benchmark missing: apt-get install -y redis-tools";

export const BENCHMARK_TESTS = "ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd," +
  "zpopmin,lrange,mset";

/** The names redis-benchmark prints for that list (-q). */
const EXPECTED = ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP",
  "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN", "LRANGE_100 (first 100 elements)",
  "LRANGE_300 (first 300 elements)", "LRANGE_500 (first 500 elements)",
  "LRANGE_600 (first 600 elements)", "MSET (10 keys)"];

let running: TestCluster | null = null;
let leaderPort = 0;
before(async () => {
  if (skip !== false) return;
  // Long election timeouts: an election on a busy machine answers TRYAGAIN, which is not what
  // this test is about.
  running = await startTestCluster(3, { ...TEST_CONFIG, electionTimeoutMs: { min: 1500, max: 3000 } });
  const leader = await waitForLeader(running.cluster);
  leaderPort = running.cluster.node(leader.id).redisPort;
});
after(async () => { await running?.close(); });

test("redis-benchmark's default tests run against the cluster without an error reply",
  { skip, timeout: 180_000 }, async () => {
  let output: string;
  try {
    const { stdout, stderr } = await run("redis-benchmark", ["-p", String(leaderPort), "-t",
      BENCHMARK_TESTS, "-n", "2000", "-c", "20", "-q"], { timeout: 170_000 });
    output = `${stdout}\n${stderr}`;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    assert.fail(`redis-benchmark failed: ${failed.message}\n${failed.stdout ?? ""}\n${failed.stderr ?? ""}`);
  }
  assert.doesNotMatch(output, /Error from server|ERR |WRONGTYPE|TRYAGAIN|UNKNOWN/, output);
  for (const name of EXPECTED) {
    assert.ok(output.includes(`${name}: `), `${name} missing from redis-benchmark's output:\n${output}`);
  }
});
