/**
 * Test support: the commands the differential test sends, as a list the lead can trim or extend
 * (`COMMAND_MIX`). Each family draws one step: one command or a short script (a transaction, a
 * WATCH race between the two connections), with how each reply is compared. Families whose
 * replies depend on a key's contents in a way Redis leaves to chance (SPOP, SRANDMEMBER, ...)
 * are marked `sample`: the runner reads the key first and checks the picks by property.
 */
import { EXACT, type Compare } from "./reply_compare.js";
import type { Pool, Vocabulary } from "./differential_random.js";

/** Connection 0 speaks RESP2, connection 1 RESP3 (HELLO 3). */
export type Conn = 0 | 1;

/** What the runner must read before a random pick to judge it. */
export interface SampleOf {
  readonly key: string;
  readonly read: "set" | "hash" | "zset" | "keys";
  readonly pairs: boolean;
  /** SPOP: afterwards, make Redis's set equal raftkv's, as the two popped different members. */
  readonly resync: boolean;
}

export interface Action {
  readonly conn: Conn;
  readonly argv: readonly string[];
  readonly compare: Compare;
  readonly sample?: SampleOf;
}

export type Group =
  | "string" | "keys" | "expiry" | "hash" | "list" | "set" | "zset" | "transaction" | "server";

export interface Family {
  readonly name: string;
  readonly group: Group;
  /** Draws one step. `v` holds the seeded choices. */
  draw(v: Vocabulary, conn: Conn): Action[];
}

const near = (tolerance: number): Compare => ({ kind: "near", tolerance });
const UNORDERED: Compare = { kind: "unordered", pairs: false };
const UNORDERED_PAIRS: Compare = { kind: "unordered", pairs: true };
const SHAPE: Compare = { kind: "shape" };

function one(name: string, group: Group, argv: (v: Vocabulary) => string[],
  compare: Compare = EXACT): Family {
  return { name, group, draw: (v, conn) => [{ conn, argv: [name, ...argv(v)], compare }] };
}

function sample(name: string, group: Group, read: SampleOf["read"],
  argv: (v: Vocabulary) => { key: string; args: string[]; pairs: boolean }, resync = false): Family {
  return {
    name, group,
    draw: (v, conn) => {
      const { key, args, pairs } = argv(v);
      // A negative count may repeat elements; a positive count or SPOP never does.
      const distinct = resync || !(args[1] ?? "").startsWith("-");
      // The universe is filled in by the runner, which reads the key just before.
      const compare: Compare = { kind: "sample", pairs, distinct, universe: new Set() };
      return [{ conn, argv: [name, ...args], compare, sample: { key, read, pairs, resync } }];
    },
  };
}

const k = (pool: Pool) => (v: Vocabulary): string[] => [v.key(pool)];

function ttlOption(v: Vocabulary): string[] {
  const now = Date.now();
  return v.c.pick([
    () => ["EX", v.ttlSeconds()], () => ["PX", String(v.c.int(5_000_000, 90_000_000))],
    () => ["EXAT", String(Math.floor(now / 1000) + v.c.int(5000, 90_000))],
    () => ["PXAT", String(now + v.c.int(5_000_000, 90_000_000))], () => ["KEEPTTL"],
  ])();
}

const STRINGS: Family[] = [
  one("GET", "string", k("s")),
  one("SET", "string", (v) => [v.key("s"), v.value(),
    ...(v.c.chance(0.3) ? [v.option(["NX", "XX"])] : []), ...(v.c.chance(0.2) ? ["GET"] : []),
    ...(v.c.chance(0.3) ? ttlOption(v) : [])]),
  one("SETNX", "string", (v) => [v.key("s"), v.value()]),
  one("SETEX", "string", (v) => [v.key("s"), v.ttlSeconds(), v.value()]),
  one("PSETEX", "string", (v) => [v.key("s"), String(v.c.int(5_000_000, 9_000_000)), v.value()]),
  one("GETSET", "string", (v) => [v.key("s"), v.value()]),
  one("GETDEL", "string", k("s")),
  one("GETEX", "string", (v) => [v.key("s"),
    ...v.c.pick([() => [], () => ttlOption(v).filter((a) => a !== "KEEPTTL"), () => ["PERSIST"]])()]),
  one("MGET", "string", (v) => v.keys("s", 1, 4)),
  one("MSET", "string", (v) => v.keys("s", 1, 3).flatMap((key) => [key, v.value()])),
  one("MSETNX", "string", (v) => v.keys("s", 1, 3).flatMap((key) => [key, v.value()])),
  one("APPEND", "string", (v) => [v.key("s"), v.value()]),
  one("STRLEN", "string", k("s")),
  one("GETRANGE", "string", (v) => [v.key("s"), v.int(-10, 10), v.int(-10, 10)]),
  one("SUBSTR", "string", (v) => [v.key("s"), v.int(-10, 10), v.int(-10, 10)]),
  one("SETRANGE", "string", (v) => [v.key("s"), v.int(0, 30), v.value()]),
  one("INCR", "string", k("s")),
  one("DECR", "string", k("s")),
  one("INCRBY", "string", (v) => [v.key("s"), v.int(-100, 100)]),
  one("DECRBY", "string", (v) => [v.key("s"), v.int(-100, 100)]),
  one("INCRBYFLOAT", "string", (v) => [v.key("s"), v.float()]),
];

