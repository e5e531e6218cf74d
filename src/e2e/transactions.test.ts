/**
 * Transactions through real clients against a real 3-node cluster (node processes): ioredis and
 * node-redis `multi().set().incr().exec()` return the results, on the leader and on a follower;
 * a WATCHed key changed by another client makes EXEC abort (ioredis: null; node-redis:
 * WatchError) and nothing of the transaction is applied.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createClient, WatchError } from "redis";
import { startTestCluster, TEST_CONFIG, waitForLeader, type TestCluster } from "./testing/testing_cluster.js";

let running: TestCluster | null = null;
let ports: number[] = [];
before(async () => {
  running = await startTestCluster(3, { ...TEST_CONFIG, electionTimeoutMs: { min: 1500, max: 3000 } });
  const leader = await waitForLeader(running.cluster);
  const follower = running.cluster.nodes.find((n) => n.id !== leader.id);
  assert.ok(follower !== undefined);
  ports = [running.cluster.node(leader.id).redisPort, follower.redisPort];
});
after(async () => { await running?.close(); });

function ioredis(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
}

test("ioredis: multi().set().incr().exec() returns the results, on the leader and a follower",
  { timeout: 30_000 }, async () => {
  for (const port of ports) {
    const client = ioredis(port);
    try {
      await client.connect();
      const key = `io:tx:${port}`;
      const results = await client.multi().set(key, "41").incr(key).exec();
      assert.deepEqual(results, [[null, "OK"], [null, 42]]);
      assert.equal(await client.get(key), "42");
    } finally {
      client.disconnect();
    }
  }
});

test("ioredis: a WATCHed key changed by another client aborts EXEC (null) and applies nothing",
  { timeout: 30_000 }, async () => {
  const [leaderPort = 0, followerPort = 0] = ports;
  const watcher = ioredis(followerPort);
  const other = ioredis(leaderPort);
  try {
    await Promise.all([watcher.connect(), other.connect()]);
    await watcher.set("io:w", "start");
    assert.equal(await watcher.watch("io:w"), "OK");
    assert.equal(await other.set("io:w", "other"), "OK");
    const results = await watcher.multi().set("io:w", "mine").set("io:w2", "mine").exec();
    assert.equal(results, null);
    assert.equal(await watcher.get("io:w"), "other");
    assert.equal(await watcher.get("io:w2"), null);
    // The aborted EXEC cleared the watch: the next transaction runs.
    assert.deepEqual(await watcher.multi().set("io:w", "mine").exec(), [[null, "OK"]]);
  } finally {
    watcher.disconnect();
    other.disconnect();
  }
});

test("node-redis: multi().set().incr().exec() returns the results; a changed WATCHed key throws WatchError",
  { timeout: 30_000 }, async () => {
  const [leaderPort = 0, followerPort = 0] = ports;
  const client = createClient({ socket: { port: followerPort, host: "127.0.0.1", reconnectStrategy: false } });
  const other = createClient({ socket: { port: leaderPort, host: "127.0.0.1", reconnectStrategy: false } });
  await Promise.all([client.connect(), other.connect()]);
  try {
    assert.deepEqual(await client.multi().set("nr:tx", "1").incr("nr:tx").exec(), ["OK", 2]);
    await client.watch("nr:w");
    await other.set("nr:w", "other");
    await assert.rejects(client.multi().set("nr:w", "mine").set("nr:w2", "mine").exec(), WatchError);
    assert.equal(await client.get("nr:w"), "other");
    assert.equal(await client.get("nr:w2"), null);
  } finally {
    client.destroy();
    other.destroy();
  }
});
