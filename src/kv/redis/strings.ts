/**
 * String commands (t_string.c): GET, SET and its options, SETNX, SETEX, PSETEX, GETSET, GETDEL,
 * GETEX, MGET, MSET, MSETNX, APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE; LCS is in string_lcs.ts,
 * the counters (INCR..., INCRBYFLOAT, CAS) in string_counters.ts. Replies and error texts are Redis 7's.
 */
import {
  arg, command, fail, int64Arg, lookup, lookupTyped, optionName, SYNTAX_ERROR, WRONGTYPE,
  type ExecContext, type RedisCommand,
} from "./command.js";
import { setExpiryAt, type ExpireUnit } from "./expire_time.js";
import { keyOf, type Bytes, type KeyEntry } from "./keyspace.js";
import { NULL, OK, array, bulk, error, integer, type Reply } from "./reply.js";
import { stringCounterCommands } from "./string_counters.js";
import { lcsCommand } from "./string_lcs.js";

/**
 * The largest string APPEND and SETRANGE may build: 16 MiB, the RESP front end's bulk limit,
 * not Redis's 512 MiB proto-max-bulk-len, because one small SETRANGE would make every replica
 * allocate that much (a deliberate difference; same error text).
 */
export const STRING_BYTES_MAX = 16 * 1024 * 1024;
const EMPTY_BULK = bulk(new Uint8Array(0));
const STRING_TOO_LONG = error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");

export function stringValue(bytes: Bytes): { readonly type: "string"; readonly value: Bytes } {
  return { type: "string", value: Uint8Array.from(bytes) };
}

/** The string at `key`, undefined when absent. @throws CommandError WRONGTYPE. */
function stringAt(ctx: ExecContext, key: Bytes): Bytes | undefined {
  return lookupTyped(ctx, key, "string");
}

interface StringOptions {
  condition: "nx" | "xx" | null;
  get: boolean;
  keepTtl: boolean;
  persist: boolean;
  expire: { unit: ExpireUnit; value: Bytes } | null;
}

/**
 * SET's and GETEX's options as parseExtendedStringArgumentsOrReply reads them: a repeated option
 * is accepted, a conflicting one (NX with XX, two different TTL forms) is a syntax error.
 */
function parseStringOptions(args: readonly Bytes[], from: number, forCommand: "set" | "getex"): StringOptions {
  const o: StringOptions = { condition: null, get: false, keepTtl: false, persist: false, expire: null };
  const isSet = forCommand === "set";
  for (let j = from; j < args.length; j++) {
    const name = optionName(args[j]);
    const next = args[j + 1];
    const ttl = o.expire?.unit ?? null;
    if ((name === "nx" || name === "xx") && isSet && (o.condition === null || o.condition === name)) {
      o.condition = name;
    } else if (name === "get" && isSet) {
      o.get = true;
    } else if (name === "keepttl" && isSet && ttl === null) {
      o.keepTtl = true;
    } else if (name === "persist" && !isSet && ttl === null) {
      o.persist = true;
    } else if ((name === "ex" || name === "px" || name === "exat" || name === "pxat") &&
      !o.keepTtl && !o.persist && (ttl === null || ttl === name) && next !== undefined) {
      o.expire = { unit: name, value: next };
      j++;
    } else {
      fail(SYNTAX_ERROR);
    }
  }
  return o;
}

/** Stores `value` with `expiresAt` (absolute ms, null, or "keep"); a past expiry deletes it. */
function storeString(ctx: ExecContext, key: string, value: Bytes, expiresAt: number | null | "keep"): void {
  if (typeof expiresAt === "number" && expiresAt <= ctx.nowMs) {
    ctx.db.remove(key, ctx.index);
    return;
  }
  ctx.db.put(key, stringValue(value), ctx.index, expiresAt);
}

/** SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT time | KEEPTTL] (setGenericCommand). */
function setGeneric(
  ctx: ExecContext, key: Bytes, value: Bytes, o: StringOptions,
  replies: { command: string; ok: Reply; aborted: Reply },
): Reply {
  const expiresAt = o.expire === null
    ? (o.keepTtl ? "keep" : null)
    : setExpiryAt(ctx, o.expire.unit, o.expire.value, replies.command);
  let old: Reply = NULL;
  if (o.get) {
    const current = stringAt(ctx, key);
    if (current !== undefined) old = bulk(current);
  }
  const found = lookup(ctx, key) !== undefined;
  if ((o.condition === "nx" && found) || (o.condition === "xx" && !found)) {
    return o.get ? old : replies.aborted;
  }
  storeString(ctx, keyOf(key), value, expiresAt);
  return o.get ? old : replies.ok;
}