const anyKey = (v: Vocabulary): string => v.key(v.c.pick<Pool>(["s", "h", "l", "S", "z"]));

/** The options of a SCAN-like command: MATCH, COUNT and (SCAN only) TYPE. */
function scanOptions(v: Vocabulary, withType: boolean): string[] {
  return [
    ...(v.c.chance(0.4) ? ["MATCH", v.c.pick(["*", "s:*", "*1*", "[ab]", "x"])] : []),
    ...(v.c.chance(0.4) ? ["COUNT", v.c.pick(["1", "2", "10", "0", "x"])] : []),
    ...(withType && v.c.chance(0.3) ? ["TYPE", v.c.pick(["string", "hash", "list", "set", "zset", "nosuch"])] : []),
  ];
}

function scan(name: string, group: Group, pool: Pool | null, pairs: boolean): Family {
  return {
    name, group,
    draw: (v, conn) => {
      const argv = pool === null ? [name, "0", ...scanOptions(v, true)]
        : [name, v.key(pool), "0", ...scanOptions(v, false)];
      return [{ conn, argv, compare: { kind: "scan", cursorAt: pool === null ? 1 : 2, pairs } }];
    },
  };
}

const SCANS: Family[] = [
  scan("SCAN", "keys", null, false), scan("HSCAN", "hash", "h", true),
  scan("SSCAN", "set", "S", false), scan("ZSCAN", "zset", "z", true),
];

const KEYS: Family[] = [
  one("DEL", "keys", (v) => Array.from({ length: v.c.int(1, 3) }, () => anyKey(v))),
  one("UNLINK", "keys", (v) => [anyKey(v)]),
  one("EXISTS", "keys", (v) => Array.from({ length: v.c.int(1, 3) }, () => anyKey(v))),
  one("TOUCH", "keys", (v) => [anyKey(v), anyKey(v)]),
  one("TYPE", "keys", (v) => [anyKey(v)]),
  one("KEYS", "keys", (v) => [v.c.pick(["*", "s:*", "h:?", "[lz]:*", "*1*", "x"])], UNORDERED),
  sample("RANDOMKEY", "keys", "keys", () => ({ key: "", args: [], pairs: false })),
  one("RENAME", "keys", (v) => [anyKey(v), anyKey(v)]),
  one("RENAMENX", "keys", (v) => [anyKey(v), anyKey(v)]),
  one("COPY", "keys", (v) => [anyKey(v), anyKey(v),
    ...(v.c.chance(0.3) ? ["DB", v.int(0, 2)] : []), ...(v.c.chance(0.4) ? ["REPLACE"] : [])]),
  one("DBSIZE", "keys", () => []),
  one("MOVE", "keys", (v) => [anyKey(v), v.int(0, 2)]),
  one("SELECT", "keys", (v) => [v.c.chance(0.7) ? "0" : v.int(0, 2)]),
];

const FLUSHES: Family[] = [
  one("FLUSHDB", "keys", () => []),
  one("FLUSHALL", "keys", (v) => (v.c.chance(0.5) ? [] : [v.option(["SYNC", "ASYNC"])])),
  one("SWAPDB", "keys", (v) => [v.int(0, 1), v.int(0, 2)]),
];

const expireOption = (v: Vocabulary): string[] =>
  v.c.chance(0.4) ? [v.option(["NX", "XX", "GT", "LT"])] : [];

