/**
 * ZSCAN as Redis 7.0 answers it. A small set (Redis's listpack encoding: at most 128 members of
 * at most 64 bytes) comes back whole with cursor 0, in order, as Redis does. A larger one is
 * walked in (score, member) order and the cursor is the position reached: it depends only on
 * the set, so it stays valid on every replica and across restarts (Redis's cursors are hash-table
 * positions instead; a client only ever passes back what it was given).
 */
import { arg, command, fail, intArg, optionName, SYNTAX_ERROR, type RedisCommand } from "./command.js";
import { bytesOf, type Bytes } from "./keyspace.js";
import { array, bulk, error, type Reply } from "./reply.js";
import { scoreText } from "./score.js";
import { globMatches } from "./glob_match.js";
import { zsetAt } from "./zset_access.js";

const LISTPACK_ENTRIES_MAX = 128;
const LISTPACK_VALUE_BYTES_MAX = 64;
const COUNT_DEFAULT = 10;

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
    const entries = zset.entries();
    const small = zset.size <= LISTPACK_ENTRIES_MAX
      && entries.every(([member]) => member.length <= LISTPACK_VALUE_BYTES_MAX);
    const from = small ? 0 : Math.min(cursor, zset.size);
    const to = small ? zset.size : Math.min(from + count, zset.size);
    const next = to >= zset.size ? 0 : to;
    const items: Reply[] = [];
    for (const [member, score] of entries.slice(from, to)) {
      if (pattern !== null && !globMatches(pattern, member)) continue;
      items.push(bulk(bytesOf(member)), bulk(scoreText(score)));
    }
    return array([bulk(String(next)), array(items)]);
  },
});
