/**
 * The bit commands (bits.ts, bitfield.ts) through the store machine: unit tests with Redis 7's
 * replies, and one session compared byte for byte with Debian's redis-server (RESP2 and RESP3;
 * skipped without redis-server).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeReply } from "../../server/resp/encoder.js";
import { FrameClient } from "../../server/testing/resp_frames.js";
import { redisServerInstalled, startReferenceRedis } from "../testing/reference_redis.js";
import { NULL, array, bulk, error, integer, type Reply } from "./reply.js";
import { EngineHarness } from "./testing/engine_harness.js";

/** A harness whose text arguments are latin1 (one byte per character, as "\xff" means). */
function harness(): { run: (...args: string[]) => ReturnType<EngineHarness["run"]>; h: EngineHarness } {
  const h = new EngineHarness();
  return { h, run: (...args) => h.run(...args.map((a) => Uint8Array.from(Buffer.from(a, "latin1")))) };
}

const bytes = (text: string): Reply => bulk(Uint8Array.from(Buffer.from(text, "latin1")));

test("SETBIT and GETBIT address bits from the most significant bit of the first byte", () => {
  const { h, run } = harness();
  assert.deepEqual(run("SETBIT", "k", "7", "1"), integer(0));
  assert.deepEqual(run("GET", "k"), bytes("\x01"));
  assert.deepEqual(run("SETBIT", "k", "1", "1"), integer(0));
  assert.deepEqual(run("SETBIT", "k", "1", "0"), integer(1));
  assert.deepEqual(run("SETBIT", "k", "17", "1"), integer(0));
  assert.deepEqual(run("GET", "k"), bytes("\x01\x00\x40"));
  assert.deepEqual(run("GETBIT", "k", "17"), integer(1));
  assert.deepEqual(run("GETBIT", "k", "1000"), integer(0));
  assert.deepEqual(run("GETBIT", "nokey", "3"), integer(0));
  assert.deepEqual(h.restarted().run("GET", "k"), bytes("\x01\x00\x40"));
});