const EXPIRY: Family[] = [
  one("EXPIRE", "expiry", (v) => [anyKey(v), v.ttlSeconds(), ...expireOption(v)]),
  one("PEXPIRE", "expiry", (v) => [anyKey(v), String(v.c.int(5_000_000, 90_000_000)), ...expireOption(v)]),
  one("EXPIREAT", "expiry", (v) => [anyKey(v),
    // In the past (the key goes at once) or far ahead: never expiring during a run.
    String(Math.floor(Date.now() / 1000) + (v.c.chance(0.1) ? v.c.int(-100, -1) : v.c.int(5000, 90_000))),
    ...expireOption(v)]),
  one("PEXPIREAT", "expiry", (v) => [anyKey(v), String(Date.now() + v.c.int(5_000_000, 90_000_000)),
    ...expireOption(v)]),
  one("TTL", "expiry", (v) => [anyKey(v)], near(2)),
  one("PTTL", "expiry", (v) => [anyKey(v)], near(2000)),
  one("EXPIRETIME", "expiry", (v) => [anyKey(v)], near(2)),
  one("PEXPIRETIME", "expiry", (v) => [anyKey(v)], near(2000)),
  one("PERSIST", "expiry", (v) => [anyKey(v)]),
];

const HASHES: Family[] = [
  one("HSET", "hash", (v) => [v.key("h"), ...v.members(1, 3).flatMap((f) => [f, v.value()])]),
  one("HSETNX", "hash", (v) => [v.key("h"), v.member(), v.value()]),
  one("HGET", "hash", (v) => [v.key("h"), v.member()]),
  one("HMGET", "hash", (v) => [v.key("h"), ...v.members(1, 3)]),
  one("HMSET", "hash", (v) => [v.key("h"), ...v.members(1, 2).flatMap((f) => [f, v.value()])]),
  one("HDEL", "hash", (v) => [v.key("h"), ...v.members(1, 3)]),
  one("HEXISTS", "hash", (v) => [v.key("h"), v.member()]),
  one("HLEN", "hash", k("h")),
  one("HSTRLEN", "hash", (v) => [v.key("h"), v.member()]),
  one("HKEYS", "hash", k("h"), UNORDERED),
  one("HVALS", "hash", k("h"), UNORDERED),
  one("HGETALL", "hash", k("h"), UNORDERED_PAIRS),
  one("HINCRBY", "hash", (v) => [v.key("h"), v.member(), v.int(-50, 50)]),
  one("HINCRBYFLOAT", "hash", (v) => [v.key("h"), v.member(), v.float()]),
  sample("HRANDFIELD", "hash", "hash", (v) => {
    const key = v.key("h");
    const withValues = v.c.chance(0.4);
    const args = v.c.chance(0.3) ? [key]
      : [key, String(v.c.int(-5, 5)), ...(withValues ? ["WITHVALUES"] : [])];
    return { key, args, pairs: args.length === 3 };
  }),
];

const LISTS: Family[] = [
  one("LPUSH", "list", (v) => [v.key("l"), ...v.members(1, 3)]),
  one("RPUSH", "list", (v) => [v.key("l"), ...v.members(1, 3)]),
  one("LPUSHX", "list", (v) => [v.key("l"), v.member()]),
  one("RPUSHX", "list", (v) => [v.key("l"), v.member()]),
  one("LPOP", "list", (v) => [v.key("l"), ...(v.c.chance(0.4) ? [v.int(0, 3)] : [])]),
  one("RPOP", "list", (v) => [v.key("l"), ...(v.c.chance(0.4) ? [v.int(0, 3)] : [])]),
  one("LLEN", "list", k("l")),
  one("LRANGE", "list", (v) => [v.key("l"), v.int(-5, 5), v.int(-5, 5)]),
  one("LINDEX", "list", (v) => [v.key("l"), v.int(-4, 4)]),
  one("LSET", "list", (v) => [v.key("l"), v.int(-3, 3), v.member()]),
  one("LREM", "list", (v) => [v.key("l"), v.int(-2, 2), v.member()]),
  one("LTRIM", "list", (v) => [v.key("l"), v.int(-5, 2), v.int(-3, 8)]),
  one("LINSERT", "list", (v) => [v.key("l"), v.option(["BEFORE", "AFTER"]), v.member(), v.member()]),
  one("LPOS", "list", (v) => [v.key("l"), v.member(),
    ...(v.c.chance(0.3) ? ["RANK", v.c.pick(["1", "-1", "2", "0"])] : []),
    ...(v.c.chance(0.3) ? ["COUNT", v.int(0, 3)] : []),
    ...(v.c.chance(0.2) ? ["MAXLEN", v.int(0, 5)] : [])]),
  one("LMOVE", "list", (v) => [v.key("l"), v.key("l"), v.option(["LEFT", "RIGHT"]),
    v.option(["LEFT", "RIGHT"])]),
  one("RPOPLPUSH", "list", (v) => [v.key("l"), v.key("l")]),
  one("LMPOP", "list", (v) => {
    const keys = v.keys("l", 1, 3);
    return [String(keys.length), ...keys, v.option(["LEFT", "RIGHT"]),
      ...(v.c.chance(0.5) ? ["COUNT", v.int(1, 3)] : [])];
  }),
];

