/**
 * The string, key and expiry commands against Debian's redis-server (started here on a free port,
 * never as a service), byte for byte in RESP2 and RESP3: one session of commands, each reply of
 * the store (through EngineHarness, encoded by the RESP front end's encoder) equal to Redis's.
 * The session avoids what legitimately differs: wall-clock TTLs (only absolute times are read
 * back) and the order of several keys in KEYS/SCAN (Redis's hash order). Skipped without
 * redis-server.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeReply } from "../../server/resp/encoder.js";
import { RawRespClient } from "../../server/testing/raw_resp_client.js";
import { redisServerInstalled, startReferenceRedis } from "../testing/reference_redis.js";
import { EngineHarness } from "./testing/engine_harness.js";

/** One command per line, words split on spaces; `""` is the empty argument. */
const SESSION = `
SET k v|GET k|SET k v2 NX|SET k v2 XX|SET n v NX XX|SET n v NX NX|SET n v2 GET|SET n v3 NX GET
SET missing v XX GET|SET k v EX 0|SET k v PX -1|SET k v EX abc|SET k v EX 10 PX 10|SET k v KEEPTTL EX 10
SET k v EX 9223372036854775807|SET k v PX 9223372036854775807|SET k v EXAT 1|GET k|SET k v FOO|SET k v EX
SETNX k v|SETNX k2 v|SETEX k 0 v|PSETEX k -5 v|SETEX k abc v|GETSET k2 new|GETSET nokey new|GETDEL nokey
GETDEL k2|GETEX n|GETEX n PERSIST|GETEX n EX 0|GETEX nokey EX 0|GETEX n PX 100 EX 10|GETEX n KEEPTTL
GETEX n EXAT 1|EXISTS n|MSET a 1 b 2 c 3|MSET a 1 b|MGET a b c nokey|MSETNX a 1 d 4|MSETNX d 4 e 5
APPEND ap hello|APPEND ap world|STRLEN ap|STRLEN nokey|GETRANGE ap 0 4|GETRANGE ap -5 -1|GETRANGE ap -1 -5
GETRANGE ap 5 2|GETRANGE ap -100 2|GETRANGE ap x 1|GETRANGE nokey 0 1|SUBSTR ap 0 2|SETRANGE sr 5 x|GET sr
SETRANGE sr -1 x|SETRANGE sr 1 ""|SETRANGE nosr 1 ""|SETRANGE sr 536870912 x
INCR i|INCRBY i 10|DECR i|DECRBY i 100|INCRBY i abc|DECRBY i -9223372036854775808|SET i 9223372036854775807
INCR i|SET i -0|INCR i|SET i 007|INCR i|SET f 10.5|INCRBYFLOAT f 0.1|INCRBYFLOAT f -5|INCRBYFLOAT f 1e3
INCRBYFLOAT nf 1.1|INCRBYFLOAT nf 1.1|INCRBYFLOAT nf 1.1|INCRBYFLOAT nf abc|INCRBYFLOAT nf inf|INCRBYFLOAT nf 1e5000
INCRBYFLOAT nf 0x10|INCRBYFLOAT nf 1e-20|INCRBYFLOAT z 123456789012345678901234567890|INCRBYFLOAT z2 -0.0
DEL a b nokey a|EXISTS c c nokey|UNLINK c|TOUCH ap nokey|TYPE ap|TYPE nokey|KEYS ap|KEYS a?|KEYS [a]p|KEYS *p
KEYS h[|KEYS \\|RENAME ap ap2|RENAME nokey x|RENAME ap2 ap2|RENAMENX ap2 ap2|RENAMENX ap2 sr|RENAMENX ap2 ap
COPY ap ap3|COPY ap ap3|COPY ap ap3 REPLACE|COPY ap ap|COPY ap ap DB 1|COPY nokey x|COPY ap x DB 16|COPY ap x DB abc
COPY ap x DB 99999999999|COPY ap x DB|COPY ap x FOO|MOVE ap 0|MOVE ap 1|MOVE nokey 1|MOVE ap3 16|MOVE ap3 2
SWAPDB 0 16|SWAPDB a 1|SWAPDB 1 b|SWAPDB 1 1|FLUSHDB FOO|FLUSHDB SYNC ASYNC
EXPIREAT sr 4102444800|EXPIRETIME sr|PEXPIRETIME sr|EXPIRE sr 100 NX|EXPIREAT sr 4102444801 GT|EXPIRETIME sr
PEXPIREAT sr 4102444800123 LT|PEXPIRETIME sr|EXPIRE sr 10 NX XX|EXPIRE sr 10 GT LT|EXPIRE sr 10 FOO|EXPIRE sr abc
EXPIRE sr 9223372036854775807|PEXPIRE sr 9223372036854775807|EXPIRE nokey 10|TTL nokey|PTTL nokey|TTL i
PERSIST sr|PERSIST sr|PERSIST nokey|EXPIRETIME sr|EXPIRE sr -1|EXISTS sr|SET q v|EXPIRE q 10 XX|EXPIREAT q 1
EXISTS q|SCAN abc|SCAN 0 COUNT 0|SCAN 0 COUNT x|SCAN 0 MATCH|SCAN 0 FOO bar|SCAN 0 MATCH i COUNT 1000
SCAN 0 MATCH nf TYPE string COUNT 1000|MSET l1 ohmytext l2 mynewtext|LCS l1 l2|LCS l1 l2 LEN|LCS l1 l2 IDX
LCS l1 l2 IDX MINMATCHLEN 4 WITHMATCHLEN|LCS l1 nokey IDX|LCS l1 l2 LEN IDX|LCS l1 l2 MINMATCHLEN|SCAN 0 TYPE hash COUNT 1000|FLUSHALL|DBSIZE|RANDOMKEY|SCAN 0
`.trim().split(/[|\n]/).map((line) => line.split(" ").map((word) => (word === '""' ? "" : word)));

async function redisReplies(port: number, protocol: 2 | 3): Promise<string[]> {
  const client = await RawRespClient.connect(port);
  const next = (args: readonly string[]): Promise<string> => client.command(args);
  if (protocol === 3) await next(["HELLO", "3"]);
  await next(["FLUSHALL"]);
  const replies: string[] = [];
  for (const args of SESSION) replies.push(await next(args));
  client.socket.destroy();
  return replies;
}

function storeReplies(protocol: 2 | 3): string[] {
  const h = new EngineHarness();
  return SESSION.map((args) => encodeReply(h.run(...args), protocol).toString("latin1"));
}

test("string, key and expiry replies read the same as Debian's redis-server, RESP2 and RESP3",
  { skip: redisServerInstalled() ? false : "redis-server missing", timeout: 30_000 }, async () => {
  const redis = await startReferenceRedis();
  try {
    for (const protocol of [2, 3] as const) {
      const expected = await redisReplies(redis.port, protocol);
      const actual = storeReplies(protocol);
      SESSION.forEach((args, i) => {
        assert.equal(actual[i], expected[i], `RESP${protocol}: ${args.join(" ")}`);
      });
    }
  } finally {
    await redis.stop();
  }
});