test("SETBIT refuses bad offsets and bits before looking at the key, and keeps the TTL", () => {
  const { run } = harness();
  const badOffset = error("ERR bit offset is not an integer or out of range");
  assert.deepEqual(run("SETBIT", "k", "-1", "1"), badOffset);
  assert.deepEqual(run("SETBIT", "k", "4294967296", "1"), badOffset);
  assert.deepEqual(run("SETBIT", "k", "x", "1"), badOffset);
  assert.deepEqual(run("GETBIT", "k", "4294967296"), badOffset);
  assert.deepEqual(run("SETBIT", "k", "1", "2"), error("ERR bit is not an integer or out of range"));
  assert.deepEqual(run("SETBIT", "k", "1", "-1"), error("ERR bit is not an integer or out of range"));
  // Below Redis's 512 MiB but above our 16 MiB cap: Redis's proto-max-bulk-len error, nothing stored.
  assert.deepEqual(run("SETBIT", "k", String(16 * 1024 * 1024 * 8), "1"),
    error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  assert.deepEqual(run("EXISTS", "k"), integer(0));
  run("HSET", "h", "f", "v");
  assert.deepEqual(run("SETBIT", "h", "1", "1").type, "error");
  assert.match(JSON.stringify(run("GETBIT", "h", "1")), /WRONGTYPE/);
  run("SET", "t", "a", "EX", "100");
  run("SETBIT", "t", "100", "1");
  assert.deepEqual(run("TTL", "t"), integer(100));
});

test("BITCOUNT and BITPOS with BYTE and BIT ranges", () => {
  const { run } = harness();
  run("SET", "k", "\xff\xf0\x00");
  assert.deepEqual(run("BITCOUNT", "k"), integer(12));
  assert.deepEqual(run("BITCOUNT", "k", "1", "1"), integer(4));
  assert.deepEqual(run("BITCOUNT", "k", "5", "10", "BIT"), integer(6));
  assert.deepEqual(run("BITCOUNT", "k", "-1", "-2"), integer(0));
  assert.deepEqual(run("BITCOUNT", "k", "0", "1", "WORD"), error("ERR syntax error"));
  assert.deepEqual(run("BITPOS", "k", "0"), integer(12));
  assert.deepEqual(run("BITPOS", "k", "1", "2"), integer(-1));
  assert.deepEqual(run("BITPOS", "k", "0", "3", "7", "BIT"), integer(-1));
  assert.deepEqual(run("BITPOS", "k", "0", "3", "12", "BIT"), integer(12));
  assert.deepEqual(run("BITPOS", "k", "2"), error("ERR The bit argument must be 1 or 0."));
  assert.deepEqual(run("BITPOS", "nokey", "0"), integer(0));
  assert.deepEqual(run("BITPOS", "nokey", "1"), integer(-1));
  run("SET", "ones", "\xff");
  assert.deepEqual(run("BITPOS", "ones", "0"), integer(8));
  assert.deepEqual(run("BITPOS", "ones", "0", "0", "-1"), integer(-1));
  // Whole bytes without the bit are skipped; the bit after them is still found.
  run("SETBIT", "long", "80003", "1");
  assert.deepEqual(run("BITPOS", "long", "1"), integer(80003));
  assert.deepEqual(run("BITPOS", "long", "1", "3", "80002", "BIT"), integer(-1));
  run("BITOP", "NOT", "inv", "long");
  assert.deepEqual(run("BITPOS", "inv", "0", "1"), integer(80003));
  assert.deepEqual(run("BITCOUNT", "long", "2", "80003", "BIT"), integer(1));
});

test("BITOP stores the result (no TTL) or deletes the target when every source is empty", () => {
  const { run } = harness();
  run("SET", "a", "\x0f\xff");
  run("SET", "b", "\xf0");
  assert.deepEqual(run("BITOP", "AND", "d", "a", "b"), integer(2));
  assert.deepEqual(run("GET", "d"), bytes("\x00\x00"));
  assert.deepEqual(run("BITOP", "or", "d", "a", "b", "nokey"), integer(2));
  assert.deepEqual(run("GET", "d"), bytes("\xff\xff"));
  assert.deepEqual(run("BITOP", "XOR", "d", "a", "b"), integer(2));
  assert.deepEqual(run("GET", "d"), bytes("\xff\xff"));
  assert.deepEqual(run("BITOP", "NOT", "d", "a"), integer(2));
  assert.deepEqual(run("GET", "d"), bytes("\xf0\x00"));
  assert.deepEqual(run("BITOP", "NOT", "d", "a", "b"), error("ERR BITOP NOT must be called with a single source key."));
  assert.deepEqual(run("BITOP", "NAND", "d", "a"), error("ERR syntax error"));
  run("EXPIRE", "d", "100");
  run("BITOP", "OR", "d", "a");
  assert.deepEqual(run("TTL", "d"), integer(-1));
  assert.deepEqual(run("BITOP", "OR", "d", "nokey"), integer(0));
  assert.deepEqual(run("EXISTS", "d"), integer(0));
  run("LPUSH", "l", "x");
  assert.match(JSON.stringify(run("BITOP", "OR", "d", "a", "l")), /WRONGTYPE/);
});

test("BITFIELD GET, SET, INCRBY with OVERFLOW WRAP, SAT and FAIL; BITFIELD_RO reads only", () => {
  const { run } = harness();
  assert.deepEqual(run("BITFIELD", "k", "SET", "u8", "0", "255", "GET", "u8", "0", "GET", "i8", "0"),
    array([integer(0n), integer(255n), integer(-1n)]));
  assert.deepEqual(run("BITFIELD", "k", "INCRBY", "u8", "0", "1", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "-5",
    "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "-1"), array([integer(0n), integer(0n), NULL]));
  assert.deepEqual(run("BITFIELD", "k", "OVERFLOW", "SAT", "SET", "i4", "#1", "100", "GET", "i4", "#1"),
    array([integer(0n), integer(7n)]));
  assert.deepEqual(run("BITFIELD", "k", "OVERFLOW", "SAT", "SET", "u4", "0", "-1", "GET", "u4", "0"),
    array([integer(0n), integer(15n)]));
  assert.deepEqual(run("BITFIELD", "k", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1"),
    array([integer(-648518346341351424n), integer(9223372036854775807n)]));
  assert.deepEqual(run("BITFIELD", "k", "GET", "u64", "0"),
    error("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."));
  assert.deepEqual(run("BITFIELD", "k", "OVERFLOW", "MAYBE"), error("ERR Invalid OVERFLOW type specified"));
  assert.deepEqual(run("BITFIELD", "k", "GET", "u8"), error("ERR syntax error"));
  assert.deepEqual(run("BITFIELD_RO", "k", "SET", "u8", "0", "1"),
    error("ERR BITFIELD_RO only supports the GET subcommand"));
  assert.deepEqual(run("BITFIELD_RO", "k", "GET", "u8", "0", "GET", "u8", "1000"), array([integer(127n), integer(0n)]));
  assert.deepEqual(run("BITFIELD", "nokey"), array([]));
  assert.deepEqual(run("EXISTS", "nokey"), integer(0));
});

/** One command per line, words split on spaces; `""` is the empty argument. */
const SESSION = `
SETBIT b 7 1|SETBIT b 7 1|SETBIT b 7 0|SETBIT b 100 1|GET b|GETBIT b 100|GETBIT b 99|GETBIT b 100000|GETBIT nokey 1
SETBIT b -1 1|SETBIT b 4294967296 1|SETBIT b 4294967295 2|SETBIT b x 1|SETBIT b 1 x|SETBIT b 1 -1|GETBIT b -1
SET s foobar|BITCOUNT s|BITCOUNT s 0 0|BITCOUNT s 1 1|BITCOUNT s 1 1 BYTE|BITCOUNT s 5 30 BIT|BITCOUNT s -1 -2
BITCOUNT s -2 -1 BIT|BITCOUNT s 0|BITCOUNT s 0 1 FOO|BITCOUNT s x 1|BITCOUNT s 0 -100|BITCOUNT s -100 100 BIT
BITCOUNT nokey 0|BITCOUNT nokey 0 1 FOO|SET e ""|BITCOUNT e|BITCOUNT e 0 -1|BITPOS e 0|BITPOS e 1|BITPOS e 0 0
SET p \xff\xf0\x00|BITPOS p 0|BITPOS p 1|BITPOS p 0 1|BITPOS p 1 2|BITPOS p 0 0 0|BITPOS p 0 -1|BITPOS p 1 -3 -1
BITPOS p 0 2 100 BIT|BITPOS p 1 9 12 BIT|BITPOS p 0 3 7 BIT|BITPOS p 0 0 -1 BIT|BITPOS p 2|BITPOS p x|BITPOS p 1 x
BITPOS p 1 0 x|BITPOS p 1 0 1 FOO|BITPOS p 1 5 2|BITPOS nokey 0 1 2|BITPOS nokey 1|SET o \xff\xff|BITPOS o 0
BITPOS o 0 0|BITPOS o 0 0 -1|BITPOS o 0 0 12 BIT|BITPOS o 0 3 BIT|BITPOS o 1 -3 BIT|BITPOS o 0 100 BIT
SET x1 \x0f\xff|SET x2 \xf0|BITOP AND d x1 x2|GET d|BITOP OR d x1 x2 nokey|GET d|BITOP xor d x1 x2 x1|GET d
BITOP NOT d x1|GET d|BITOP NOT d x1 x2|BITOP NAND d x1|BITOP OR d nokey|EXISTS d|BITOP AND d x1 nokey|GET d
HSET h f v|SETBIT h 1 1|GETBIT h 1|BITCOUNT h|BITPOS h 1|BITOP OR d x1 h|BITFIELD h GET u8 0|BITFIELD_RO h GET u8 0
BITFIELD f SET u8 0 255 GET u8 0 GET i8 0|BITFIELD f INCRBY u8 0 1 OVERFLOW SAT INCRBY u8 0 -5
BITFIELD f OVERFLOW FAIL INCRBY u8 0 -1 INCRBY u8 0 300|BITFIELD f OVERFLOW SAT SET i4 #1 100 GET i4 #1 SET u4 0 -1
BITFIELD f SET i64 0 -9223372036854775808 INCRBY i64 0 -1 OVERFLOW SAT INCRBY i64 0 1 INCRBY i64 0 -9223372036854775808
BITFIELD f OVERFLOW WRAP INCRBY i5 3 100 INCRBY u63 1 -1 GET u63 1 OVERFLOW SAT INCRBY u3 #7 -100|GET f
BITFIELD f GET u64 0|BITFIELD f GET I8 0|BITFIELD f GET i0 0|BITFIELD f GET i65 0|BITFIELD f OVERFLOW MAYBE
BITFIELD f GET u8|BITFIELD f FOO|BITFIELD f OVERFLOW|BITFIELD f GET u8 -1|BITFIELD f GET u8 #-1|BITFIELD f SET u8 0 x
BITFIELD f GET u8 4294967296|BITFIELD f GET i64 #67108864|BITFIELD_RO f SET u8 0 1|BITFIELD_RO f GET u8 0 GET i3 #5
BITFIELD nokey|EXISTS nokey|BITFIELD nokey GET i8 100|BITFIELD_RO nokey GET u8 0|BITFIELD g OVERFLOW FAIL SET u2 0 9
GET g|BITFIELD g SET u2 0 9 SET i8 6 200|GET g
`.trim().split(/[|\n]/).map((line) => line.split(" ").map((word) => {
  if (word === '""') return "";
  return word.replace(/\\x([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}));

const latin1 = (args: readonly string[]): Buffer[] => args.map((a) => Buffer.from(a, "latin1"));

test("bit command replies read the same as Debian's redis-server, RESP2 and RESP3",
  { skip: redisServerInstalled() ? false : "redis-server missing", timeout: 30_000 }, async () => {
  const redis = await startReferenceRedis();
  try {
    for (const protocol of [2, 3] as const) {
      const client = await FrameClient.connect(redis.port);
      if (protocol === 3) await client.call(["HELLO", "3"]);
      await client.call(["FLUSHALL"]);
      const h = new EngineHarness();
      for (const args of SESSION) {
        const expected = (await client.call(latin1(args))).raw.toString("latin1");
        const actual = encodeReply(h.run(...latin1(args)), protocol).toString("latin1");
        assert.equal(actual, expected, `RESP${protocol}: ${args.join(" ")}`);
      }
      client.close();
    }
  } finally {
    await redis.stop();
  }
});
