/**
 * The sorted-set range commands as Redis 7.0's zrangeGenericCommand and zremrangeGenericCommand
 * answer them: ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), its older spellings
 * (ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX), ZRANGESTORE and ZREMRANGEBY{RANK,SCORE,LEX}.
 */
import {
  arg, command, fail, intArg, optionName, SYNTAX_ERROR, type ExecContext, type RedisCommand,
} from "./command.js";
import type { Bytes } from "./keyspace.js";
import { error, integer, type Reply } from "./reply.js";
import { lexRangeArg, scoreRangeArg } from "./score.js";
import { SortedSet } from "./sorted_set.js";
import {
  rangeReply, selectRange, storeZset, zsetAt, zsetChanged, type RangeSpec,
} from "./zset_access.js";

type RangeBy = "rank" | "score" | "lex";

interface RangeCall {
  /** Index of the source key; min and max follow it. */
  readonly keyIndex: number;
  readonly store: boolean;
  readonly by: RangeBy | null;
  readonly reverse: boolean | null;
}

function zrange(ctx: ExecContext, args: readonly Bytes[], call: RangeCall): Reply {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  let by = call.by;
  let reverse = call.reverse;
  for (let j = call.keyIndex + 3; j < args.length; j++) {
    const option = optionName(args[j]);
    const left = args.length - j - 1;
    if (!call.store && option === "withscores") {
      withScores = true;
    } else if (option === "limit" && left >= 2) {
      offset = intArg(args[j + 1]);
      limit = intArg(args[j + 2]);
      j += 2;
    } else if (reverse === null && option === "rev") {
      reverse = true;
    } else if (by === null && option === "bylex") {
      by = "lex";
    } else if (by === null && option === "byscore") {
      by = "score";
    } else {
      fail(SYNTAX_ERROR);
    }
  }
  const rangeBy = by ?? "rank";
  const rev = reverse ?? false;
  if (limit !== -1 && rangeBy === "rank") {
    fail(error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"));
  }
  if (withScores && rangeBy === "lex") {
    fail(error("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  }
  // Reversed score and lex ranges are given as max, min.
  let minArg = arg(args, call.keyIndex + 1);
  let maxArg = arg(args, call.keyIndex + 2);
  if (rev && rangeBy !== "rank") [minArg, maxArg] = [maxArg, minArg];
  let spec: RangeSpec;
  if (rangeBy === "rank") {
    spec = { by: "rank", start: intArg(minArg), end: intArg(maxArg), reverse: rev };
  } else if (rangeBy === "score") {
    spec = { by: "score", range: scoreRangeArg(minArg, maxArg), reverse: rev, offset, limit };
  } else {
    spec = { by: "lex", range: lexRangeArg(minArg, maxArg), reverse: rev, offset, limit };
  }
  const at = zsetAt(ctx, arg(args, call.keyIndex));
  const nodes = at === undefined ? [] : selectRange(at.zset, spec);
  if (!call.store) return rangeReply(nodes, withScores);
  storeZset(ctx, arg(args, 1), SortedSet.fromEntries(nodes.map((node) => [node.member, node.score] as const)));
  return integer(nodes.length);
}

function rangeCommand(
  name: string, call: RangeCall, meta: { since: string; summary: string },
): RedisCommand {
  return command(name, call.store ? -5 : -4, call.store ? ["write", "denyoom"] : ["readonly"], {
    keys: call.store ? [1, 2, 1] : [1, 1, 1], group: "sorted-set", since: meta.since,
    kind: call.store ? "write" : "read", summary: meta.summary,
    exec: (ctx, args) => zrange(ctx, args, call),
  });
}

function removeRange(ctx: ExecContext, args: readonly Bytes[], by: RangeBy): Reply {
  const min = arg(args, 2);
  const max = arg(args, 3);
  let spec: RangeSpec;
  if (by === "rank") spec = { by: "rank", start: intArg(min), end: intArg(max), reverse: false };
  else if (by === "score") spec = { by: "score", range: scoreRangeArg(min, max), reverse: false, offset: 0, limit: -1 };
  else spec = { by: "lex", range: lexRangeArg(min, max), reverse: false, offset: 0, limit: -1 };
  const at = zsetAt(ctx, arg(args, 1));
  if (at === undefined) return integer(0);
  const members = selectRange(at.zset, spec).map((node) => node.member);
  for (const member of members) at.zset.delete(member);
  if (members.length > 0) zsetChanged(ctx, at);
  return integer(members.length);
}

function removeRangeCommand(name: string, by: RangeBy, since: string, summary: string): RedisCommand {
  return command(name, 4, ["write"], {
    keys: [1, 1, 1], group: "sorted-set", since, kind: "write", summary,
    exec: (ctx, args) => removeRange(ctx, args, by),
  });
}

export const sortedSetRangeCommands: readonly RedisCommand[] = [
  rangeCommand("zrange", { keyIndex: 1, store: false, by: null, reverse: null }, {
    since: "1.2.0", summary: "Returns members in a sorted set within a range of indexes.",
  }),
  rangeCommand("zrangestore", { keyIndex: 2, store: true, by: null, reverse: null }, {
    since: "6.2.0", summary: "Stores a range of members from sorted set in a key.",
  }),
  rangeCommand("zrevrange", { keyIndex: 1, store: false, by: "rank", reverse: true }, {
    since: "1.2.0", summary: "Returns members in a sorted set within a range of indexes in reverse order.",
  }),
  rangeCommand("zrangebyscore", { keyIndex: 1, store: false, by: "score", reverse: false }, {
    since: "1.0.5", summary: "Returns members in a sorted set within a range of scores.",
  }),
  rangeCommand("zrevrangebyscore", { keyIndex: 1, store: false, by: "score", reverse: true }, {
    since: "2.2.0", summary: "Returns members in a sorted set within a range of scores in reverse order.",
  }),
  rangeCommand("zrangebylex", { keyIndex: 1, store: false, by: "lex", reverse: false }, {
    since: "2.8.9", summary: "Returns members in a sorted set within a lexicographical range.",
  }),
  rangeCommand("zrevrangebylex", { keyIndex: 1, store: false, by: "lex", reverse: true }, {
    since: "2.8.9", summary: "Returns members in a sorted set within a lexicographical range in reverse order.",
  }),
  removeRangeCommand("zremrangebyrank", "rank", "2.0.0",
    "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed."),
  removeRangeCommand("zremrangebyscore", "score", "1.2.0",
    "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed."),
  removeRangeCommand("zremrangebylex", "lex", "2.8.9",
    "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed."),
];
