/**
 * The counters on string values: INCR, INCRBY, DECR, DECRBY (64-bit integers, Redis's overflow
 * errors), INCRBYFLOAT (long double arithmetic and formatting, see float_format.ts) and raftkv's
 * CAS. Every counter keeps the key's TTL, as Redis does.
 */
import {
  arg, command, fail, int64Arg, lookupTyped, NOT_FLOAT, NOT_INTEGER, type ExecContext, type RedisCommand,
} from "./command.js";
import { INT64_MAX, INT64_MIN } from "./expire_time.js";
import { addLongDouble, formatLongDoubleHuman, isFinite, parseLongDouble } from "./float_format.js";
import { keyOf, type Bytes } from "./keyspace.js";
import { bulk, error, integer, type Reply } from "./reply.js";

const latin1 = (b: Bytes): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");

/** A stored value as string2ll reads it: no sign but '-', no leading zero, no "-0". */
const storedIntegerPattern = /^(0|-?[1-9][0-9]{0,18})$/;

function storedInteger(value: Bytes): bigint {
  if (value.byteLength > 20) fail(NOT_INTEGER);
  const text = latin1(value);
  if (!storedIntegerPattern.test(text)) fail(NOT_INTEGER);
  const n = BigInt(text);
  if (n > INT64_MAX || n < INT64_MIN) fail(NOT_INTEGER);
  return n;
}

/** incrDecrCommand: adds `delta` to the integer at `key` (absent is 0). */
function incrBy(ctx: ExecContext, key: Bytes, delta: bigint): Reply {
  const current = lookupTyped(ctx, key, "string");
  const old = current === undefined ? 0n : storedInteger(current);
  const value = old + delta;
  if (value > INT64_MAX || value < INT64_MIN) return error("ERR increment or decrement would overflow");
  ctx.db.put(keyOf(key), { type: "string", value: Buffer.from(value.toString()) }, ctx.index, "keep");
  return integer(value);
}

const counterFlags = ["write", "denyoom", "fast"];

export const stringCounterCommands: readonly RedisCommand[] = [
  command("incr", 2, counterFlags, {
    keys: [1, 1, 1], group: "string", since: "1.0.0",
    summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    kind: "write", exec: (ctx, args) => incrBy(ctx, arg(args, 1), 1n),
  }),
  command("decr", 2, counterFlags, {
    keys: [1, 1, 1], group: "string", since: "1.0.0",
    summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
    kind: "write", exec: (ctx, args) => incrBy(ctx, arg(args, 1), -1n),
  }),
  command("incrby", 3, counterFlags, {
    keys: [1, 1, 1], group: "string", since: "1.0.0",
    summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    kind: "write", exec: (ctx, args) => incrBy(ctx, arg(args, 1), int64Arg(args[2])),
  }),
  command("decrby", 3, counterFlags, {
    keys: [1, 1, 1], group: "string", since: "1.0.0",
    summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
    kind: "write",
    exec(ctx, args) {
      const delta = int64Arg(args[2]);
      if (delta === INT64_MIN) return error("ERR decrement would overflow");
      return incrBy(ctx, arg(args, 1), -delta);
    },
  }),
  command("incrbyfloat", 3, counterFlags, {
    keys: [1, 1, 1], group: "string", since: "2.6.0",
    summary: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
    kind: "write",
    exec(ctx, args) {
      const key = arg(args, 1);
      const current = lookupTyped(ctx, key, "string");
      const old = current === undefined ? parseLongDouble("0") : parseLongDouble(latin1(current));
      const delta = parseLongDouble(latin1(arg(args, 2)));
      if (old === null || delta === null) return NOT_FLOAT;
      const sum = addLongDouble(old, delta);
      if (!isFinite(sum)) return error("ERR increment would produce NaN or Infinity");
      const text = Buffer.from(formatLongDoubleHuman(sum), "latin1");
      ctx.db.put(keyOf(key), { type: "string", value: text }, ctx.index, "keep");
      return bulk(text);
    },
  }),
  command("cas", 4, ["write", "denyoom"], {
    keys: [1, 1, 1], group: "string", since: "1.0.0",
    summary: "raftkv: sets a key to new if it holds expected (1), else changes nothing (0).",
    kind: "write",
    exec(ctx, args) {
      const key = arg(args, 1);
      const current = lookupTyped(ctx, key, "string");
      if (current === undefined || Buffer.compare(Buffer.from(current), Buffer.from(arg(args, 2))) !== 0) {
        return integer(0);
      }
      ctx.db.put(keyOf(key), { type: "string", value: Uint8Array.from(arg(args, 3)) }, ctx.index, null);
      return integer(1);
    },
  }),
];
