/**
 * Combining sorted sets (and plain sets, whose members score 1) as Redis 7.0's
 * zunionInterDiffGenericCommand does: ZUNIONSTORE, ZINTERSTORE (WEIGHTS, AGGREGATE), ZDIFFSTORE,
 * their replying forms ZUNION, ZINTER, ZDIFF (WITHSCORES) and ZINTERCARD (LIMIT).
 */
import {
  arg, command, fail, int64Arg, lookup, optionName, SYNTAX_ERROR, WRONGTYPE, type ExecContext,
  type RedisCommand,
} from "./command.js";
import { clampSafe, positiveLongArg } from "./collection_args.js";
import type { Bytes } from "./keyspace.js";
import { error, integer, type Reply } from "./reply.js";
import { scoreArg } from "./score.js";
import { SortedSet } from "./sorted_set.js";
import { rangeReply, storeZset } from "./zset_access.js";

type Operation = "union" | "inter" | "diff";
type Aggregate = "sum" | "min" | "max";

interface Source {
  /** member -> score; null for a missing key. */
  readonly scores: ReadonlyMap<string, number> | null;
  readonly size: number;
  weight: number;
}

interface CombineCall {
  readonly name: string;
  readonly op: Operation;
  readonly store: boolean;
  readonly cardinalityOnly: boolean;
}

function source(ctx: ExecContext, key: Bytes): Source {
  const entry = lookup(ctx, key);
  if (entry === undefined) return { scores: null, size: 0, weight: 1 };
  if (entry.value.type === "zset") {
    const zset = entry.value.value;
    return { scores: new Map(zset.entries()), size: zset.size, weight: 1 };
  }
  if (entry.value.type === "set") {
    const members = entry.value.value;
    return { scores: new Map([...members].map((m) => [m, 1] as const)), size: members.size, weight: 1 };
  }
  return fail(WRONGTYPE);
}

function aggregate(how: Aggregate, target: number, value: number): number {
  if (how === "min") return Math.min(target, value);
  if (how === "max") return Math.max(target, value);
  const sum = target + value;
  // inf + -inf: Redis keeps the convention that the result is 0.
  return Number.isNaN(sum) ? 0 : sum;
}

function weighted(source: Source, score: number): number {
  const value = source.weight * score;
  return Number.isNaN(value) ? 0 : value;
}

function combine(sources: Source[], op: Operation, how: Aggregate): Map<string, number> {
  const result = new Map<string, number>();
  if (op === "diff") {
    const [first, ...rest] = sources;
    for (const [member, score] of first?.scores ?? []) {
      if (!rest.some((s) => s.scores?.has(member) === true)) result.set(member, score);
    }
    return result;
  }
  // Redis walks the sources from the smallest (a stable order here).
  const ordered = [...sources].sort((a, b) => a.size - b.size);
  if (op === "inter") {
    const [smallest, ...rest] = ordered;
    if (smallest?.scores === null || smallest === undefined) return result;
    for (const [member, score] of smallest.scores) {
      let value = weighted(smallest, score);
      let everywhere = true;
      for (const other of rest) {
        const s = other.scores?.get(member);
        if (s === undefined) {
          everywhere = false;
          break;
        }
        value = aggregate(how, value, weighted(other, s));
      }
      if (everywhere) result.set(member, value);
    }
    return result;
  }
  for (const src of ordered) {
    for (const [member, score] of src.scores ?? []) {
      const value = weighted(src, score);
      const before = result.get(member);
      result.set(member, before === undefined ? value : aggregate(how, before, value));
    }
  }
  return result;
}

function combineCommand(ctx: ExecContext, args: readonly Bytes[], call: CombineCall): Reply {
  const numkeysIndex = call.store ? 2 : 1;
  const setnum = clampSafe(int64Arg(arg(args, numkeysIndex)));
  if (setnum < 1) fail(error(`ERR at least 1 input key is needed for '${call.name}' command`));
  if (setnum > args.length - (numkeysIndex + 1)) fail(SYNTAX_ERROR);
  const sources = args.slice(numkeysIndex + 1, numkeysIndex + 1 + setnum).map((key) => source(ctx, key));
  let how: Aggregate = "sum";
  let withScores = false;
  let limit = 0;
  for (let j = numkeysIndex + 1 + setnum; j < args.length;) {
    const option = optionName(args[j]);
    const remaining = args.length - j;
    const full = call.op !== "diff" && !call.cardinalityOnly;
    if (full && remaining >= setnum + 1 && option === "weights") {
      j++;
      for (const src of sources) src.weight = scoreArg(arg(args, j++), error("ERR weight value is not a float"));
    } else if (full && remaining >= 2 && option === "aggregate") {
      const name = optionName(args[j + 1]);
      if (name !== "sum" && name !== "min" && name !== "max") fail(SYNTAX_ERROR);
      how = name;
      j += 2;
    } else if (remaining >= 1 && !call.store && !call.cardinalityOnly && option === "withscores") {
      withScores = true;
      j++;
    } else if (call.cardinalityOnly && remaining >= 2 && option === "limit") {
      limit = positiveLongArg(arg(args, j + 1), "LIMIT can't be negative");
      j += 2;
    } else {
      fail(SYNTAX_ERROR);
    }
  }
  const result = combine(sources, call.op, how);
  if (call.cardinalityOnly) return integer(limit > 0 ? Math.min(limit, result.size) : result.size);
  const zset = SortedSet.fromEntries(result);
  if (call.store) {
    storeZset(ctx, arg(args, 1), zset);
    return integer(zset.size);
  }
  return rangeReply(zset.slice(0, zset.size - 1), withScores);
}

function combineEntry(call: CombineCall, meta: { since: string; summary: string }): RedisCommand {
  return command(call.name, call.store ? -4 : -3, call.store
    ? ["write", "denyoom", "movablekeys"]
    : ["readonly", "movablekeys"], {
    keys: call.store ? [1, 1, 1] : [0, 0, 0], group: "sorted-set", since: meta.since,
    kind: call.store ? "write" : "read", summary: meta.summary,
    exec: (ctx, args) => combineCommand(ctx, args, call),
  });
}

export const sortedSetCombineCommands: readonly RedisCommand[] = [
  combineEntry({ name: "zunionstore", op: "union", store: true, cardinalityOnly: false }, {
    since: "2.0.0", summary: "Stores the union of multiple sorted sets in a key.",
  }),
  combineEntry({ name: "zinterstore", op: "inter", store: true, cardinalityOnly: false }, {
    since: "2.0.0", summary: "Stores the intersect of multiple sorted sets in a key.",
  }),
  combineEntry({ name: "zdiffstore", op: "diff", store: true, cardinalityOnly: false }, {
    since: "6.2.0", summary: "Stores the difference of multiple sorted sets in a key.",
  }),
  combineEntry({ name: "zunion", op: "union", store: false, cardinalityOnly: false }, {
    since: "6.2.0", summary: "Returns the union of multiple sorted sets.",
  }),
  combineEntry({ name: "zinter", op: "inter", store: false, cardinalityOnly: false }, {
    since: "6.2.0", summary: "Returns the intersect of multiple sorted sets.",
  }),
  combineEntry({ name: "zdiff", op: "diff", store: false, cardinalityOnly: false }, {
    since: "6.2.0", summary: "Returns the difference between multiple sorted sets.",
  }),
  combineEntry({ name: "zintercard", op: "inter", store: false, cardinalityOnly: true }, {
    since: "7.0.0", summary: "Returns the number of members of the intersect of multiple sorted sets.",
  }),
];
