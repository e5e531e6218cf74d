/**
 * ZSCAN as Redis 7.0 answers it. A small set (Redis's listpack encoding: at most 128 members of
 * at most 64 bytes) comes back whole with cursor 0, in order, as Redis does. A larger one is
 * walked in the order of a fixed 32-bit hash of each member (FNV-1a), and the cursor is the next
 * hash to visit: it depends only on the members, so it stays valid on every replica and across
 * restarts, and, as SCAN promises, a member present for the whole walk is returned at least once
 * however the set changes in between (members sharing a hash come back in the same page).
 */
import { arg, command, fail, intArg, optionName, SYNTAX_ERROR, type RedisCommand } from "./command.js";
import { bytesOf, type Bytes } from "./keyspace.js";
import { array, bulk, error, type Reply } from "./reply.js";
import { scoreText } from "./score.js";
import { globMatch } from "./glob_match.js";
import type { SortedSet } from "./sorted_set.js";
import { zsetAt } from "./zset_access.js";

const LISTPACK_ENTRIES_MAX = 128;
const LISTPACK_VALUE_BYTES_MAX = 64;
const COUNT_DEFAULT = 10;

const HASH_SPACE = 2 ** 32;

function fnv1a(member: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < member.length; i++) hash = Math.imul(hash ^ member.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

interface HashOrder {
  readonly version: number;
  readonly hashes: number[];
  readonly members: string[];
}

/** The members in (hash, member) order, rebuilt only when the set changed since the last scan. */
const hashOrders = new WeakMap<SortedSet, HashOrder>();

function hashOrder(zset: SortedSet): HashOrder {
  const cached = hashOrders.get(zset);
  if (cached?.version === zset.version) return cached;
  const rows = [...zset.members()].map((member) => [fnv1a(member), member] as const);
  rows.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const order = { version: zset.version, hashes: rows.map(([h]) => h), members: rows.map(([, m]) => m) };
  hashOrders.set(zset, order);
  return order;
}

/** One page of a large set: members whose hash is at least `cursor`, whole hash groups. */
function page(zset: SortedSet, cursor: number, count: number): { members: string[]; next: number } {
  const order = hashOrder(zset);
  let lo = 0;
  let hi = order.hashes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((order.hashes[mid] ?? 0) < cursor) lo = mid + 1;
    else hi = mid;
  }
  let end = Math.min(lo + count, order.hashes.length);
  while (end < order.hashes.length && order.hashes[end] === order.hashes[end - 1]) end++;
  const last = order.hashes[end - 1] ?? 0;
  const next = end >= order.hashes.length || last + 1 >= HASH_SPACE ? 0 : last + 1;
  return { members: order.members.slice(lo, end), next };
}

const ULONG_MAX = 2n ** 64n - 1n;

/** The cursor as Redis's strtoul reads it ("-1" wraps around; "" is 0). */
function cursorArg(value: Bytes): number {
  const text = Buffer.from(value).toString("latin1");
  const match = /^([+-]?)([0-9]*)$/.exec(text);
  const digits = match?.[2] ?? "";
  if (match === null || (digits === "" && match[1] !== "") || BigInt(digits || "0") > ULONG_MAX) {
    fail(error("ERR invalid cursor"));
  }
  const n = BigInt(digits || "0");
  return Number(match[1] === "-" && n > 0n ? ULONG_MAX + 1n - n : n);
}

export const zscanCommand: RedisCommand = command("zscan", -3, ["readonly"], {
  keys: [1, 1, 1], group: "sorted-set", since: "2.8.0", kind: "read",
  summary: "Iterates over members and scores of a sorted set.",
  exec(ctx, args): Reply {
    const cursor = cursorArg(arg(args, 2));
    const at = zsetAt(ctx, arg(args, 1));
    if (at === undefined) return array([bulk("0"), array([])]);
    let count = COUNT_DEFAULT;
    let pattern: string | null = null;
    for (let j = 3; j < args.length; j += 2) {
      const option = optionName(args[j]);
      const value = args[j + 1];
      if (value === undefined) fail(SYNTAX_ERROR);
      if (option === "count") {
        count = intArg(value);
        if (count < 1) fail(SYNTAX_ERROR);
      } else if (option === "match") {
        pattern = Buffer.from(value).toString("latin1");
      } else {
        fail(SYNTAX_ERROR);
      }
    }
    const zset = at.zset;
    let members: string[];
    let next = 0;
    if (zset.size <= LISTPACK_ENTRIES_MAX && zset.entries().every(([m]) => m.length <= LISTPACK_VALUE_BYTES_MAX)) {
      members = zset.entries().map(([member]) => member);
    } else {
      ({ members, next } = page(zset, cursor >= HASH_SPACE ? HASH_SPACE : cursor, count));
    }
    const items: Reply[] = [];
    for (const member of members) {
      if (pattern !== null && !globMatch(pattern, member)) continue;
      items.push(bulk(bytesOf(member)), bulk(scoreText(zset.score(member) ?? 0)));
    }
    return array([bulk(String(next)), array(items)]);
  },
});
