/**
 * Bit commands on strings (bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP; BITFIELD and
 * BITFIELD_RO are in bitfield.ts. Bit 0 is the most significant bit of the first byte. Replies
 * and error texts are Redis 7's. One deliberate difference: a write may not grow a string past
 * STRING_BYTES_MAX (16 MiB, see strings.ts), answered with Redis's proto-max-bulk-len error;
 * offsets up to Redis's own limit (512 MiB) are accepted by reads.
 */
import {
  arg, command, fail, int64Arg, lookup, lookupTyped, optionName, SYNTAX_ERROR, WRONGTYPE,
  type ExecContext, type RedisCommand,
} from "./command.js";
import { keyOf, type Bytes } from "./keyspace.js";
import { error, integer, type Reply } from "./reply.js";
import { STRING_BYTES_MAX } from "./strings.js";
import { bitfieldCommands } from "./bitfield.js";
import { BIT_VALUE_ERROR, STRING_TOO_LONG, bitAt, bitOffsetArg, grownFor } from "./bit_args.js";

function popcount(byte: number): number {
  let n = byte - ((byte >> 1) & 0x55);
  n = (n & 0x33) + ((n >> 2) & 0x33);
  return (n + (n >> 4)) & 0x0f;
}

/** A range of bits [first, last] as BITCOUNT / BITPOS resolve start, end and BYTE|BIT. */
interface BitRange { readonly first: number; readonly last: number }

/** Redis's index normalisation (negative from the end, clamped); null when empty. */
function bitRange(length: number, start: bigint, end: bigint, isBit: boolean): BitRange | null {
  const total = BigInt(isBit ? length * 8 : length);
  let s = start < 0n ? total + start : start;
  let e = end < 0n ? total + end : end;
  if (s < 0n) s = 0n;
  if (e < 0n) e = 0n;
  if (e >= total) e = total - 1n;
  if (s > e) return null;
  return isBit
    ? { first: Number(s), last: Number(e) }
    : { first: Number(s) * 8, last: Number(e) * 8 + 7 };
}

function unitArg(value: Bytes | undefined): boolean {
  const unit = optionName(value);
  if (unit === "bit") return true;
  if (unit === "byte") return false;
  return fail(SYNTAX_ERROR);
}

function stringAt(ctx: ExecContext, key: Bytes): Bytes | undefined {
  return lookupTyped(ctx, key, "string");
}

function bitcount(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const value = stringAt(ctx, arg(args, 1));
  if (value === undefined) return integer(0);
  let range: BitRange | null;
  if (args.length === 4 || args.length === 5) {
    const start = int64Arg(args[2]);
    const end = int64Arg(args[3]);
    const isBit = args.length === 5 && unitArg(args[4]);
    if (start < 0n && end < 0n && start > end) return integer(0);
    range = bitRange(value.byteLength, start, end, isBit);
  } else if (args.length === 2) {
    range = value.byteLength === 0 ? null : { first: 0, last: value.byteLength * 8 - 1 };
  } else {
    return SYNTAX_ERROR;
  }
  if (range === null) return integer(0);
  let count = 0;
  let bit = range.first;
  for (; bit <= range.last && (bit & 7) !== 0; bit++) count += bitAt(value, bit);
  for (; bit + 7 <= range.last; bit += 8) count += popcount(value[bit >>> 3] ?? 0);
  for (; bit <= range.last; bit++) count += bitAt(value, bit);
  return integer(count);
}

function bitpos(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const wanted = int64Arg(args[2]);
  if (wanted !== 0n && wanted !== 1n) return error("ERR The bit argument must be 1 or 0.");
  const bit = Number(wanted);
  const entry = lookup(ctx, arg(args, 1));
  if (entry === undefined) return integer(bit === 1 ? -1 : 0);
  if (entry.value.type !== "string") return WRONGTYPE;
  const value = entry.value.value;
  let range: BitRange | null;
  let endGiven = false;
  if (args.length >= 4 && args.length <= 6) {
    const start = int64Arg(args[3]);
    const isBit = args.length === 6 && unitArg(args[5]);
    let end: bigint;
    if (args.length >= 5) {
      end = int64Arg(args[4]);
      endGiven = true;
    } else {
      end = isBit ? BigInt(value.byteLength * 8 + 7) : BigInt(value.byteLength - 1);
    }
    range = bitRange(value.byteLength, start, end, isBit);
  } else if (args.length === 3) {
    range = value.byteLength === 0 ? null : { first: 0, last: value.byteLength * 8 - 1 };
  } else {
    return SYNTAX_ERROR;
  }
  if (range === null) return integer(-1);
  const skip = bit === 1 ? 0x00 : 0xff; // a whole byte without the bit looked for
  for (let i = range.first; i <= range.last; i++) {
    if ((i & 7) === 0 && i + 7 <= range.last && value[i >>> 3] === skip) {
      i += 7;
      continue;
    }
    if (bitAt(value, i) === bit) return integer(i);
  }
  // Not found: looking for a 0 without an explicit end, the string is zero-padded on the right.
  return integer(bit === 0 && !endGiven ? range.last + 1 : -1);
}

