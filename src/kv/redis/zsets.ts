/**
 * Sorted-set commands as Redis 7.0 answers them (scores formatted "%.17g"; RESP3 doubles and
 * [member, score] pairs). This file: adding, scoring, counting, ranking, popping and random
 * members; ranges are in zset_ranges.ts, ZUNIONSTORE/ZINTERSTORE in zset_combine.ts, ZSCAN in
 * zset_scan.ts. Empty sets are removed; memory follows `SortedSet.estimatedBytes`.
 */
import {
  arg, command, fail, optionName, SYNTAX_ERROR, type ExecContext, type RedisCommand,
} from "./command.js";
import { mpopCountArg, positiveLongArg, rangeLongArg } from "./collection_args.js";
import { keyOf, type Bytes } from "./keyspace.js";
import { NULL, NULL_ARRAY, array, error, integer, pairs, type Reply } from "./reply.js";
import { lexRangeArg, scoreArg, scoreRangeArg } from "./score.js";
import { SortedSet } from "./sorted_set.js";
import {
  countRange, memberReply, scoreReply, zsetAt, zsetChanged, type ZsetAt,
} from "./zset_access.js";
import { sortedSetCombineCommands } from "./zset_combine.js";
import { sortedSetRangeCommands } from "./zset_ranges.js";
import { zscanCommand } from "./zset_scan.js";

const LONG_MAX = 2n ** 63n - 1n;
/** The most members one ZRANDMEMBER with a negative (repeating) count may answer. */
const RANDOM_REPEATS_MAX = 1_000_000;

interface ZaddFlags {
  nx: boolean; xx: boolean; gt: boolean; lt: boolean; ch: boolean; incr: boolean;
}

function zadd(ctx: ExecContext, args: readonly Bytes[], incrOnly: boolean): Reply {
  const flags: ZaddFlags = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: incrOnly };
  let scoreIndex = 2;
  if (!incrOnly) {
    for (; scoreIndex < args.length; scoreIndex++) {
      const name = optionName(args[scoreIndex]);
      if (name === "nx" || name === "xx" || name === "gt" || name === "lt" || name === "ch" || name === "incr") {
        flags[name] = true;
      } else {
        break;
      }
    }
  }
  const elements = args.length - scoreIndex;
  if (elements % 2 !== 0 || elements === 0) fail(SYNTAX_ERROR);
  if (flags.nx && flags.xx) fail(error("ERR XX and NX options at the same time are not compatible"));
  if ((flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt)) {
    fail(error("ERR GT, LT, and/or NX options at the same time are not compatible"));
  }
  if (flags.incr && elements > 2) fail(error("ERR INCR option supports a single increment-element pair"));
  const pairsIn: [string, number][] = [];
  for (let j = scoreIndex; j < args.length; j += 2) pairsIn.push([keyOf(arg(args, j + 1)), scoreArg(arg(args, j))]);

  const key = arg(args, 1);
  const at = zsetAt(ctx, key);
  if (at === undefined && flags.xx) return flags.incr ? NULL : integer(0);
  let created: SortedSet | null = null;
  if (at === undefined) created = new SortedSet();
  const zset = at?.zset ?? (created as SortedSet);
  let added = 0;
  let updated = 0;
  let lastScore: number | null = null;
  for (const [member, given] of pairsIn) {
    const current = zset.score(member);
    if (current === undefined) {
      if (flags.xx) continue;
      zset.add(member, given);
      added++;
      lastScore = given;
      continue;
    }
    if (flags.nx) continue;
    let score = given;
    if (flags.incr) {
      score = current + given;
      if (Number.isNaN(score)) fail(error("ERR resulting score is not a number (NaN)"));
    }
    if ((flags.lt && score >= current) || (flags.gt && score <= current)) continue;
    lastScore = score;
    if (score !== current) {
      zset.add(member, score);
      updated++;
    }
  }
  if (created !== null && created.size > 0) {
    ctx.db.put(keyOf(key), { type: "zset", value: created }, ctx.index, null);
  } else if (at !== undefined && added + updated > 0) {
    zsetChanged(ctx, at);
  }
  if (flags.incr) return lastScore === null ? NULL : scoreReply(lastScore);
  return integer(flags.ch ? added + updated : added);
}

function pop(ctx: ExecContext, at: ZsetAt, max: boolean, count: number): [string, number][] {
  const out: [string, number][] = [];
  while (out.length < count) {
    const node = at.zset.at(max ? at.zset.size - 1 : 0);
    if (node === null) break;
    out.push([node.member, node.score]);
    at.zset.delete(node.member);
  }
  zsetChanged(ctx, at);
  return out;
}

