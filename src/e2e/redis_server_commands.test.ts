/**
 * The server and connection commands (CONFIG, COMMAND, CLIENT, RESET, TIME, INFO, unknown
 * commands) against Debian's redis-server, byte for byte where raftkv means to match it (one
 * session on RESP2, then on RESP3), and by shape or content where it describes itself (INFO,
 * CLIENT INFO, TIME). Runs raftkv's RESP server over the in-memory service; skipped without
 * redis-server.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { RespServer } from "../server/resp/server.js";
import { MemoryKvService } from "../server/testing/memory_kv_service.js";
import { redisServerInstalled, startReferenceRedis, type ReferenceRedis } from "../kv/testing/reference_redis.js";
import { FrameClient } from "../server/testing/resp_frames.js";

const skip = redisServerInstalled() ? false : "redis-server missing: apt-get install -y redis-server";

/** Requests whose replies must be identical. */
const SESSION: readonly (readonly string[])[] = [
  ["CONFIG", "GET", "maxmemory"], ["CONFIG", "GET", "maxmemory-policy"],
  ["CONFIG", "GET", "databases"], ["CONFIG", "GET", "appendonly"], ["CONFIG", "GET", "save"],
  ["CONFIG", "GET", "nosuch*"], ["CONFIG", "GET"], ["CONFIG", "SET", "foo", "bar"],
  ["CONFIG", "SET", "maxmemory-policy", "xyz"], ["CONFIG", "SET", "save", ""],
  ["CONFIG", "SET", "maxmemory-policy", "noeviction"], ["CONFIG", "SET", "save"],
  ["CONFIG", "RESETSTAT"], ["CONFIG", "RESETSTAT", "x"], ["CONFIG", "BOGUS"], ["CONFIG", "HELP"],
  ["CONFIG", "REWRITE"], ["CONFIG"],
  ["COMMAND", "GETKEYS", "get"], ["COMMAND", "GETKEYS", "nosuch", "a"],
  ["COMMAND", "GETKEYS", "ping", "x"], ["COMMAND", "GETKEYS", "set", "a"],
  ["COMMAND", "GETKEYS", "set", "a", "b"], ["COMMAND", "GETKEYS", "del", "a", "b", "c"],
  ["COMMAND", "LIST", "FILTERBY"], ["COMMAND", "BOGUS"], ["COMMAND", "INFO", "nosuch"],
  ["COMMAND", "COUNT", "x"], ["COMMAND", "LIST", "FILTERBY", "PATTERN", "ech*"],
  ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "a"], ["CLIENT", "GETNAME"],
  ["CLIENT", "SETNAME", "a b"], ["CLIENT", "KILL", "1.2.3.4:5"], ["CLIENT", "KILL", "ID", "99999"],
  ["CLIENT", "KILL", "BOGUS", "x"], ["CLIENT", "KILL", "ID"], ["CLIENT", "KILL", "ID", "0"],
  ["CLIENT", "KILL", "ADDR", "1.1.1.1:1", "SKIPME", "no"], ["CLIENT", "KILL", "USER", "nobody"],
  ["CLIENT", "KILL", "SKIPME", "maybe"], ["CLIENT", "NO-EVICT", "maybe"],
  ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "NO-EVICT"], ["CLIENT", "BOGUS"],
  ["CLIENT", "LIST", "TYPE", "bogus"], ["CLIENT", "LIST", "ID", "x"], ["CLIENT"],
  ["TIME", "x"], ["LASTSAVE", "x"], ["RESET", "x"], ["PING", "a", "b"], ["ECHO"],
  ["INFO", "nosuchsection"], ["FOO", "\x00bar", "a\r\nb"], ["F\r\nOO"],
  ["SELECT", "x"], ["SELECT", "01"], ["SELECT", "-1"], ["SELECT", "16"], ["SELECT", "2147483648"],
  ["SELECT", "-2147483649"], ["SELECT", "99999999999999999999"], ["SELECT", "5"], ["RESET"], ["CLIENT", "GETNAME"], ["PING"],
];

async function session(port: number, protocol: 2 | 3): Promise<string[]> {
  const client = await FrameClient.connect(port);
  try {
    if (protocol === 3) await client.call(["HELLO", "3"]);
    const replies: string[] = [];
    for (const request of SESSION) {
      const reply = await client.call(request);
      replies.push(`${JSON.stringify(request)} -> ${JSON.stringify(reply.raw.toString("latin1"))}`);
    }
    return replies;
  } finally {
    client.close();
  }
}

let redis: ReferenceRedis | null = null;
let ours: RespServer | null = null;
before(async () => {
  if (skip !== false) return;
  redis = await startReferenceRedis();
  ours = await RespServer.start({ service: new MemoryKvService() }, { port: 0 });
});
after(async () => {
  await ours?.close();
  await redis?.stop();
});

for (const protocol of [2, 3] as const) {
  test(`CONFIG, COMMAND, CLIENT, RESET and errors read as redis-server's (RESP${protocol})`,
    { skip, timeout: 30_000 }, async () => {
    assert.ok(redis !== null && ours !== null);
    const expected = await session(redis.port, protocol);
    const actual = await session(ours.port, protocol);
    assert.deepEqual(actual, expected);
  });
}

test("INFO, CLIENT INFO and TIME have Redis's shape; INFO is verbatim in RESP3",
  { skip, timeout: 30_000 }, async () => {
  assert.ok(redis !== null && ours !== null);
  for (const port of [redis.port, ours.port]) {
    const client = await FrameClient.connect(port);
    try {
      const time = await client.call(["TIME"]);
      assert.equal(time.items?.length, 2);
      const seconds = Number(time.items.at(0)?.text);
      const micros = Number(time.items.at(1)?.text);
      assert.ok(Math.abs(seconds - Date.now() / 1000) < 5 && micros >= 0 && micros < 1_000_000);
      const info = await client.call(["INFO"]);
      assert.equal(info.kind, "$");
      assert.match(info.text ?? "", /^# Server\r\nredis_version:7\.[0-9.]+\r\n[\s\S]*# Keyspace\r\n/);
      const line = (await client.call(["CLIENT", "INFO"])).text ?? "";
      assert.match(line, /^id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=-?\d+ name= age=\d+ idle=\d+ flags=N db=0 /);
      await client.call(["HELLO", "3"]);
      const verbatim = await client.call(["INFO", "server"]);
      assert.equal(verbatim.kind, "=");
      assert.match(verbatim.text ?? "", /^txt:# Server\r\n/);
      assert.equal((await client.call(["CLIENT", "INFO"])).kind, "=");
    } finally {
      client.close();
    }
  }
});
