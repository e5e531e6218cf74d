/**
 * The order in which Redis 7.0 answers a whole set, where that order is fixed: a set Redis keeps
 * as an intset (at most 512 members, all 64-bit integers) iterates in ascending numeric order
 * (SMEMBERS, SSCAN, SINTER/SUNION/SDIFF results, SPOP or SRANDMEMBER of the whole set). Any
 * other set keeps the replicated insertion order (Redis's hash table order is arbitrary).
 */
import { parseStrictInt64 } from "./collection_write.js";
import { bytesOf } from "./keyspace.js";

/** Redis's set-max-intset-entries. */
const INTSET_ENTRIES_MAX = 512;

/** `values` in the order Redis answers them (see above). */
export function wholeSetOrder(values: Iterable<string>): string[] {
  const list = [...values];
  if (list.length > INTSET_ENTRIES_MAX || !list.every(isInt64Text)) return list;
  return list.sort((a, b) => {
    const d = BigInt(a) - BigInt(b);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
}

function isInt64Text(member: string): boolean {
  return parseStrictInt64(bytesOf(member)) !== null;
}

/** Whether Redis 7.0 would keep this set as an intset (SSCAN then answers it whole). */
export function isIntset(value: Set<string>): boolean {
  if (value.size > INTSET_ENTRIES_MAX) return false;
  for (const member of value) if (!isInt64Text(member)) return false;
  return true;
}