function popCommand(name: string, max: boolean): RedisCommand {
  return command(name, -2, ["write", "fast"], {
    keys: [1, 1, 1], group: "sorted-set", since: "5.0.0", kind: "write",
    summary: `Returns the ${max ? "highest" : "lowest"}-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.`,
    exec(ctx, args) {
      if (args.length > 3) fail(SYNTAX_ERROR);
      const count = args.length === 3 ? positiveLongArg(arg(args, 2)) : null;
      const at = zsetAt(ctx, arg(args, 1));
      if (at === undefined || count === 0) return array([]);
      const popped = pop(ctx, at, max, count ?? 1);
      const replies = popped.map(([member, score]) => [memberReply(member), scoreReply(score)] as const);
      if (count === null) return array(replies.flat());
      return pairs(replies);
    },
  });
}

function zmpop(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const numkeys = rangeLongArg(arg(args, 1), 1n, LONG_MAX, "numkeys should be greater than 0");
  const whereIndex = 2 + numkeys;
  if (whereIndex >= args.length) fail(SYNTAX_ERROR);
  const where = optionName(arg(args, whereIndex));
  if (where !== "min" && where !== "max") fail(SYNTAX_ERROR);
  const count = mpopCountArg(args, whereIndex + 1);
  for (const key of args.slice(2, whereIndex)) {
    const at = zsetAt(ctx, key);
    if (at === undefined) continue;
    const popped = pop(ctx, at, where === "max", count ?? 1);
    const items = popped.map(([member, score]) => array([memberReply(member), scoreReply(score)]));
    return array([memberReply(keyOf(key)), array(items)]);
  }
  return NULL_ARRAY;
}

function rank(ctx: ExecContext, args: readonly Bytes[], reverse: boolean): Reply {
  if (args.length > 4) fail(error(`ERR wrong number of arguments for '${reverse ? "zrevrank" : "zrank"}' command`));
  const withScore = args.length === 4;
  if (withScore && optionName(args[3]) !== "withscore") fail(SYNTAX_ERROR);
  const at = zsetAt(ctx, arg(args, 1));
  const member = keyOf(arg(args, 2));
  const position = at?.zset.rank(member);
  if (at === undefined || position === undefined) return withScore ? NULL_ARRAY : NULL;
  const value = integer(reverse ? at.zset.size - 1 - position : position);
  return withScore ? array([value, scoreReply(at.zset.score(member) ?? 0)]) : value;
}