type BitOp = "and" | "or" | "xor" | "not";

function bitop(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const op = optionName(args[1]);
  if (op !== "and" && op !== "or" && op !== "xor" && op !== "not") return SYNTAX_ERROR;
  if (op === "not" && args.length !== 4) return error("ERR BITOP NOT must be called with a single source key.");
  const sources: (Bytes | undefined)[] = [];
  for (let j = 3; j < args.length; j++) sources.push(stringAt(ctx, arg(args, j)));
  const length = Math.max(0, ...sources.map((s) => s?.byteLength ?? 0));
  const target = keyOf(arg(args, 2));
  if (length === 0) {
    ctx.db.remove(target, ctx.index);
    return integer(0);
  }
  const result = new Uint8Array(length);
  for (let i = 0; i < length; i++) result[i] = combine(op, sources, i);
  ctx.db.put(target, { type: "string", value: result }, ctx.index, null);
  return integer(length);
}

function combine(op: BitOp, sources: readonly (Bytes | undefined)[], i: number): number {
  let acc = sources[0]?.[i] ?? 0;
  if (op === "not") return ~acc & 0xff;
  for (let j = 1; j < sources.length; j++) {
    const byte = sources[j]?.[i] ?? 0;
    acc = op === "and" ? acc & byte : op === "or" ? acc | byte : acc ^ byte;
  }
  return acc;
}

const bitmap = { group: "bitmap" } as const;

export const bitCommands: readonly RedisCommand[] = [
  command("setbit", 4, ["write", "denyoom"], {
    ...bitmap, keys: [1, 1, 1], since: "2.2.0", kind: "write",
    summary: "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.",
    exec(ctx, args) {
      const offset = bitOffsetArg(args[2]);
      const on = int64Arg(args[3], BIT_VALUE_ERROR);
      if (on !== 0n && on !== 1n) return BIT_VALUE_ERROR;
      const key = arg(args, 1);
      const current = stringAt(ctx, key);
      if (offset >= STRING_BYTES_MAX * 8) return STRING_TOO_LONG;
      const old = current === undefined ? 0 : bitAt(current, offset);
      const grows = current === undefined || offset >>> 3 >= current.byteLength;
      if (!grows && old === Number(on)) return integer(old);
      const next = grownFor(current, offset);
      const mask = 1 << (7 - (offset & 7));
      const index = offset >>> 3;
      next[index] = on === 1n ? (next[index] ?? 0) | mask : (next[index] ?? 0) & ~mask;
      ctx.db.put(keyOf(key), { type: "string", value: next }, ctx.index, "keep");
      return integer(old);
    },
  }),
  command("getbit", 3, ["readonly", "fast"], {
    ...bitmap, keys: [1, 1, 1], since: "2.2.0", kind: "read", summary: "Returns a bit value by offset.",
    exec(ctx, args) {
      const offset = bitOffsetArg(args[2]);
      const value = stringAt(ctx, arg(args, 1));
      return integer(value === undefined ? 0 : bitAt(value, offset));
    },
  }),
  command("bitcount", -2, ["readonly"], {
    ...bitmap, keys: [1, 1, 1], since: "2.6.0", kind: "read",
    summary: "Counts the number of set bits (population counting) in a string.", exec: bitcount,
  }),
  command("bitpos", -3, ["readonly"], {
    ...bitmap, keys: [1, 1, 1], since: "2.8.7", kind: "read",
    summary: "Finds the first set (1) or clear (0) bit in a string.", exec: bitpos,
  }),
  command("bitop", -4, ["write", "denyoom"], {
    ...bitmap, keys: [2, -1, 1], since: "2.6.0", kind: "write",
    summary: "Performs bitwise operations on multiple strings, and stores the result.", exec: bitop,
  }),
  ...bitfieldCommands,
];
