/**
 * Hash commands, as Redis 7.0 answers them (replies, RESP3 types and error texts). A hash is a
 * Map from field (latin1) to value bytes, in insertion order (replicated, so every replica
 * iterates alike); HRANDFIELD and HSCAN are in hash_iteration.ts,
 * HINCRBYFLOAT's long double arithmetic in extended_float.ts.
 */
import {
  arg, command, fail, lookupTyped, type ExecContext, type RedisCommand,
} from "./command.js";
import {
  createHash, fieldBytes, lookupEntry, noteChanged, parseStrictInt64, strictInt64Arg, type TypedEntry,
} from "./collection_write.js";
import { hrandfieldCommand, hscanCommand } from "./hash_iteration.js";
import { addLongDouble, formatLongDoubleHuman, isFinite, parseLongDouble } from "./float_format.js";
import { bytesOf, keyOf, type Bytes } from "./keyspace.js";
import {
  NULL, OK, array, bulk, error, integer, mapOf, type Reply,
} from "./reply.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The hash at `key` for a write, created empty when absent (after validation only). */
function hashForWrite(ctx: ExecContext, key: Bytes): TypedEntry<"hash"> {
  return lookupEntry(ctx, key, "hash") ?? createHash(ctx, key);
}

/** Sets `field` to a copy of `value`; returns whether the field is new and the size change. */
function setField(
  map: Map<string, Bytes>, field: string, value: Bytes,
): { added: boolean; delta: number } {
  const old = map.get(field);
  const copy = Uint8Array.from(value);
  map.set(field, copy);
  return old === undefined
    ? { added: true, delta: fieldBytes(field, copy) }
    : { added: false, delta: copy.byteLength - old.byteLength };
}

/** HSET and HMSET: field/value pairs from args[2]. */
function setPairs(ctx: ExecContext, args: readonly Bytes[], name: string): number {
  if (args.length % 2 === 1) fail(error(`ERR wrong number of arguments for '${name}' command`));
  const key = arg(args, 1);
  const { entry, value } = hashForWrite(ctx, key);
  let added = 0;
  let delta = 0;
  for (let i = 2; i + 1 < args.length; i += 2) {
    const change = setField(value, keyOf(arg(args, i)), arg(args, i + 1));
    if (change.added) added++;
    delta += change.delta;
  }
  noteChanged(ctx, key, entry, delta);
  return added;
}

const text = (value: Bytes): string =>
  Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1");

const base = { group: "hash", keys: [1, 1, 1] as const };

