/**
 * What the bit commands share (bitops.c): the bit offset argument (`#N` for BITFIELD), reading a
 * bit, growing a string to hold one, and their error replies.
 */
import { fail, int64Arg } from "./command.js";
import type { Bytes } from "./keyspace.js";
import { error } from "./reply.js";

export const BIT_OFFSET_ERROR = error("ERR bit offset is not an integer or out of range");
export const BIT_VALUE_ERROR = error("ERR bit is not an integer or out of range");
export const STRING_TOO_LONG = error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
/** Redis's proto-max-bulk-len (512 MiB): the bound of every bit offset, in bytes. */
const PROTO_MAX_BULK_LEN = 512n * 1024n * 1024n;

/**
 * A bit offset as getBitOffsetFromArgument reads it; `#N` (when `hashBits` > 0) is N * hashBits.
 * @throws CommandError "bit offset is not an integer or out of range".
 */
export function bitOffsetArg(value: Bytes | undefined, hashBits = 0): number {
  let bytes = value;
  const hashed = hashBits > 0 && value !== undefined && value[0] === 0x23;
  if (hashed) bytes = value.subarray(1);
  let offset = int64Arg(bytes, BIT_OFFSET_ERROR);
  if (hashed) offset = BigInt.asIntN(64, offset * BigInt(hashBits));
  if (offset < 0n || offset >> 3n >= PROTO_MAX_BULK_LEN) fail(BIT_OFFSET_ERROR);
  return Number(offset);
}

/** The bit at `offset` of `bytes` (0 past the end). */
export function bitAt(bytes: Bytes, offset: number): number {
  const byte = bytes[offset >>> 3] ?? 0;
  return (byte >> (7 - (offset & 7))) & 1;
}

/** `bytes` zero-padded to hold bit `offset` (a copy: stored values are never shared). */
export function grownFor(bytes: Bytes | undefined, offset: number): Uint8Array {
  const length = Math.max(bytes?.byteLength ?? 0, Math.floor(offset / 8) + 1);
  const next = new Uint8Array(length);
  if (bytes !== undefined) next.set(bytes, 0);
  return next;
}
