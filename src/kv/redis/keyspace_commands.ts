/**
 * Database-wide key commands (db.c): KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB.
 *
 * KEYS walks every key of the database (as Redis does, unbounded: use SCAN on large databases).
 * SCAN is bounded per call (COUNT, and at most 10 * COUNT buckets) and its cursors come from
 * scan_index.ts, so they stay valid on any replica, after a restart or a leader change.
 */
import {
  arg, command, fail, int64Arg, lookup, optionName, SYNTAX_ERROR, type ExecContext, type RedisCommand,
} from "./command.js";
import { globMatch } from "./glob_match.js";
import { DATABASES, bytesOf, keyOf, type Bytes, type Db } from "./keyspace.js";
import { NULL, OK, array, bulk, error, integer, type Reply } from "./reply.js";

const latin1 = (b: Bytes): string => keyOf(b);
const DB_OUT_OF_RANGE = error("ERR DB index is out of range");

/**
 * A database index argument as getIntFromObjectOrReply then selectDb read it.
 * @throws CommandError NOT_INTEGER (or `message`), out of int range, or DB_OUT_OF_RANGE.
 */
export function dbArg(ctx: ExecContext, value: Bytes | undefined, message?: Reply): Db {
  const n = int64Arg(value, message);
  if (n > 2147483647n || n < -2147483648n) {
    fail(message ?? error("ERR value is out of range, value must between -2147483648 and 2147483647"));
  }
  if (n < 0n || n >= BigInt(DATABASES)) fail(DB_OUT_OF_RANGE);
  return ctx.keyspace.db(Number(n));
}


/** SCAN's cursor as Redis parses it (strtoul: optional sign, digits, any 64-bit value). */
const cursorPattern = /^[+-]?[0-9]*$/;

/**
 * A SCAN cursor: the low 32 bits of the 64-bit value Redis's strtoul reads (higher bits never
 * change the next cursor, since Redis sets every bit above the table's mask before stepping).
 * @throws CommandError "ERR invalid cursor".
 */
export function parseScanCursor(value: Bytes | undefined): number {
  const text = value === undefined ? "" : latin1(value);
  const invalid = error("ERR invalid cursor");
  if (!cursorPattern.test(text)) fail(invalid);
  const digits = text.replace(/^[+-]/, "");
  if (digits === "") {
    // strtoul("") reads nothing and stops at the end: Redis accepts it as 0; "-" or "+" alone too.
    return 0;
  }
  let n = BigInt(digits);
  if (n > 2n ** 64n - 1n) fail(invalid);
  if (text.startsWith("-")) n = (2n ** 64n - n) % 2n ** 64n;
  return Number(n & 0xffff_ffffn);
}

export interface ScanOptions {
  count: number;
  pattern: string | null;
  type: string | null;
}

/**
 * SCAN's options after the cursor (scanGenericCommand): COUNT n (>= 1), MATCH pattern and,
 * when `allowType`, TYPE name; the last of a repeated option wins.
 * @throws CommandError NOT_INTEGER or SYNTAX_ERROR.
 */
export function parseScanOptions(args: readonly Bytes[], from: number, allowType: boolean): ScanOptions {
  const options: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = from; i < args.length; i += 2) {
    const name = optionName(args[i]);
    const value = args[i + 1];
    if (value === undefined) fail(SYNTAX_ERROR);
    if (name === "count") {
      const count = int64Arg(value);
      if (count < 1n) fail(SYNTAX_ERROR);
      options.count = count > 0x4000_0000n ? 0x4000_0000 : Number(count);
    } else if (name === "match") {
      const pattern = latin1(value);
      options.pattern = pattern === "*" ? null : pattern;
    } else if (name === "type" && allowType) {
      options.type = latin1(value).toLowerCase();
    } else {
      fail(SYNTAX_ERROR);
    }
  }
  return options;
}

/** The SCAN reply: the next cursor as a bulk string, then the elements. */
export function scanReply(cursor: number, items: readonly Reply[]): Reply {
  return array([bulk(String(cursor)), array(items)]);
}

function scan(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const cursor = parseScanCursor(args[1]);
  const options = parseScanOptions(args, 2, true);
  const step = ctx.db.scanIndex.scan(cursor, options.count);
  const keys: Reply[] = [];
  for (const key of step.items) {
    if (options.pattern !== null && !globMatch(options.pattern, key)) continue;
    const entry = lookup(ctx, bytesOf(key));
    if (entry === undefined) continue;
    if (options.type !== null && entry.value.type !== options.type) continue;
    keys.push(bulk(bytesOf(key)));
  }
  return scanReply(step.cursor, keys);
}

