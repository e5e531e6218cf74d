/**
 * What the hash and set commands share: typed lookups of whole entries, creating a collection,
 * recording an in-place change (removing a collection left empty, as Redis does), the memory
 * estimate of one element (the same as `valueBytes` in keyspace.ts), and the random-count
 * argument of HRANDFIELD and SRANDMEMBER.
 */
import { error, type Reply } from "./reply.js";
import { fail, lookup, NOT_INTEGER, WRONGTYPE, type ExecContext } from "./command.js";
import { forgetScanOrder } from "./scan_order.js";
import { keyOf, type Bytes, type KeyEntry, type RedisType, type ValueOf } from "./keyspace.js";

/** At most this many elements in the reply of a negative (repeating) random count. */
export const RANDOM_REPEAT_COUNT_MAX = 1_048_576;

export interface TypedEntry<T extends RedisType> {
  readonly entry: KeyEntry;
  readonly value: ValueOf<T>;
}

/**
 * The entry at `key` with its value if it has type `type`, undefined if absent.
 * @throws CommandError WRONGTYPE when the key holds another type.
 */
export function lookupEntry<T extends RedisType>(
  ctx: ExecContext, key: Bytes, type: T,
): TypedEntry<T> | undefined {
  const entry = lookup(ctx, key);
  if (entry === undefined) return undefined;
  if (entry.value.type !== type) fail(WRONGTYPE);
  return { entry, value: entry.value.value as unknown as ValueOf<T> };
}

/** Stores a new, empty hash at `key` (the caller fills it, then calls `noteChanged`). */
export function createHash(ctx: ExecContext, key: Bytes): TypedEntry<"hash"> {
  const value = new Map<string, Bytes>();
  const entry = ctx.db.put(keyOf(key), { type: "hash", value }, ctx.index, null);
  return { entry, value };
}

/** Stores a new, empty set at `key` (the caller fills it, then calls `noteChanged`). */
export function createSet(ctx: ExecContext, key: Bytes): TypedEntry<"set"> {
  const value = new Set<string>();
  const entry = ctx.db.put(keyOf(key), { type: "set", value }, ctx.index, null);
  return { entry, value };
}

/** Records an in-place change of `entry` by `deltaBytes`; a collection left empty is removed. */
export function noteChanged(
  ctx: ExecContext, key: Bytes | string, entry: KeyEntry, deltaBytes: number,
): void {
  const name = typeof key === "string" ? key : keyOf(key);
  forgetScanOrder(entry);
  const value = entry.value;
  const size = value.type === "hash" || value.type === "set" ? value.value.size : 1;
  if (size === 0) ctx.db.remove(name, ctx.index);
  else ctx.db.changed(name, entry, ctx.index, deltaBytes);
}

/** The memory estimate of one hash field (keyspace.ts `valueBytes`). */
export function fieldBytes(field: string, value: Bytes): number {
  return field.length + value.byteLength + 16;
}

/** The memory estimate of one set member (keyspace.ts `valueBytes`). */
export function memberBytes(member: string): number {
  return member.length + 16;
}

const LONG_MAX = 2n ** 63n - 1n;
const INT_TEXT = /^(0|-?[1-9][0-9]{0,18})$/;

/**
 * A signed 64-bit integer exactly as Redis's string2ll reads it (no '+', no spaces, no "-0"),
 * or null. (command.ts's parseInt64 also takes "-0", which Redis refuses.)
 */
export function parseStrictInt64(value: Bytes | undefined): bigint | null {
  if (value === undefined || value.byteLength > 20) return null;
  const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1");
  if (!INT_TEXT.test(text)) return null;
  const n = BigInt(text);
  return n < -LONG_MAX - 1n || n > LONG_MAX ? null : n;
}

/** As `parseStrictInt64`, throwing NOT_INTEGER (or `reply`) when it is not one. */
export function strictInt64Arg(value: Bytes | undefined, reply: Reply = NOT_INTEGER): bigint {
  const n = parseStrictInt64(value);
  if (n === null) fail(reply);
  return n;
}

/**
 * The count of HRANDFIELD / SRANDMEMBER: any long but LONG_MIN, as Redis's
 * getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) reads it. A negative count (repeats
 * allowed) whose reply would exceed RANDOM_REPEAT_COUNT_MAX elements is refused here (Redis
 * would try to build it).
 */
export function randomCountArg(value: Bytes | undefined): bigint {
  const n = strictInt64Arg(value);
  if (n < -LONG_MAX) {
    fail(error(`ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`));
  }
  return n;
}

/** Refuses a repeating count whose reply would be too large (see RANDOM_REPEAT_COUNT_MAX). */
export function checkRepeatCount(elements: bigint): void {
  if (elements > BigInt(RANDOM_REPEAT_COUNT_MAX)) {
    fail(error(`ERR count is out of range, at most ${RANDOM_REPEAT_COUNT_MAX} repeated elements`));
  }
}

/**
 * `count` distinct positions in [0, size) drawn with `ctx.random` (a partial Fisher-Yates
 * shuffle), in the order drawn. Requires count < size.
 */
export function distinctPositions(ctx: ExecContext, size: number, count: number): number[] {
  const swapped = new Map<number, number>();
  const picked: number[] = [];
  for (let i = 0; i < count; i++) {
    const j = i + ctx.random.nextInt(size - i);
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    picked.push(atJ);
  }
  return picked;
}
