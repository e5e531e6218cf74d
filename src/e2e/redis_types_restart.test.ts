/**
 * Whole-cluster SIGKILL with every Redis type in the store: after the restart every
 * acknowledged write of every type reads back through each node, and TTLs continue from where
 * they were (the store's clock and the absolute expiry times are in the log and the snapshot).
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { startTestCluster, waitForLeader, type TestCluster } from "./testing/testing_cluster.js";
import { retried } from "./testing/testing_clients.js";

let running: TestCluster | null = null;
const clients: Redis[] = [];
after(async () => {
  for (const c of clients) c.disconnect();
  await running?.close();
});

function connect(port: number): Redis {
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: false, maxRetriesPerRequest: 20,
    retryStrategy: () => 100 });
  clients.push(client);
  return client;
}


test("SIGKILL of the whole cluster keeps every type and every TTL", { timeout: 90_000 }, async () => {
  running = await startTestCluster(3);
  const { cluster } = running;
  await waitForLeader(cluster);
  const redis = connect(cluster.node("n1").redisPort);
  await retried(() => redis.set("s", "string"));
  await retried(() => redis.set("ttl", "short", "PX", 1500));
  await retried(() => redis.set("long", "kept", "EX", 3600));
  await retried(() => redis.hset("h", "f1", "v1", "f2", "v2"));
  await retried(() => redis.rpush("l", "a", "b", "c"));
  await retried(() => redis.sadd("set", "x", "y"));
  await retried(() => redis.zadd("z", 1, "one", 2.5, "two"));
  await retried(() => redis.incrby("n", 41));
  const exec = await retried(() => redis.multi().incr("n").lpush("l", "head").exec());
  assert.deepEqual(exec, [[null, 42], [null, 4]]);
  const ttlBefore = await redis.pttl("long");
  redis.disconnect();

  await cluster.killAll();
  await cluster.start();
  await cluster.waitReady(20_000);
  await waitForLeader(cluster);

  for (const id of ["n1", "n2", "n3"]) {
    const c = connect(cluster.node(id).redisPort);
    assert.equal(await retried(() => c.get("s")), "string", id);
    assert.deepEqual(await retried(() => c.hgetall("h")), { f1: "v1", f2: "v2" }, id);
    assert.deepEqual(await retried(() => c.lrange("l", 0, -1)), ["head", "a", "b", "c"], id);
    assert.deepEqual((await retried(() => c.smembers("set"))).sort(), ["x", "y"], id);
    // Flat in RESP2, [member, score] pairs in RESP3 (ioredis may speak either).
    const zrange = await retried(() => c.call("ZRANGE", "z", "0", "-1", "WITHSCORES")) as unknown[];
    assert.deepEqual(zrange.flat(), ["one", "1", "two", "2.5"], id);
    assert.equal(await retried(() => c.get("n")), "42", id);
    const ttlAfter = await retried(() => c.pttl("long"));
    // The TTL continued: it did not restart at an hour, and it did not vanish.
    assert.ok(ttlAfter > 0 && ttlAfter <= ttlBefore, `${id}: PTTL ${ttlAfter} after ${ttlBefore}`);
  }
  // The short TTL (1.5 s, set before the crash) runs out on the clock: waiting for it is the point.
  await new Promise((resolve) => { setTimeout(resolve, 1600); });
  for (const id of ["n1", "n2", "n3"]) {
    const c = connect(cluster.node(id).redisPort);
    assert.equal(await retried(() => c.get("ttl")), null, id);
  }
});
