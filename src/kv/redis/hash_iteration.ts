/**
 * HRANDFIELD and HSCAN: the hash commands that visit a sample or a page of a hash. Random
 * choices come from `ctx.random` (seeded; a read's own seed, or the entry's inside a
 * transaction), scan pages from collection_scan.ts.
 */
import {
  arg, command, fail, lookupTyped, optionName, SYNTAX_ERROR, type ExecContext, type RedisCommand,
} from "./command.js";
import {
  checkRepeatCount, distinctPositions, lookupEntry, randomCountArg,
} from "./collection_write.js";
import {
  EMPTY_SCAN, globMatch, parseCursor, parseScanOptions, scanPage,
} from "./collection_scan.js";
import { bytesOf, type Bytes } from "./keyspace.js";
import { NULL, array, bulk, error, pairs, type Reply } from "./reply.js";

const LONG_MAX = 2n ** 63n - 1n;
/** Redis's hash-max-listpack-entries / -value: a hash this small answers HSCAN at once. */
const LISTPACK_ENTRIES_MAX = 128;
const LISTPACK_VALUE_BYTES_MAX = 64;

export const hrandfieldCommand: RedisCommand = command("hrandfield", -2, ["readonly"], {
  keys: [1, 1, 1], group: "hash", since: "6.2.0", kind: "read",
  summary: "Returns one or more random fields from a hash.",
  exec(ctx, args) {
    const key = arg(args, 1);
    if (args.length === 2) {
      const map = lookupTyped(ctx, key, "hash");
      if (map === undefined) return NULL;
      const field = [...map.keys()][ctx.random.nextInt(map.size)];
      return field === undefined ? NULL : bulk(bytesOf(field));
    }
    const count = randomCountArg(arg(args, 2));
    const withValues = args.length === 4;
    if (args.length > 4 || (withValues && optionName(args[3]) !== "withvalues")) fail(SYNTAX_ERROR);
    if (withValues && (count < -LONG_MAX / 2n || count > LONG_MAX / 2n)) {
      fail(error("ERR value is out of range"));
    }
    const map = lookupTyped(ctx, key, "hash");
    if (map === undefined || count === 0n) return array([]);
    return randomFields(ctx, map, { count, withValues });
  },
});

/**
 * The fields (and values) HRANDFIELD answers. WITHVALUES is a `pairs` reply: the flat field,
 * value, ... array in RESP2, [field, value] pairs in RESP3, as Redis answers.
 */
function randomFields(
  ctx: ExecContext, map: Map<string, Bytes>, options: { count: bigint; withValues: boolean },
): Reply {
  const { count, withValues } = options;
  const entries = [...map];
  const reply = (picked: readonly (readonly [string, Bytes])[]): Reply => (withValues
    ? pairs(picked.map(([field, value]) => [bulk(bytesOf(field)), bulk(value)] as const))
    : array(picked.map(([field]) => bulk(bytesOf(field)))));
  if (count < 0n) {
    checkRepeatCount(-count);
    const picked: (readonly [string, Bytes])[] = [];
    for (let i = 0; i < Number(-count); i++) {
      const entry = entries[ctx.random.nextInt(entries.length)];
      if (entry !== undefined) picked.push(entry);
    }
    return reply(picked);
  }
  if (count >= BigInt(entries.length)) return reply(entries);
  const positions = distinctPositions(ctx, entries.length, Number(count));
  return reply(positions.map((p) => entries[p]).filter((e) => e !== undefined));
}

export const hscanCommand: RedisCommand = command("hscan", -3, ["readonly"], {
  keys: [1, 1, 1], group: "hash", since: "2.8.0", summary: "Iterates over fields and values of a hash.",
  kind: "read",
  exec(ctx, args) {
    const cursor = parseCursor(arg(args, 2));
    const found = lookupEntry(ctx, arg(args, 1), "hash");
    if (found === undefined) return EMPTY_SCAN;
    const options = parseScanOptions(args, 3);
    const map = found.value;
    const identity = { entry: found.entry, value: map, version: found.entry.modifiedIndex, size: map.size };
    const page = scanPage(
      { values: map.keys(), size: map.size, identity }, { cursor, count: options.count, compact: isListpack(map) },
    );
    const items: Reply[] = [];
    for (const field of page.visited) {
      const value = map.get(field);
      if (value === undefined) continue;
      if (options.pattern !== null && !globMatch(options.pattern, field)) continue;
      items.push(bulk(bytesOf(field)), bulk(value));
    }
    return array([bulk(page.next), array(items)]);
  },
});

/** Whether Redis 7.0 would keep this hash as a listpack (HSCAN then answers it whole). */
function isListpack(map: Map<string, Bytes>): boolean {
  if (map.size > LISTPACK_ENTRIES_MAX) return false;
  for (const [field, value] of map) {
    const longest = Math.max(field.length, value.byteLength);
    if (longest > LISTPACK_VALUE_BYTES_MAX) return false;
  }
  return true;
}
