/**
 * Reading and changing the sorted set at a key with the keyspace's bookkeeping, and the range
 * walks every ZRANGE-like command shares (by rank, score or lex; forwards or reversed; with
 * Redis's LIMIT offset and count), plus the reply shapes for members with scores.
 */
import { fail, lookup, WRONGTYPE, type ExecContext } from "./command.js";
import { noteCollectionChange } from "./collection_args.js";
import { bytesOf, keyOf, type Bytes, type KeyEntry } from "./keyspace.js";
import { array, bulk, double, pairs, type Reply } from "./reply.js";
import {
  formatScore, isEmptyLexRange, isEmptyScoreRange, lexAboveMin, lexBelowMax, scoreAboveMin,
  scoreBelowMax, type LexRange, type ScoreRange,
} from "./score.js";
import type { ScoredMember, SortedSet } from "./sorted_set.js";

export interface ZsetAt {
  readonly key: string;
  readonly entry: KeyEntry;
  readonly zset: SortedSet;
  readonly bytesBefore: number;
}

/** The sorted set at `key`, undefined if absent. @throws CommandError WRONGTYPE for another type. */
export function zsetAt(ctx: ExecContext, key: Bytes): ZsetAt | undefined {
  const entry = lookup(ctx, key);
  if (entry === undefined) return undefined;
  if (entry.value.type !== "zset") fail(WRONGTYPE);
  const zset = entry.value.value;
  return { key: keyOf(key), entry, zset, bytesBefore: zset.estimatedBytes() };
}

/** Bookkeeping after `at.zset` changed in place (removes the key if the set is empty). */
export function zsetChanged(ctx: ExecContext, at: ZsetAt): void {
  noteCollectionChange(ctx, at.key, {
    entry: at.entry, size: at.zset.size, deltaBytes: at.zset.estimatedBytes() - at.bytesBefore,
  });
}

/** Replaces whatever is at `key` with `zset` (no TTL), or deletes the key when it is empty. */
export function storeZset(ctx: ExecContext, key: Bytes, zset: SortedSet): void {
  if (zset.size > 0) ctx.db.put(keyOf(key), { type: "zset", value: zset }, ctx.index, null);
  else ctx.db.remove(keyOf(key), ctx.index);
}

export type RangeSpec =
  | { readonly by: "rank"; readonly start: number; readonly end: number; readonly reverse: boolean }
  | {
    readonly by: "score"; readonly range: ScoreRange; readonly reverse: boolean;
    readonly offset: number; readonly limit: number;
  }
  | {
    readonly by: "lex"; readonly range: LexRange; readonly reverse: boolean;
    readonly offset: number; readonly limit: number;
  };

/** Redis's rank normalisation: the inclusive [start, end] within `length`, or null if empty. */
export function rankRange(start: number, end: number, length: number): [number, number] | null {
  let from = start < 0 ? length + start : start;
  const to = end < 0 ? length + end : end;
  if (from < 0) from = 0;
  if (from > to || from >= length) return null;
  return [from, Math.min(to, length - 1)];
}

/**
 * A lex range over a small sorted set, found as Redis walks its listpack (zzlFirstInLexRange /
 * zzlLastInLexRange): members are in (score, member) order, so when their scores differ the
 * lex order does not hold and Redis's answer (unspecified by its documentation) is whatever
 * this walk finds: from the first member at or past the minimum (the last at or before the
 * maximum, reversed), while the members stay in range. Replicas agree either way; this makes
 * the answer Redis's too.
 */
function lexWindowWalk(zset: SortedSet, range: LexRange, reverse: boolean): [number, number] {
  const members = zset.slice(0, zset.size - 1).map((node) => node.member);
  const first = members[0];
  const last = members[members.length - 1];
  if (first === undefined || last === undefined) return [0, -1];
  if (!lexAboveMin(last, range) || !lexBelowMax(first, range)) return [0, -1];
  if (!reverse) {
    const from = members.findIndex((member) => lexAboveMin(member, range));
    if (from < 0 || !lexBelowMax(members[from] ?? "", range)) return [0, -1];
    let to = from;
    while (to + 1 < members.length && lexBelowMax(members[to + 1] ?? "", range)) to++;
    return [from, to];
  }
  const to = members.findLastIndex((member) => lexBelowMax(member, range));
  if (to < 0 || !lexAboveMin(members[to] ?? "", range)) return [0, -1];
  let from = to;
  while (from > 0 && lexAboveMin(members[from - 1] ?? "", range)) from--;
  return [from, to];
}

/** Sorted sets up to this size are walked for lex ranges as Redis walks a listpack. */
const LEX_WALK_SIZE_MAX = 128;

/** The inclusive rank window [from, to] of a score or lex range (from > to when empty). */
function window(zset: SortedSet, spec: Exclude<RangeSpec, { by: "rank" }>): [number, number] {
  if (spec.by === "score") {
    const range = spec.range;
    if (isEmptyScoreRange(range)) return [0, -1];
    return [
      zset.firstRankWhere((score) => scoreAboveMin(score, range)),
      zset.lastRankWhere((score) => scoreBelowMax(score, range)),
    ];
  }
  const range = spec.range;
  if (isEmptyLexRange(range)) return [0, -1];
  if (zset.size <= LEX_WALK_SIZE_MAX) return lexWindowWalk(zset, range, spec.reverse);
  return [
    zset.firstRankWhere((_score, member) => lexAboveMin(member, range)),
    zset.lastRankWhere((_score, member) => lexBelowMax(member, range)),
  ];
}

/** How many elements a score or lex range holds (ZCOUNT, ZLEXCOUNT): O(log n). */
export function countRange(zset: SortedSet, spec: Exclude<RangeSpec, { by: "rank" }>): number {
  const [from, to] = window(zset, spec);
  return Math.max(0, to - from + 1);
}

/** The elements `spec` selects, in reply order. */
export function selectRange(zset: SortedSet, spec: RangeSpec): ScoredMember[] {
  if (spec.by === "rank") {
    const range = rankRange(spec.start, spec.end, zset.size);
    if (range === null) return [];
    const [from, to] = range;
    if (!spec.reverse) return zset.slice(from, to);
    return zset.slice(zset.size - 1 - to, zset.size - 1 - from, true);
  }
  if (spec.offset < 0 || spec.limit === 0) return [];
  const [first, last] = window(zset, spec);
  if (first > last) return [];
  const count = last - first + 1 - spec.offset;
  if (count <= 0) return [];
  const take = spec.limit < 0 ? count : Math.min(count, spec.limit);
  if (!spec.reverse) return zset.slice(first + spec.offset, first + spec.offset + take - 1);
  return zset.slice(last - spec.offset - take + 1, last - spec.offset, true);
}

export function memberReply(member: string): Reply {
  return bulk(bytesOf(member));
}

export function scoreReply(score: number): Reply {
  return double(formatScore(score));
}

/** Members, or with WITHSCORES [member, score] pairs (nested in RESP3, flat in RESP2). */
export function rangeReply(nodes: readonly ScoredMember[], withScores: boolean): Reply {
  if (!withScores) return array(nodes.map((node) => memberReply(node.member)));
  return pairs(nodes.map((node) => [memberReply(node.member), scoreReply(node.score)] as const));
}
