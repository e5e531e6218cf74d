/**
 * The same authentication session against Debian's redis-server (started here on a free port,
 * never as a service) and against raftkv's RESP server, byte for byte: NOAUTH, WRONGPASS,
 * AUTH's syntax error, unknown command before NOAUTH, HELLO before AUTH, NOPERM for a read-only
 * user. Redis 7.0 words NOPERM "this user has ..."; raftkv follows 7.2 ("User <name> has ..."),
 * so that one difference is normalised before comparing. Skipped without redis-server.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { redisServerInstalled, respRequest, startReferenceRedis } from "../../kv/testing/reference_redis.js";
import { RespServer } from "../resp/server.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { RawRespClient } from "../testing/raw_resp_client.js";
import { ClientAuth } from "./client_auth.js";
import { hashPassword } from "./password_hash.js";

const cmd = (...args: string[]): string => respRequest(args);

const SESSION = [
  cmd("GET", "k"), cmd("AUTH", "wrong"), cmd("AUTH", "nobody", "secret"),
  cmd("AUTH", "a", "b", "c"), cmd("FOO", "bar"), cmd("PING"), cmd("HELLO", "3"),
  cmd("HELLO", "2", "AUTH", "reader", "bad"), cmd("AUTH", "secret"), cmd("SET", "k", "v"),
  cmd("GET", "k"), cmd("AUTH", "reader", "rpass"), cmd("GET", "k"), cmd("SET", "k", "x"),
  cmd("DEL", "k"), cmd("CONFIG", "GET", "maxmemory"), cmd("AUTH", "reader", "nope"),
  cmd("GET", "k"),
];

/** Sends the session one request at a time (as a person would) and returns every reply. */
async function session(port: number): Promise<string> {
  const client = await RawRespClient.connect(port);
  for (const request of SESSION) {
    const before = client.text.length;
    client.send(request);
    await client.until((text) => text.length > before && text.endsWith("\r\n"));
  }
  // QUIT's reply and the close mark the end, so no reply is cut short.
  client.send(cmd("QUIT"));
  await client.untilClosed();
  return client.text.replaceAll(/NOPERM this user has/g, "NOPERM User reader has");
}

test("the authentication session reads the same as Debian's redis-server",
  { skip: redisServerInstalled() ? false : "redis-server missing", timeout: 30_000 }, async () => {
  const redis = await startReferenceRedis([
    "--requirepass", "secret",
    "--user", "reader", "on", ">rpass", "~*", "&*", "-@all", "+get", "+auth", "+hello",
  ]);
  try {
    const expected = await session(redis.port);
    const ours = await RespServer.start({
      service: new MemoryKvService(),
      auth: new ClientAuth({ users: [
        { name: "default", passwordHash: await hashPassword("secret", { ln: 4, r: 8, p: 1 }),
          permissions: ["read", "write", "admin"] },
        { name: "reader", passwordHash: await hashPassword("rpass", { ln: 4, r: 8, p: 1 }),
          permissions: ["read"] },
      ] }),
    }, { port: 0 });
    const actual = await session(ours.port);
    await ours.close();
    assert.equal(actual, expected);
    assert.match(expected, /NOPERM User reader has no permissions to run the 'config\|get'/);
  } finally {
    await redis.stop();
  }
});