const SETS: Family[] = [
  one("SADD", "set", (v) => [v.key("S"), ...v.members(1, 4)]),
  one("SREM", "set", (v) => [v.key("S"), ...v.members(1, 3)]),
  one("SCARD", "set", k("S")),
  one("SISMEMBER", "set", (v) => [v.key("S"), v.member()]),
  one("SMISMEMBER", "set", (v) => [v.key("S"), ...v.members(1, 3)]),
  one("SMEMBERS", "set", k("S"), UNORDERED),
  sample("SPOP", "set", "set", (v) => {
    const key = v.key("S");
    const args = v.c.chance(0.5) ? [key] : [key, String(v.c.int(0, 4))];
    return { key, args, pairs: false };
  }, true),
  sample("SRANDMEMBER", "set", "set", (v) => {
    const key = v.key("S");
    return { key, args: v.c.chance(0.3) ? [key] : [key, String(v.c.int(-5, 5))], pairs: false };
  }),
  one("SMOVE", "set", (v) => [v.key("S"), v.key("S"), v.member()]),
  one("SINTER", "set", (v) => v.keys("S", 1, 3), UNORDERED),
  one("SUNION", "set", (v) => v.keys("S", 1, 3), UNORDERED),
  one("SDIFF", "set", (v) => v.keys("S", 1, 3), UNORDERED),
  one("SINTERCARD", "set", (v) => {
    const keys = v.keys("S", 1, 3);
    return [String(keys.length), ...keys, ...(v.c.chance(0.3) ? ["LIMIT", v.int(0, 3)] : [])];
  }),
  one("SINTERSTORE", "set", (v) => [v.key("S"), ...v.keys("S", 1, 3)]),
  one("SUNIONSTORE", "set", (v) => [v.key("S"), ...v.keys("S", 1, 3)]),
  one("SDIFFSTORE", "set", (v) => [v.key("S"), ...v.keys("S", 1, 3)]),
];

const zrangeArgs = (v: Vocabulary): string[] => v.c.pick([
  () => [v.int(-4, 4), v.int(-4, 4)],
  () => [v.c.pick(["-inf", "(1", "0", "2.5"]), v.c.pick(["+inf", "(5", "3", "10"]), "BYSCORE"],
  () => [v.c.pick(["-", "[a", "(b"]), v.c.pick(["+", "[d", "(e"]), "BYLEX"],
])();