function randomMembers(ctx: ExecContext, args: readonly Bytes[]): Reply {
  if (args.length === 2) {
    const at = zsetAt(ctx, arg(args, 1));
    if (at === undefined) return NULL;
    const node = at.zset.at(ctx.random.nextInt(at.zset.size));
    return node === null ? NULL : memberReply(node.member);
  }
  const count = rangeLongArg(arg(args, 2), -LONG_MAX, LONG_MAX);
  // A limit Redis lacks: a repeating count makes one reply of |count| members.
  if (count < -RANDOM_REPEATS_MAX) fail(error(`ERR count is out of range, at most ${RANDOM_REPEATS_MAX} repeated members`));
  if (args.length > 4 || (args.length === 4 && optionName(args[3]) !== "withscores")) fail(SYNTAX_ERROR);
  const withScores = args.length === 4;
  const at = zsetAt(ctx, arg(args, 1));
  if (at === undefined || count === 0) return array([]);
  const size = at.zset.size;
  let ranks: number[];
  if (count < 0) {
    ranks = Array.from({ length: -count }, () => ctx.random.nextInt(size));
  } else if (count >= size) {
    // The whole set, as Redis's set iterator walks it: from the highest score down.
    ranks = Array.from({ length: size }, (_v, i) => size - 1 - i);
  } else {
    // A partial Fisher-Yates shuffle over the ranks: `count` distinct members in random order.
    const pool = Array.from({ length: size }, (_v, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + ctx.random.nextInt(size - i);
      [pool[i], pool[j]] = [pool[j] ?? 0, pool[i] ?? 0];
    }
    ranks = pool.slice(0, count);
  }
  const nodes = ranks.map((r) => at.zset.at(r)).filter((node) => node !== null);
  if (!withScores) return array(nodes.map((node) => memberReply(node.member)));
  return pairs(nodes.map((node) => [memberReply(node.member), scoreReply(node.score)] as const));
}

export const sortedSetCommands: readonly RedisCommand[] = [
  command("zadd", -4, ["write", "denyoom", "fast"], {
    keys: [1, 1, 1], group: "sorted-set", since: "1.2.0", kind: "write",
    summary: "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.",
    exec: (ctx, args) => zadd(ctx, args, false),
  }),
  command("zincrby", 4, ["write", "denyoom", "fast"], {
    keys: [1, 1, 1], group: "sorted-set", since: "1.2.0", kind: "write",
    summary: "Increments the score of a member in a sorted set.",
    exec: (ctx, args) => zadd(ctx, args, true),
  }),
  command("zrem", -3, ["write", "fast"], {
    keys: [1, 1, 1], group: "sorted-set", since: "1.2.0", kind: "write",
    summary: "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.",
    exec(ctx, args) {
      const at = zsetAt(ctx, arg(args, 1));
      if (at === undefined) return integer(0);
      let removed = 0;
      for (const member of args.slice(2)) if (at.zset.delete(keyOf(member))) removed++;
      if (removed > 0) zsetChanged(ctx, at);
      return integer(removed);
    },
  }),
  command("zcard", 2, ["readonly", "fast"], {
    keys: [1, 1, 1], group: "sorted-set", since: "1.2.0", kind: "read",
    summary: "Returns the number of members in a sorted set.",
    exec: (ctx, args) => integer(zsetAt(ctx, arg(args, 1))?.zset.size ?? 0),
  }),
  command("zscore", 3, ["readonly", "fast"], {
    keys: [1, 1, 1], group: "sorted-set", since: "1.2.0", kind: "read",
    summary: "Returns the score of a member in a sorted set.",
    exec(ctx, args) {
      const score = zsetAt(ctx, arg(args, 1))?.zset.score(keyOf(arg(args, 2)));
      return score === undefined ? NULL : scoreReply(score);
    },
  }),
  command("zmscore", -3, ["readonly", "fast"], {
    keys: [1, 1, 1], group: "sorted-set", since: "6.2.0", kind: "read",
    summary: "Returns the score of one or more members in a sorted set.",
    exec(ctx, args) {
      const at = zsetAt(ctx, arg(args, 1));
      return array(args.slice(2).map((member) => {
        const score = at?.zset.score(keyOf(member));
        return score === undefined ? NULL : scoreReply(score);
      }));
    },
  }),
  command("zrank", -3, ["readonly", "fast"], {
    keys: [1, 1, 1], group: "sorted-set", since: "2.0.0", kind: "read",
    summary: "Returns the index of a member in a sorted set ordered by ascending scores.",
    exec: (ctx, args) => rank(ctx, args, false),
  }),
  command("zrevrank", -3, ["readonly", "fast"], {
    keys: [1, 1, 1], group: "sorted-set", since: "2.0.0", kind: "read",
    summary: "Returns the index of a member in a sorted set ordered by descending scores.",
    exec: (ctx, args) => rank(ctx, args, true),
  }),
  command("zcount", 4, ["readonly", "fast"], {
    keys: [1, 1, 1], group: "sorted-set", since: "2.0.0", kind: "read",
    summary: "Returns the count of members in a sorted set that have scores within a range.",
    exec(ctx, args) {
      const range = scoreRangeArg(arg(args, 2), arg(args, 3));
      const at = zsetAt(ctx, arg(args, 1));
      if (at === undefined) return integer(0);
      return integer(countRange(at.zset, { by: "score", range, reverse: false, offset: 0, limit: -1 }));
    },
  }),
  command("zlexcount", 4, ["readonly", "fast"], {
    keys: [1, 1, 1], group: "sorted-set", since: "2.8.9", kind: "read",
    summary: "Returns the number of members in a sorted set within a lexicographical range.",
    exec(ctx, args) {
      const range = lexRangeArg(arg(args, 2), arg(args, 3));
      const at = zsetAt(ctx, arg(args, 1));
      if (at === undefined) return integer(0);
      return integer(countRange(at.zset, { by: "lex", range, reverse: false, offset: 0, limit: -1 }));
    },
  }),
  popCommand("zpopmin", false),
  popCommand("zpopmax", true),
  command("zmpop", -4, ["write", "movablekeys"], {
    keys: [0, 0, 0], group: "sorted-set", since: "7.0.0", kind: "write",
    summary: "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.",
    exec: zmpop,
  }),
  command("zrandmember", -2, ["readonly"], {
    keys: [1, 1, 1], group: "sorted-set", since: "6.2.0", kind: "read",
    summary: "Returns one or more random members from a sorted set.",
    exec: randomMembers,
  }),
  ...sortedSetRangeCommands,
  ...sortedSetCombineCommands,
  zscanCommand,
];
