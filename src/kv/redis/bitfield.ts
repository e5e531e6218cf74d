/**
 * BITFIELD and BITFIELD_RO (bitops.c bitfieldGeneric): GET, SET and INCRBY of signed (i1..i64)
 * or unsigned (u1..u63) integers at any bit offset (`#N` = N times the width), with OVERFLOW
 * WRAP|SAT|FAIL applying to the operations after it. All arguments are checked before anything
 * changes; a write grows the string to the farthest bit written, as Redis does.
 */
import {
  arg, command, fail, int64Arg, lookupTyped, optionName, SYNTAX_ERROR,
  type ExecContext, type RedisCommand,
} from "./command.js";
import { keyOf, type Bytes } from "./keyspace.js";
import { NULL, array, error, integer, type Reply } from "./reply.js";
import { STRING_BYTES_MAX } from "./strings.js";
import { STRING_TOO_LONG, bitAt, bitOffsetArg, grownFor } from "./bit_args.js";

type Overflow = "wrap" | "sat" | "fail";

interface FieldOp {
  readonly op: "get" | "set" | "incrby";
  readonly signed: boolean;
  readonly bits: number;
  readonly offset: number;
  readonly value: bigint;
  readonly overflow: Overflow;
}

const TYPE_ERROR = error(
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
);

function fieldType(value: Bytes | undefined): { signed: boolean; bits: number } {
  const first = value?.[0];
  if (value === undefined || (first !== 0x69 && first !== 0x75)) fail(TYPE_ERROR);
  const signed = first === 0x69;
  const bits = int64Arg(value.subarray(1), TYPE_ERROR);
  if (bits < 1n || bits > (signed ? 64n : 63n)) fail(TYPE_ERROR);
  return { signed, bits: Number(bits) };
}

function parseOps(args: readonly Bytes[]): FieldOp[] {
  const ops: FieldOp[] = [];
  let overflow: Overflow = "wrap";
  for (let j = 2; j < args.length; j++) {
    const remaining = args.length - j - 1;
    const name = optionName(args[j]);
    if (name === "overflow" && remaining >= 1) {
      const kind = optionName(args[++j]);
      if (kind !== "wrap" && kind !== "sat" && kind !== "fail") fail(error("ERR Invalid OVERFLOW type specified"));
      overflow = kind;
      continue;
    }
    if (!((name === "get" && remaining >= 2) || ((name === "set" || name === "incrby") && remaining >= 3))) {
      fail(SYNTAX_ERROR);
    }
    const { signed, bits } = fieldType(args[j + 1]);
    const offset = bitOffsetArg(args[j + 2], bits);
    const value = name === "get" ? 0n : int64Arg(args[j + 3]);
    ops.push({ op: name, signed, bits, offset, value, overflow });
    j += name === "get" ? 2 : 3;
  }
  return ops;
}

function readField(bytes: Bytes, offset: number, bits: number, signed: boolean): bigint {
  let value = 0n;
  for (let i = 0; i < bits; i++) value = (value << 1n) | BigInt(bitAt(bytes, offset + i));
  return signed ? BigInt.asIntN(bits, value) : value;
}

function writeField(bytes: Uint8Array, offset: number, bits: number, value: bigint): void {
  const raw = BigInt.asUintN(bits, value);
  for (let i = 0; i < bits; i++) {
    const bit = Number((raw >> BigInt(bits - 1 - i)) & 1n);
    const at = offset + i;
    const mask = 1 << (7 - (at & 7));
    const index = at >>> 3;
    bytes[index] = bit === 1 ? (bytes[index] ?? 0) | mask : (bytes[index] ?? 0) & ~mask;
  }
}

/**
 * The value to store for `exact` (what SET asks for, or old + increment), or null when it
 * overflows under FAIL. An unsigned SET of a negative number is a huge uint64 in Redis: it
 * saturates to the maximum.
 */
function fitted(op: FieldOp, exact: bigint, negativeIsHuge: boolean): bigint | null {
  const max = op.signed ? (1n << BigInt(op.bits - 1)) - 1n : (1n << BigInt(op.bits)) - 1n;
  const min = op.signed ? -max - 1n : 0n;
  const high = exact > max || (negativeIsHuge && exact < 0n);
  if (!high && exact >= min) return exact;
  if (op.overflow === "fail") return null;
  if (op.overflow === "sat") return high ? max : min;
  return op.signed ? BigInt.asIntN(op.bits, exact) : BigInt.asUintN(op.bits, exact);
}

function bitfield(ctx: ExecContext, args: readonly Bytes[], readOnly: boolean): Reply {
  const ops = parseOps(args);
  const writes = ops.filter((o) => o.op !== "get");
  if (writes.length > 0 && readOnly) return error("ERR BITFIELD_RO only supports the GET subcommand");
  const key = arg(args, 1);
  const current = lookupTyped(ctx, key, "string");
  if (writes.length === 0) {
    return array(ops.map((o) => integer(current === undefined ? 0n : readField(current, o.offset, o.bits, o.signed))));
  }
  const highest = Math.max(...writes.map((o) => o.offset + o.bits - 1));
  if (highest >= STRING_BYTES_MAX * 8) return STRING_TOO_LONG;
  const bytes = grownFor(current, highest);
  const replies = ops.map((o): Reply => {
    const old = readField(bytes, o.offset, o.bits, o.signed);
    if (o.op === "get") return integer(old);
    const next = o.op === "set" ? fitted(o, o.value, !o.signed) : fitted(o, old + o.value, false);
    if (next === null) return NULL;
    writeField(bytes, o.offset, o.bits, next);
    return integer(o.op === "set" ? old : next);
  });
  ctx.db.put(keyOf(key), { type: "string", value: bytes }, ctx.index, "keep");
  return array(replies);
}

export const bitfieldCommands: readonly RedisCommand[] = [
  command("bitfield", -2, ["write", "denyoom"], {
    group: "bitmap", keys: [1, 1, 1], since: "3.2.0", kind: "write",
    summary: "Performs arbitrary bitfield integer operations on strings.",
    exec: (ctx, args) => bitfield(ctx, args, false),
  }),
  command("bitfield_ro", -2, ["readonly", "fast"], {
    group: "bitmap", keys: [1, 1, 1], since: "6.0.0", kind: "read",
    summary: "Performs arbitrary read-only bitfield integer operations on strings.",
    exec: (ctx, args) => bitfield(ctx, args, true),
  }),
];