function keys(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const pattern = latin1(arg(args, 1));
  const all = pattern === "*";
  const found: Reply[] = [];
  for (const [key, entry] of ctx.db.entries) {
    if (entry.expiresAtMs !== null && entry.expiresAtMs <= ctx.nowMs) continue;
    if (all || globMatch(pattern, key)) found.push(bulk(bytesOf(key)));
  }
  return array(found);
}

function isLive(ctx: ExecContext, db: Db, key: string): boolean {
  return db.lookup(key, ctx.nowMs) !== undefined;
}

function randomKey(ctx: ExecContext): Reply {
  const db = ctx.db;
  for (let tries = 0; tries < 100; tries++) {
    const key = db.scanIndex.randomKey((n) => ctx.random.nextInt(n));
    if (key === undefined) return NULL;
    if (isLive(ctx, db, key)) return bulk(bytesOf(key));
  }
  // Almost every key has expired: the first live one, or none.
  for (const key of db.entries.keys()) if (isLive(ctx, db, key)) return bulk(bytesOf(key));
  return NULL;
}

/** Live keys (Redis counts keys not yet expired-and-deleted; here expired ones never count). */
function liveSize(ctx: ExecContext, db: Db): number {
  if (db.expiringKeys === 0) return db.size;
  let count = 0;
  for (const entry of db.entries.values()) {
    if (entry.expiresAtMs === null || entry.expiresAtMs > ctx.nowMs) count++;
  }
  return count;
}

/** FLUSHDB / FLUSHALL [ASYNC|SYNC] (getFlushCommandFlags). */
function checkFlushArgs(args: readonly Bytes[]): void {
  if (args.length > 2) fail(SYNTAX_ERROR);
  if (args.length === 2) {
    const mode = optionName(args[1]);
    if (mode !== "sync" && mode !== "async") fail(SYNTAX_ERROR);
  }
}

/**
 * Exchanges the contents of two databases (SWAPDB): each keeps its number, every key of both
 * counts as written (WATCH), TTLs move with their keys. O(keys of both), unlike Redis's O(1).
 */
export function swapDatabases(a: Db, b: Db, index: number): void {
  if (a === b) return;
  const fromA = [...a.entries];
  const fromB = [...b.entries];
  a.clear(index);
  b.clear(index);
  for (const [key, entry] of fromB) a.put(key, entry.value, index, entry.expiresAtMs);
  for (const [key, entry] of fromA) b.put(key, entry.value, index, entry.expiresAtMs);
}

const none = [0, 0, 0] as const;

export const keyspaceCommands: readonly RedisCommand[] = [
  command("keys", 2, ["readonly"], {
    keys: none, group: "generic", since: "1.0.0", summary: "Returns all key names that match a pattern.",
    kind: "read", exec: keys,
  }),
  command("scan", -2, ["readonly"], {
    keys: none, group: "generic", since: "2.8.0", summary: "Iterates over the key names in the database.",
    kind: "read", exec: scan,
  }),
  command("randomkey", 1, ["readonly"], {
    keys: none, group: "generic", since: "1.0.0", summary: "Returns a random key name from the database.",
    kind: "read", exec: randomKey,
  }),
  command("dbsize", 1, ["readonly", "fast"], {
    keys: none, group: "server", since: "1.0.0", summary: "Returns the number of keys in the database.",
    kind: "read", exec: (ctx) => integer(liveSize(ctx, ctx.db)),
  }),
  command("flushdb", -1, ["write"], {
    keys: none, group: "server", since: "1.0.0", summary: "Remove all keys from the current database.",
    kind: "write",
    exec(ctx, args) {
      checkFlushArgs(args);
      ctx.db.clear(ctx.index);
      return OK;
    },
  }),
  command("flushall", -1, ["write"], {
    keys: none, group: "server", since: "1.0.0", summary: "Removes all keys from all databases.",
    kind: "write",
    exec(ctx, args) {
      checkFlushArgs(args);
      for (const db of ctx.keyspace.dbs) db.clear(ctx.index);
      return OK;
    },
  }),
  command("swapdb", 3, ["write", "fast"], {
    keys: none, group: "server", since: "4.0.0", summary: "Swaps two Redis databases.", kind: "write",
    exec(ctx, args) {
      const a = dbArg(ctx, args[1], error("ERR invalid first DB index"));
      const b = dbArg(ctx, args[2], error("ERR invalid second DB index"));
      swapDatabases(a, b, ctx.index);
      return OK;
    },
  }),
];