export const hashCommands: readonly RedisCommand[] = [
  command("hset", -4, ["write", "denyoom", "fast"], {
    ...base, since: "2.0.0", kind: "write", summary: "Creates or modifies the value of a field in a hash.",
    exec: (ctx, args) => integer(setPairs(ctx, args, "hset")),
  }),
  command("hmset", -4, ["write", "denyoom", "fast"], {
    ...base, since: "2.0.0", summary: "Sets the values of multiple fields.", kind: "write",
    exec(ctx, args) {
      setPairs(ctx, args, "hmset");
      return OK;
    },
  }),
  command("hsetnx", 4, ["write", "denyoom", "fast"], {
    ...base, since: "2.0.0", kind: "write",
    summary: "Sets the value of a field in a hash only when the field doesn't exist.",
    exec(ctx, args) {
      const key = arg(args, 1);
      const field = keyOf(arg(args, 2));
      const found = lookupEntry(ctx, key, "hash");
      if (found?.value.has(field) === true) return integer(0);
      const { entry, value } = found ?? createHash(ctx, key);
      noteChanged(ctx, key, entry, setField(value, field, arg(args, 3)).delta);
      return integer(1);
    },
  }),
  command("hget", 3, ["readonly", "fast"], {
    ...base, since: "2.0.0", summary: "Returns the value of a field in a hash.", kind: "read",
    exec(ctx, args) {
      const value = lookupTyped(ctx, arg(args, 1), "hash")?.get(keyOf(arg(args, 2)));
      return value === undefined ? NULL : bulk(value);
    },
  }),
  command("hmget", -3, ["readonly", "fast"], {
    ...base, since: "2.0.0", summary: "Returns the values of all fields in a hash.", kind: "read",
    exec(ctx, args) {
      const map = lookupTyped(ctx, arg(args, 1), "hash");
      return array(args.slice(2).map((field) => {
        const value = map?.get(keyOf(field));
        return value === undefined ? NULL : bulk(value);
      }));
    },
  }),
  command("hdel", -3, ["write", "fast"], {
    ...base, since: "2.0.0", kind: "write", summary: "Deletes one or more fields and their values from a hash.",
    exec(ctx, args) {
      const key = arg(args, 1);
      const found = lookupEntry(ctx, key, "hash");
      if (found === undefined) return integer(0);
      let deleted = 0;
      let delta = 0;
      for (const raw of args.slice(2)) {
        const field = keyOf(raw);
        const old = found.value.get(field);
        if (old === undefined) continue;
        found.value.delete(field);
        deleted++;
        delta -= fieldBytes(field, old);
      }
      if (deleted > 0) noteChanged(ctx, key, found.entry, delta);
      return integer(deleted);
    },
  }),
  command("hexists", 3, ["readonly", "fast"], {
    ...base, since: "2.0.0", summary: "Determines whether a field exists in a hash.", kind: "read",
    exec: (ctx, args) =>
      integer(lookupTyped(ctx, arg(args, 1), "hash")?.has(keyOf(arg(args, 2))) === true ? 1 : 0),
  }),
  command("hlen", 2, ["readonly", "fast"], {
    ...base, since: "2.0.0", summary: "Returns the number of fields in a hash.", kind: "read",
    exec: (ctx, args) => integer(lookupTyped(ctx, arg(args, 1), "hash")?.size ?? 0),
  }),
  command("hstrlen", 3, ["readonly", "fast"], {
    ...base, since: "3.2.0", summary: "Returns the length of the value of a field.", kind: "read",
    exec: (ctx, args) =>
      integer(lookupTyped(ctx, arg(args, 1), "hash")?.get(keyOf(arg(args, 2)))?.byteLength ?? 0),
  }),
  command("hkeys", 2, ["readonly"], {
    ...base, since: "2.0.0", summary: "Returns all fields in a hash.", kind: "read",
    exec(ctx, args) {
      const map = lookupTyped(ctx, arg(args, 1), "hash");
      return array([...(map?.keys() ?? [])].map((field) => bulk(bytesOf(field))));
    },
  }),
  command("hvals", 2, ["readonly"], {
    ...base, since: "2.0.0", summary: "Returns all values in a hash.", kind: "read",
    exec(ctx, args) {
      const map = lookupTyped(ctx, arg(args, 1), "hash");
      return array([...(map?.values() ?? [])].map((value) => bulk(value)));
    },
  }),
  command("hgetall", 2, ["readonly"], {
    ...base, since: "2.0.0", summary: "Returns all fields and values in a hash.", kind: "read",
    exec(ctx, args) {
      const map = lookupTyped(ctx, arg(args, 1), "hash");
      const pairs = [...(map ?? [])];
      return mapOf(pairs.map(([field, value]) => [bulk(bytesOf(field)), bulk(value)] as const));
    },
  }),
  command("hincrby", 4, ["write", "denyoom", "fast"], {
    ...base, since: "2.0.0", summary: "Increments the integer value of a field in a hash by a number.",
    kind: "write",
    exec(ctx, args) {
      const incr = strictInt64Arg(arg(args, 3));
      const key = arg(args, 1);
      const field = keyOf(arg(args, 2));
      const found = lookupEntry(ctx, key, "hash");
      const old = found?.value.get(field);
      const current = old === undefined ? 0n : parseStrictInt64(old);
      if (current === null) fail(error("ERR hash value is not an integer"));
      const next = current + incr;
      if (next < INT64_MIN || next > INT64_MAX) fail(error("ERR increment or decrement would overflow"));
      const { entry, value } = found ?? createHash(ctx, key);
      noteChanged(ctx, key, entry, setField(value, field, Buffer.from(next.toString())).delta);
      return integer(next);
    },
  }),
  command("hincrbyfloat", 4, ["write", "denyoom", "fast"], {
    ...base, since: "2.6.0", summary: "Increments the floating point value of a field by a number.",
    kind: "write",
    exec: (ctx, args) => incrByFloat(ctx, args),
  }),
  hrandfieldCommand,
  hscanCommand,
];

/** HINCRBYFLOAT in long double arithmetic (float_format.ts), checks in Redis's order. */
function incrByFloat(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const incr = parseLongDouble(text(arg(args, 3)));
  if (incr === null) fail(error("ERR value is not a valid float"));
  if (incr.kind === "inf") fail(error("ERR value is NaN or Infinity"));
  const key = arg(args, 1);
  const field = keyOf(arg(args, 2));
  const found = lookupEntry(ctx, key, "hash");
  const old = found?.value.get(field);
  const current = old === undefined ? parseLongDouble("0") : parseLongDouble(text(old));
  if (current === null) fail(error("ERR hash value is not a float"));
  const sum = addLongDouble(current, incr);
  if (!isFinite(sum)) fail(error("ERR increment would produce NaN or Infinity"));
  const formatted = Buffer.from(formatLongDoubleHuman(sum), "latin1");
  const { entry, value } = found ?? createHash(ctx, key);
  noteChanged(ctx, key, entry, setField(value, field, formatted).delta);
  return bulk(formatted);
}