const noOptions = (): StringOptions => ({ condition: null, get: false, keepTtl: false, persist: false, expire: null });

function setWithTtl(unit: "ex" | "px", name: string) {
  return (ctx: ExecContext, args: readonly Bytes[]): Reply => setGeneric(
    ctx, arg(args, 1), arg(args, 3), { ...noOptions(), expire: { unit, value: arg(args, 2) } },
    { command: name, ok: OK, aborted: NULL },
  );
}

/** GETRANGE's index arithmetic (getrangeCommand), on 64-bit integers. */
function getRange(value: Bytes, startArg: bigint, endArg: bigint): Reply {
  const length = BigInt(value.byteLength);
  let start = startArg;
  let end = endArg;
  if (start < 0n && end < 0n && start > end) return EMPTY_BULK;
  if (start < 0n) start += length;
  if (end < 0n) end += length;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= length) end = length - 1n;
  if (start > end || length === 0n) return EMPTY_BULK;
  return bulk(value.slice(Number(start), Number(end) + 1));
}

function getRangeCommand(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const start = int64Arg(args[2]);
  const end = int64Arg(args[3]);
  const value = stringAt(ctx, arg(args, 1));
  return value === undefined ? EMPTY_BULK : getRange(value, start, end);
}

function liveEntry(ctx: ExecContext, key: Bytes): KeyEntry | undefined {
  return lookup(ctx, key);
}

const readFast = ["readonly", "fast"];
const writeDenyOom = ["write", "denyoom"];