const SORTED_SETS: Family[] = [
  one("ZADD", "zset", (v) => [v.key("z"),
    ...(v.c.chance(0.3) ? [v.option(["NX", "XX", "GT", "LT", "CH"])] : []),
    ...(v.c.chance(0.1) ? ["INCR"] : []),
    ...v.members(1, 3).flatMap((m) => [v.float(), m])]),
  one("ZINCRBY", "zset", (v) => [v.key("z"), v.float(), v.member()]),
  one("ZREM", "zset", (v) => [v.key("z"), ...v.members(1, 3)]),
  one("ZCARD", "zset", k("z")),
  one("ZSCORE", "zset", (v) => [v.key("z"), v.member()]),
  one("ZMSCORE", "zset", (v) => [v.key("z"), ...v.members(1, 3)]),
  one("ZRANK", "zset", (v) => [v.key("z"), v.member()]),
  one("ZREVRANK", "zset", (v) => [v.key("z"), v.member()]),
  one("ZCOUNT", "zset", (v) => [v.key("z"), v.c.pick(["-inf", "(1", "0"]), v.c.pick(["+inf", "3", "(5"])]),
  one("ZRANGE", "zset", (v) => {
    const range = zrangeArgs(v);
    const byIndex = range.length === 2;
    return [v.key("z"), ...range, ...(v.c.chance(0.3) ? ["REV"] : []),
      ...(!byIndex && v.c.chance(0.3) ? ["LIMIT", v.int(0, 2), v.int(-1, 3)] : []),
      ...(range[2] !== "BYLEX" && v.c.chance(0.4) ? ["WITHSCORES"] : [])];
  }),
  one("ZRANGEBYSCORE", "zset", (v) => [v.key("z"), v.c.pick(["-inf", "(1", "0"]),
    v.c.pick(["+inf", "3", "(5"]), ...(v.c.chance(0.4) ? ["WITHSCORES"] : []),
    ...(v.c.chance(0.3) ? ["LIMIT", v.int(0, 2), v.int(-1, 3)] : [])]),
  one("ZREVRANGEBYSCORE", "zset", (v) => [v.key("z"), v.c.pick(["+inf", "3", "(5"]),
    v.c.pick(["-inf", "(1", "0"]), ...(v.c.chance(0.4) ? ["WITHSCORES"] : [])]),
  one("ZRANGEBYLEX", "zset", (v) => [v.key("z"), v.c.pick(["-", "[a", "(b", "x"]),
    v.c.pick(["+", "[d", "(e"])]),
  one("ZREMRANGEBYSCORE", "zset", (v) => [v.key("z"), v.c.pick(["-inf", "(1", "0"]), v.c.pick(["+inf", "1", "(2"])]),
  one("ZREMRANGEBYRANK", "zset", (v) => [v.key("z"), v.int(-3, 1), v.int(-3, 1)]),
  one("ZPOPMIN", "zset", (v) => [v.key("z"), ...(v.c.chance(0.4) ? [v.int(0, 3)] : [])]),
  one("ZPOPMAX", "zset", (v) => [v.key("z"), ...(v.c.chance(0.4) ? [v.int(0, 3)] : [])]),
  sample("ZRANDMEMBER", "zset", "zset", (v) => {
    const key = v.key("z");
    const withScores = v.c.chance(0.4);
    const args = v.c.chance(0.3) ? [key]
      : [key, String(v.c.int(-5, 5)), ...(withScores ? ["WITHSCORES"] : [])];
    return { key, args, pairs: args.length === 3 };
  }),
  one("ZUNIONSTORE", "zset", (v) => {
    const keys = v.keys("z", 1, 3);
    return [v.key("z"), String(keys.length), ...keys,
      ...(v.c.chance(0.3) ? ["AGGREGATE", v.option(["SUM", "MIN", "MAX"])] : [])];
  }),
  one("ZINTERSTORE", "zset", (v) => {
    const keys = v.keys("z", 1, 3);
    return [v.key("z"), String(keys.length), ...keys,
      ...(v.c.chance(0.3) ? ["WEIGHTS", ...keys.map(() => v.float())] : [])];
  }),
];

const SERVER: Family[] = [
  one("PING", "server", (v) => (v.c.chance(0.5) ? [] : [v.value()])),
  one("ECHO", "server", (v) => [v.value()]),
  one("TIME", "server", () => [], SHAPE),
  one("CONFIG", "server", (v) => ["GET", v.c.pick(["maxmemory", "maxmemory-policy", "databases",
    "appendonly", "save", "nosuchparameter", "maxmemory*"])], UNORDERED_PAIRS),
  one("CLIENT", "server", (v) => v.c.pick([["SETNAME", `n${v.c.int(0, 9)}`], ["GETNAME"],
    ["SETNAME", "bad name"], ["NO-EVICT", "on"], ["BOGUS"]])),
  one("NOSUCHCOMMAND", "server", (v) => v.members(0, 2)),
];

/** Every single-command family (the transactions draw their queued commands from these). */
export const SINGLE_COMMANDS: readonly Family[] = [
  ...STRINGS, ...KEYS, ...EXPIRY, ...HASHES, ...LISTS, ...SETS, ...SORTED_SETS, ...SERVER,
  ...SCANS,
];

/** Rare families (they wipe state): drawn with probability `FLUSH_CHANCE` per step. */
export const FLUSH_MIX: readonly Family[] = FLUSHES;
