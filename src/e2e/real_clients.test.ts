/**
 * Real Redis clients against a real 3-node cluster: Debian's redis-cli and redis-benchmark
 * (installed by .ci/run) and ioredis, with pipelining, on leader and followers.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import {
  startTestCluster, TEST_CONFIG, waitForLeader, type TestCluster,
} from "./testing/testing_cluster.js";
import { installed } from "./testing/testing_clients.js";

const run = promisify(execFile);


const skip = installed("redis-cli") && installed("redis-benchmark") ? false
  : "redis-cli/redis-benchmark missing: apt-get install -y redis-tools (.ci/run does)";

let running: TestCluster | null = null;
let leaderPort = 0;
let followerPort = 0;
before(async () => {
  // redis-benchmark exits at the first error reply, and a busy CI machine can stall a node
  // long enough for an election (TRYAGAIN); longer timeouts keep this test about the clients.
  const electionTimeoutMs = { min: 1500, max: 3000 };
  running = await startTestCluster(3, { ...TEST_CONFIG, electionTimeoutMs });
  const leader = await waitForLeader(running.cluster);
  leaderPort = running.cluster.node(leader.id).redisPort;
  followerPort = running.cluster.nodes.find((n) => n.id !== leader.id)?.redisPort ?? 0;
});
after(async () => { await running?.close(); });

async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

test("redis-cli: SET on one node, GET on every node", { skip, timeout: 30_000 }, async () => {
  const cluster = running?.cluster;
  assert.ok(cluster);
  const n1 = cluster.node("n1").redisPort;
  assert.equal(await redisCli(n1, "SET", "greeting", "hello world"), "OK");
  for (const node of cluster.nodes) {
    assert.equal(await redisCli(node.redisPort, "GET", "greeting"), "hello world");
  }
  assert.equal(await redisCli(followerPort, "INCRBY", "counter", "5"), "5");
  assert.equal(await redisCli(leaderPort, "DEL", "greeting"), "1");
  assert.equal(await redisCli(followerPort, "EXISTS", "greeting"), "0");
});

test("redis-benchmark -t set,get -P 16 completes without errors",
  { skip, timeout: 60_000 }, async () => {
  const { stdout, stderr } = await run("redis-benchmark",
    ["-p", String(leaderPort), "-t", "set,get", "-n", "20000", "-c", "50", "-P", "16", "-q", "-e"],
    { timeout: 50_000 });
  const output = `${stdout}\n${stderr}`;
  assert.doesNotMatch(output, /Error from server|ERR /, output);
  assert.match(stdout, /SET: [\d.]+ requests per second/);
  assert.match(stdout, /GET: [\d.]+ requests per second/);
});

test("ioredis: pipelined writes keep their order and read their own writes, on a follower too",
  { timeout: 30_000 }, async () => {
  for (const port of [leaderPort, followerPort]) {
    const client = new Redis({
      port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1,
    });
    try {
      await client.connect();
      const pipeline = client.pipeline();
      for (let i = 0; i < 200; i++) pipeline.set(`p${port}`, String(i)).get(`p${port}`);
      const replies = await pipeline.exec();
      assert.ok(replies !== null);
      replies.forEach(([error, value], i) => {
        assert.equal(error, null);
        assert.equal(value, i % 2 === 0 ? "OK" : String((i - 1) / 2));
      });
      assert.equal(await client.get(`p${port}`), "199");
      assert.equal(await client.set("nx-key", "a", "NX"), port === leaderPort ? "OK" : null);
    } finally {
      client.disconnect();
    }
  }
});
