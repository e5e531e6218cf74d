/**
 * The Redis a program uses, through real clients (ioredis and node-redis) against a real 3-node
 * cluster: a TTL runs out on every node at the same time; SCAN through a follower over 100,000
 * keys returns every key present; hashes, lists, sets and sorted sets through both clients.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { startTestCluster, waitForLeader, type TestCluster } from "./testing/testing_cluster.js";
import { retried } from "./testing/testing_clients.js";

let running: TestCluster | null = null;
let leaderPort = 0;
let followerPort = 0;
let allPorts: number[] = [];
before(async () => {
  running = await startTestCluster(3);
  const leader = await waitForLeader(running.cluster);
  const follower = running.cluster.nodes.find((n) => n.id !== leader.id);
  assert.ok(follower !== undefined);
  leaderPort = running.cluster.node(leader.id).redisPort;
  followerPort = follower.redisPort;
  allPorts = running.cluster.nodes.map((n) => n.redisPort);
});
after(async () => { await running?.close(); });

async function ioredis(port: number): Promise<Redis> {
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  return client;
}

test("SET k v EX 1: present at once, gone through every node after 1.1 s", { timeout: 30_000 }, async () => {
  const writer = await ioredis(leaderPort);
  const readers = await Promise.all(allPorts.map((port) => ioredis(port)));
  try {
    assert.equal(await retried(() => writer.set("ttl:k", "v", "EX", 1)), "OK");
    for (const reader of readers) assert.equal(await retried(() => reader.get("ttl:k")), "v");
    // Expiry is a point in time; waiting for it is the test.
    await new Promise((resolve) => { setTimeout(resolve, 1100); });
    for (const reader of readers) {
      assert.equal(await retried(() => reader.get("ttl:k")), null);
      assert.equal(await retried(() => reader.exists("ttl:k")), 0);
      assert.equal(await retried(() => reader.ttl("ttl:k")), -2);
    }
  } finally {
    writer.disconnect();
    for (const reader of readers) reader.disconnect();
  }
});

test("SCAN through a follower over 100,000 keys returns each key present", { timeout: 120_000 }, async () => {
  const writer = await ioredis(leaderPort);
  const scanner = await ioredis(followerPort);
  try {
    const total = 100_000;
    const batch = 1000;
    // One MSET of 1,000 keys at a time; MSET is idempotent, so an unknown outcome is retried.
    for (let start = 0; start < total; start += batch) {
      const args: string[] = [];
      for (let i = start; i < start + batch; i++) args.push(`scan:${i}`, String(i));
      await retried(() => writer.mset(...args), { idempotent: true });
    }
    const seen = new Set<string>();
    let cursor = "0";
    let calls = 0;
    do {
      const from = cursor;
      const [next, keys] = await retried(() => scanner.scan(from, "MATCH", "scan:*", "COUNT", 1000));
      for (const key of keys) seen.add(key);
      cursor = next;
      calls++;
    } while (cursor !== "0");
    assert.equal(seen.size, total);
    for (let i = 0; i < total; i += 997) assert.ok(seen.has(`scan:${i}`), `scan:${i}`);
    assert.ok(calls > 1, "the scan was paged");
  } finally {
    writer.disconnect();
    scanner.disconnect();
  }
});

test("hashes, lists, sets and sorted sets through ioredis", { timeout: 30_000 }, async () => {
  const client = await ioredis(followerPort);
  try {
    assert.equal(await client.hset("io:h", { a: "1", b: "2" }), 2);
    assert.equal(await client.hincrby("io:h", "a", 10), 11);
    assert.deepEqual(await client.hgetall("io:h"), { a: "11", b: "2" });
    assert.equal(await client.rpush("io:l", "x", "y", "z"), 3);
    assert.equal(await client.lpop("io:l"), "x");
    assert.deepEqual(await client.lrange("io:l", 0, -1), ["y", "z"]);
    assert.equal(await client.sadd("io:s", "m1", "m2", "m2"), 2);
    assert.equal(await client.sismember("io:s", "m1"), 1);
    assert.deepEqual((await client.smembers("io:s")).sort(), ["m1", "m2"]);
    assert.equal(await client.zadd("io:z", 3, "c", 1, "a", 2, "b"), 3);
    assert.deepEqual(await client.zrange("io:z", "0", "-1"), ["a", "b", "c"]);
    assert.equal(await client.zscore("io:z", "b"), "2");
    assert.deepEqual(await client.zpopmin("io:z"), ["a", "1"]);
    assert.equal(await client.type("io:z"), "zset");
  } finally {
    client.disconnect();
  }
});

test("hashes, lists, sets and sorted sets through node-redis (RESP2)", { timeout: 30_000 }, async () => {
  const client = createClient({ socket: { host: "127.0.0.1", port: followerPort, reconnectStrategy: false } });
  await client.connect();
  try {
    assert.equal(await client.hSet("nr:h", { a: "1", b: "2" }), 2);
    assert.equal(await client.hGet("nr:h", "b"), "2");
    assert.equal(await client.lPush("nr:l", ["1", "2", "3"]), 3);
    assert.deepEqual(await client.lRange("nr:l", 0, -1), ["3", "2", "1"]);
    assert.equal(await client.sAdd("nr:s", ["a", "b"]), 2);
    assert.equal(await client.sCard("nr:s"), 2);
    assert.equal(await client.zAdd("nr:z", [{ score: 1, value: "one" }, { score: 2, value: "two" }]), 2);
    assert.deepEqual(await client.zRangeWithScores("nr:z", 0, -1),
      [{ value: "one", score: 1 }, { value: "two", score: 2 }]);
    assert.equal(await client.expire("nr:s", 100), 1);
    const ttl = await client.ttl("nr:s");
    assert.ok(ttl > 90 && ttl <= 100, `TTL ${ttl}`);
  } finally {
    await client.quit();
  }
});
