/**
 * Argument readers the list and sorted-set commands share, with Redis 7.0's error texts
 * (getRangeLongFromObjectOrReply, getPositiveLongFromObjectOrReply) and the bookkeeping after an
 * in-place change of a collection.
 */
import { fail, int64Arg, NOT_INTEGER, optionName, SYNTAX_ERROR, type ExecContext } from "./command.js";
import type { Bytes, KeyEntry } from "./keyspace.js";
import { error, type Reply } from "./reply.js";

const LONG_MAX = 2n ** 63n - 1n;

/**
 * An integer in [min, max] as getRangeLongFromObjectOrReply reads it: with `message`, both a
 * non-integer and an out-of-range value answer "ERR <message>"; without, Redis's defaults.
 */
export function rangeLongArg(value: Bytes, min: bigint, max: bigint, message?: string): number {
  const reply: Reply = message === undefined ? NOT_INTEGER : error(`ERR ${message}`);
  const n = int64Arg(value, reply);
  if (n < min || n > max) {
    fail(message === undefined ? error(`ERR value is out of range, value must between ${min} and ${max}`) : reply);
  }
  return clampSafe(n);
}

/** A count >= 0 (getPositiveLongFromObjectOrReply): "ERR value is out of range, must be positive". */
/**
 * The `COUNT n` option that may follow the last argument of LMPOP and ZMPOP (from `at` on):
 * the count, or null when absent. @throws CommandError syntax error, or Redis's range error.
 */
export function mpopCountArg(args: readonly Bytes[], at: number): number | null {
  let count: number | null = null;
  for (let j = at; j < args.length; j += 2) {
    const value = args[j + 1];
    if (count !== null || optionName(args[j]) !== "count" || value === undefined) fail(SYNTAX_ERROR);
    count = rangeLongArg(value, 1n, LONG_MAX, "count should be greater than 0");
  }
  return count;
}

export function positiveLongArg(value: Bytes, message = "value is out of range, must be positive"): number {
  return rangeLongArg(value, 0n, LONG_MAX, message);
}

/** Beyond 2^53 every collection is shorter, so clamping keeps every answer. */
export function clampSafe(n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (n < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(n);
}

/**
 * Records an in-place change of a collection at `key`: removes the key when the collection is
 * empty (Redis keeps no empty collections), else updates the modification index and memory.
 */
export function noteCollectionChange(
  ctx: ExecContext, key: string, change: { entry: KeyEntry; size: number; deltaBytes: number },
): void {
  if (change.size === 0) ctx.db.remove(key, ctx.index);
  else ctx.db.changed(key, change.entry, ctx.index, change.deltaBytes);
}
