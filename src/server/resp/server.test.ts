/**
 * The RESP server against a real client library (ioredis, which speaks RESP3 after HELLO 3 by
 * default, and RESP2 when asked), over TCP on an ephemeral port, with the in-memory service.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { nodeId } from "../../core/index.js";
import { NotLeaderError } from "../../core/index.js";
import { OutcomeUnknownError } from "../errors.js";
import { createRespMetrics } from "../metrics.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { RespServer } from "./server.js";

function client(port: number, protocol: 2 | 3): Redis {
  return new Redis({
    port, host: "127.0.0.1", protocol, maxRetriesPerRequest: 0, lazyConnect: true,
  });
}

for (const protocol of [2, 3] as const) {
  describe(`RESP server with ioredis (RESP${protocol})`, { timeout: 20_000 }, () => {
    const service = new MemoryKvService({ delayMs: 1 });
    let server: RespServer;
    let redis: Redis;

    before(async () => {
      server = await RespServer.start({ service }, { port: 0 });
      redis = client(server.port, protocol);
      await redis.connect();
    });
    after(async () => {
      redis.disconnect();
      await server.close();
    });

    test("GET, SET, DEL, EXISTS round-trip binary-safe values", async () => {
      assert.equal(await redis.get("missing"), null);
      assert.equal(await redis.set("k", "v1"), "OK");
      assert.equal(await redis.get("k"), "v1");
      const binary = Buffer.from([0, 1, 2, 13, 10, 255]);
      assert.equal(await redis.set("bin", binary), "OK");
      assert.deepEqual(await redis.getBuffer("bin"), binary);
      assert.equal(await redis.exists("k", "bin", "missing", "k"), 3);
      assert.equal(await redis.del("k", "missing"), 1);
      assert.equal(await redis.exists("k"), 0);
    });

    test("SET NX and XX write only when their condition holds", async () => {
      assert.equal(await redis.set("nx", "a", "NX"), "OK");
      assert.equal(await redis.set("nx", "b", "NX"), null);
      assert.equal(await redis.set("xx-missing", "a", "XX"), null);
      assert.equal(await redis.set("nx", "c", "XX"), "OK");
      assert.equal(await redis.get("nx"), "c");
      await assert.rejects(redis.call("SET", "nx", "d", "NX", "XX"), /syntax error/);
      assert.equal(await redis.get("nx"), "c");
    });

    test("INCR and INCRBY count in 64 bits and refuse non-integers", async () => {
      assert.equal(await redis.incr("counter"), 1);
      assert.equal(await redis.incrby("counter", 41), 42);
      assert.equal(await redis.incrby("counter", -50), -8);
      await redis.set("text", "abc");
      await assert.rejects(redis.incr("text"),
        /^ReplyError: ERR value is not an integer or out of range$/);
      await assert.rejects(redis.call("INCRBY", "counter", "1.5"), /not an integer/);
      await redis.set("big", "9223372036854775807");
      await assert.rejects(redis.incr("big"), /would overflow/);
    });

    test("CAS swaps only when the current value matches", async () => {
      await redis.set("reg", "1");
      assert.equal(await redis.call("CAS", "reg", "2", "3"), 0);
      assert.equal(await redis.call("CAS", "reg", "1", "3"), 1);
      assert.equal(await redis.get("reg"), "3");
      assert.equal(await redis.call("CAS", "absent", "1", "2"), 0);
    });

    test("a pipeline of 1000 commands gets its replies in order", async () => {
      const pipeline = redis.pipeline();
      for (let i = 0; i < 1000; i += 1) {
        if (i % 3 === 0) pipeline.incr("piped");
        else if (i % 3 === 1) pipeline.get("piped");
        else pipeline.set(`piped:${i}`, String(i));
      }
      const results: [Error | null, unknown][] | null = await pipeline.exec();
      assert.ok(results !== null);
      assert.equal(results.length, 1000);
      for (let i = 0; i < 1000; i += 1) {
        const entry: [Error | null, unknown] | undefined = results[i];
        assert.ok(entry !== undefined);
        assert.equal(entry[0], null);
        const count = Math.floor(i / 3) + 1;
        const expected = i % 3 === 2 ? "OK" : i % 3 === 0 ? count : String(count);
        assert.equal(entry[1], expected, `reply ${i}`);
      }
    });

    test("DBSIZE, PING, ECHO, SELECT, CLIENT and INFO answer as Redis does", async () => {
      assert.ok(await redis.dbsize() > 0);
      assert.equal(await redis.ping(), "PONG");
      assert.equal(await redis.echo("hi"), "hi");
      assert.equal(await redis.select(0), "OK");
      await assert.rejects(redis.select(16), /DB index is out of range/);
      assert.equal(await redis.client("SETNAME", "tester"), "OK");
      assert.equal(await redis.client("GETNAME"), "tester");
      assert.equal(typeof await redis.client("ID"), "number");
      assert.match(await redis.client("INFO"), new RegExp(`name=tester .*resp=${protocol}`));
      const info = await redis.info("raft");
      assert.match(info, /# Raft\r\nraft_node_id:n1\r\nraft_role:leader\r\nraft_term:0\r\n/);
      const voting = service.statusView;
      service.statusView = {
        ...voting, role: "follower",
        confState: { voters: [nodeId("n2")], learners: [nodeId("n1")], votersOutgoing: [] },
      };
      assert.match(await redis.info("raft"), /\r\nraft_role:learner\r\n/);
      service.statusView = voting;
      assert.match(await redis.info(), /loading:0[\s\S]*db0:keys=/);
    });

    test("errors from the service keep their meaning: retry vs outcome unknown", async () => {
      service.failures.push(new NotLeaderError(null));
      await assert.rejects(redis.get("k"), /^ReplyError: TRYAGAIN no leader is known/);
      service.failures.push(new NotLeaderError(nodeId("n2")));
      await assert.rejects(redis.set("k", "x"), /TRYAGAIN not the leader, the leader is n2/);
      service.failures.push(new OutcomeUnknownError("timed out after 5000 ms"));
      await assert.rejects(redis.set("k", "x"),
        /^ReplyError: UNKNOWN outcome unknown: the command may have been applied/);
      service.failures.push(new Error("boom"));
      await assert.rejects(redis.incr("k"), /UNKNOWN outcome unknown.*internal error: boom/);
      assert.equal(await redis.ping(), "PONG");
    });
  });
}

test("the server counts connections and commands when given metrics", async () => {
  const registry = new Registry();
  const metrics = createRespMetrics(registry);
  const server = await RespServer.start({ service: new MemoryKvService(), metrics }, { port: 0 });
  const redis = client(server.port, 2);
  try {
    await redis.connect();
    await redis.get("k");
    await redis.call("NOSUCH").catch(() => undefined);
    const text = await registry.metrics();
    assert.match(text, /raftkv_resp_connections 1/);
    assert.match(text, /raftkv_resp_commands_total\{command="get"\} 1/);
    assert.match(text, /raftkv_resp_commands_total\{command="unknown"\} 1/);
  } finally {
    redis.disconnect();
    await server.close();
  }
});

test("HELLO 3 answers with a RESP3 map and HELLO rejects unknown protocol versions", async () => {
  const server = await RespServer.start({ service: new MemoryKvService() }, { port: 0 });
  const redis = client(server.port, 2);
  try {
    await redis.connect();
    const reply = await redis.call("HELLO", "3", "SETNAME", "h3");
    // ioredis's default "legacy" mapping flattens a RESP3 map into [key, value, ...].
    assert.ok(Array.isArray(reply));
    const fields = new Map<unknown, unknown>();
    for (let i = 0; i < reply.length; i += 2) fields.set(reply[i], reply[i + 1]);
    assert.equal(fields.get("server"), "raftkv");
    assert.equal(fields.get("proto"), 3);
    assert.equal(fields.get("role"), "master");
    assert.equal(await redis.client("GETNAME"), "h3");
    await assert.rejects(redis.call("HELLO", "4"), /^ReplyError: NOPROTO/);
  } finally {
    redis.disconnect();
    await server.close();
  }
});
