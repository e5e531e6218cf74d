/**
 * Hash and set commands against Debian's redis-server (started here on a free port, never as a
 * service), byte for byte in RESP2 and RESP3: the same session through the engine (EngineHarness,
 * replies written by the RESP encoder) and through the real server. The session only uses
 * replies whose order Redis fixes (small hashes keep insertion order, integer sets are sorted,
 * one-member sets), so no reply needs sorting. Skipped without redis-server.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeReply } from "../../server/resp/encoder.js";
import { RawRespClient } from "../../server/testing/raw_resp_client.js";
import { redisServerInstalled, startReferenceRedis } from "../testing/reference_redis.js";
import { EngineHarness } from "./testing/engine_harness.js";

/** One command per line, arguments split on spaces; '' is an empty argument. */
const SESSION = `
HSET h a 1 b 2 c 3
HSET h a 10 d 4
HSET h a
HMSET h x 1 y 2
HMGET h a nof b
HGETALL h
HKEYS h
HVALS h
HLEN h
HSTRLEN h a
HEXISTS h nof
HSETNX h a x
HSETNX h e 5
HDEL h a nof b a
HGETALL nokey
HINCRBY h cnt 5
HINCRBY h cnt -0
HINCRBY h cnt 9223372036854775807
HINCRBY h x 9223372036854775807
HINCRBYFLOAT h fl 10.5
HINCRBYFLOAT h fl 0.1
HINCRBYFLOAT h fl -5.6
HINCRBYFLOAT h fl 3.0e-3
HINCRBYFLOAT h hx 0x1p-3
HINCRBYFLOAT h fl2 .
HINCRBYFLOAT h fl2 inf
HINCRBYFLOAT h fl2 1e-5000
HINCRBYFLOAT h pi 3.14159265358979323846
HINCRBYFLOAT h tiny -0.00000000000000000001
HINCRBYFLOAT h x4 1.23456789012345678901234
HGETALL h
HRANDFIELD h 100
HRANDFIELD h 100 WITHVALUES
HRANDFIELD h 0
HRANDFIELD h 1 x
HRANDFIELD h -9223372036854775808
HRANDFIELD h -9223372036854775807 WITHVALUES
HRANDFIELD nokey
HRANDFIELD nokey 3
HSCAN h 0
HSCAN h 0 MATCH x* COUNT 1
HSCAN h 0 COUNT 0
HSCAN h x
HSCAN nokey 0 COUNT x
SET str v
HGET str a
HINCRBYFLOAT str a 1
HSCAN str 0
SADD i 3 1 2
SADD i 2 5
SADD t 1 2 3 4 5 6
SMEMBERS i
SMEMBERS nokey
SCARD i
SMISMEMBER i 1 9
SINTER i t
SINTER i nokey
SUNION i t
SDIFF t i
SINTERCARD 2 i t LIMIT 2
SINTERCARD 0 i
SINTERCARD 3 i t
SINTERCARD 1 i LIMIT -1
SINTERSTORE d i t
SUNIONSTORE d i t
SDIFFSTORE d i t
SMEMBERS d
SMOVE i t 9
SMOVE i fresh 1
SMOVE nokey str a
SMOVE i str 1
SPOP t 100
SPOP t 1
SPOP i -1
SPOP i 1 2
SRANDMEMBER i 100
SRANDMEMBER i 0
SRANDMEMBER i -9223372036854775808
SADD one x
SPOP one
SADD one y
SRANDMEMBER one -3
SPOP one 5
SSCAN i 0 MATCH [2-3]
SSCAN i x
SSCAN str 0
SINTER i str
SREM i 2 3 5
SCARD i
`.trim().split("\n").map((line) => line.split(" ").map((a) => (a === "''" ? "" : a)));


async function redisReplies(port: number, protocol: 2 | 3): Promise<string[]> {
  const client = await RawRespClient.connect(port);
  const replies: string[] = [];
  for (const args of [["HELLO", String(protocol)], ["FLUSHALL"], ...SESSION]) {
    replies.push(await client.command(args));
  }
  client.end();
  return replies.slice(2);
}

function engineReplies(protocol: 2 | 3): string[] {
  const h = new EngineHarness();
  return SESSION.map((args) => encodeReply(h.run(...args), protocol).toString("latin1"));
}

test("hash and set replies read the same as Debian's redis-server, RESP2 and RESP3",
  { skip: redisServerInstalled() ? false : "redis-server missing", timeout: 30_000 }, async () => {
  const redis = await startReferenceRedis();
  try {
    for (const protocol of [2, 3] as const) {
      const expected = await redisReplies(redis.port, protocol);
      const actual = engineReplies(protocol);
      SESSION.forEach((args, i) => {
        assert.equal(actual[i], expected[i], `RESP${protocol}: ${args.join(" ")}`);
      });
    }
  } finally {
    await redis.stop();
  }
});