export const stringCommands: readonly RedisCommand[] = [
  command("get", 2, readFast, {
    keys: [1, 1, 1], group: "string", since: "1.0.0", summary: "Returns the string value of a key.",
    kind: "read",
    exec(ctx, args) {
      const value = stringAt(ctx, arg(args, 1));
      return value === undefined ? NULL : bulk(value);
    },
  }),
  command("set", -3, writeDenyOom, {
    keys: [1, 1, 1], group: "string", since: "1.0.0",
    summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
    kind: "write",
    exec(ctx, args) {
      const options = parseStringOptions(args, 3, "set");
      return setGeneric(ctx, arg(args, 1), arg(args, 2), options, { command: "set", ok: OK, aborted: NULL });
    },
  }),
  command("setnx", 3, [...writeDenyOom, "fast"], {
    keys: [1, 1, 1], group: "string", since: "1.0.0",
    summary: "Set the string value of a key only when the key doesn't exist.", kind: "write",
    exec: (ctx, args) => setGeneric(ctx, arg(args, 1), arg(args, 2), { ...noOptions(), condition: "nx" },
      { command: "setnx", ok: integer(1), aborted: integer(0) }),
  }),
  command("setex", 4, writeDenyOom, {
    keys: [1, 1, 1], group: "string", since: "2.0.0",
    summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
    kind: "write", exec: setWithTtl("ex", "setex"),
  }),
  command("psetex", 4, writeDenyOom, {
    keys: [1, 1, 1], group: "string", since: "2.6.0",
    summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
    kind: "write", exec: setWithTtl("px", "psetex"),
  }),
  command("getset", 3, [...writeDenyOom, "fast"], {
    keys: [1, 1, 1], group: "string", since: "1.0.0",
    summary: "Returns the previous string value of a key after setting it to a new value.", kind: "write",
    exec: (ctx, args) => setGeneric(ctx, arg(args, 1), arg(args, 2), { ...noOptions(), get: true },
      { command: "getset", ok: OK, aborted: NULL }),
  }),
  command("getdel", 2, ["write", "fast"], {
    keys: [1, 1, 1], group: "string", since: "6.2.0",
    summary: "Returns the string value of a key after deleting the key.", kind: "write",
    exec(ctx, args) {
      const value = stringAt(ctx, arg(args, 1));
      if (value === undefined) return NULL;
      ctx.db.remove(keyOf(arg(args, 1)), ctx.index);
      return bulk(value);
    },
  }),
  command("getex", -2, ["write", "fast"], {
    keys: [1, 1, 1], group: "string", since: "6.2.0",
    summary: "Returns the string value of a key after setting its expiration time.", kind: "write",
    exec(ctx, args) {
      const options = parseStringOptions(args, 2, "getex");
      const key = arg(args, 1);
      const entry = liveEntry(ctx, key);
      if (entry === undefined) return NULL;
      if (entry.value.type !== "string") return WRONGTYPE;
      const value = entry.value.value;
      const name = keyOf(key);
      if (options.expire !== null) {
        const at = setExpiryAt(ctx, options.expire.unit, options.expire.value, "getex");
        if (at <= ctx.nowMs) ctx.db.remove(name, ctx.index);
        else ctx.db.setExpiry(name, entry, at, ctx.index);
      } else if (options.persist && entry.expiresAtMs !== null) {
        ctx.db.setExpiry(name, entry, null, ctx.index);
      }
      return bulk(value);
    },
  }),
  command("mget", -2, readFast, {
    keys: [1, -1, 1], group: "string", since: "1.0.0",
    summary: "Atomically returns the string values of one or more keys.", kind: "read",
    exec(ctx, args) {
      return array(args.slice(1).map((key) => {
        const entry = liveEntry(ctx, key);
        return entry?.value.type === "string" ? bulk(entry.value.value) : NULL;
      }));
    },
  }),
  command("mset", -3, writeDenyOom, {
    keys: [1, -1, 2], group: "string", since: "1.0.1",
    summary: "Atomically creates or modifies the string values of one or more keys.", kind: "write",
    exec(ctx, args) {
      if (args.length % 2 === 0) return error("ERR wrong number of arguments for 'mset' command");
      for (let i = 1; i + 1 < args.length; i += 2) storeString(ctx, keyOf(arg(args, i)), arg(args, i + 1), null);
      return OK;
    },
  }),
  command("msetnx", -3, writeDenyOom, {
    keys: [1, -1, 2], group: "string", since: "1.0.1",
    summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.",
    kind: "write",
    exec(ctx, args) {
      if (args.length % 2 === 0) return error("ERR wrong number of arguments for 'msetnx' command");
      for (let i = 1; i < args.length; i += 2) if (lookup(ctx, arg(args, i)) !== undefined) return integer(0);
      for (let i = 1; i + 1 < args.length; i += 2) storeString(ctx, keyOf(arg(args, i)), arg(args, i + 1), null);
      return integer(1);
    },
  }),
  command("append", 3, writeDenyOom, {
    keys: [1, 1, 1], group: "string", since: "2.0.0",
    summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.", kind: "write",
    exec(ctx, args) {
      const key = arg(args, 1);
      const suffix = arg(args, 2);
      const current = stringAt(ctx, key);
      if (current === undefined) {
        storeString(ctx, keyOf(key), suffix, null);
        return integer(suffix.byteLength);
      }
      if (current.byteLength + suffix.byteLength > STRING_BYTES_MAX) return STRING_TOO_LONG;
      const joined = new Uint8Array(current.byteLength + suffix.byteLength);
      joined.set(current, 0);
      joined.set(suffix, current.byteLength);
      ctx.db.put(keyOf(key), { type: "string", value: joined }, ctx.index, "keep");
      return integer(joined.byteLength);
    },
  }),
  command("strlen", 2, readFast, {
    keys: [1, 1, 1], group: "string", since: "2.2.0", summary: "Returns the length of a string value.",
    kind: "read",
    exec: (ctx, args) => integer(stringAt(ctx, arg(args, 1))?.byteLength ?? 0),
  }),
  command("getrange", 4, ["readonly"], {
    keys: [1, 1, 1], group: "string", since: "2.4.0",
    summary: "Returns a substring of the string stored at a key.", kind: "read", exec: getRangeCommand,
  }),
  command("substr", 4, ["readonly"], {
    keys: [1, 1, 1], group: "string", since: "1.0.0",
    summary: "Returns a substring from a string value.", kind: "read", exec: getRangeCommand,
  }),
  command("setrange", 4, writeDenyOom, {
    keys: [1, 1, 1], group: "string", since: "2.2.0",
    summary: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
    kind: "write",
    exec(ctx, args) {
      const offsetArg = int64Arg(args[2]);
      if (offsetArg < 0n) return error("ERR offset is out of range");
      const key = arg(args, 1);
      const patch = arg(args, 3);
      const current = stringAt(ctx, key);
      if (patch.byteLength === 0) return integer(current?.byteLength ?? 0);
      if (offsetArg + BigInt(patch.byteLength) > BigInt(STRING_BYTES_MAX)) return STRING_TOO_LONG;
      const offset = Number(offsetArg);
      const length = Math.max(current?.byteLength ?? 0, offset + patch.byteLength);
      const next = new Uint8Array(length);
      if (current !== undefined) next.set(current, 0);
      next.set(patch, offset);
      ctx.db.put(keyOf(key), { type: "string", value: next }, ctx.index, "keep");
      return integer(length);
    },
  }),
  lcsCommand,
  ...stringCounterCommands,
];
