/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] (Redis 7, t_string.c lcsCommand):
 * the longest common subsequence of two strings by the usual dynamic-programming table, walked
 * back exactly as Redis walks it so the IDX ranges come out the same. The table has
 * (len1 + 1) * (len2 + 1) cells; beyond `LCS_CELLS_MAX` the command answers Redis's
 * allocation-failure error instead of exhausting the process's memory.
 */
import { arg, command, fail, int64Arg, lookup, optionName, SYNTAX_ERROR, type RedisCommand } from "./command.js";
import type { Bytes } from "./keyspace.js";
import { array, bulk, error, integer, mapOf, type Reply } from "./reply.js";

/** 2^25 cells: a 128 MiB transient table at most. */
export const LCS_CELLS_MAX = 2 ** 25;

interface LcsOptions {
  len: boolean;
  idx: boolean;
  withMatchLen: boolean;
  minMatchLen: bigint;
}

function parseLcsOptions(args: readonly Bytes[]): LcsOptions {
  const o: LcsOptions = { len: false, idx: false, withMatchLen: false, minMatchLen: 0n };
  for (let j = 3; j < args.length; j++) {
    const name = optionName(args[j]);
    if (name === "idx") o.idx = true;
    else if (name === "len") o.len = true;
    else if (name === "withmatchlen") o.withMatchLen = true;
    else if (name === "minmatchlen" && j + 1 < args.length) {
      const n = int64Arg(args[j + 1]);
      o.minMatchLen = n < 0n ? 0n : n;
      j++;
    } else fail(SYNTAX_ERROR);
  }
  return o;
}

function lcs(a: Bytes, b: Bytes, o: LcsOptions): Reply {
  const alen = a.byteLength;
  const blen = b.byteLength;
  const width = blen + 1;
  if ((alen + 1) * width > LCS_CELLS_MAX) {
    return error("ERR Insufficient memory, failed allocating transient memory for LCS");
  }
  const dp = new Uint32Array((alen + 1) * width);
  const at = (i: number, j: number): number => dp[j + i * width] ?? 0;
  for (let i = 1; i <= alen; i++) {
    for (let j = 1; j <= blen; j++) {
      dp[j + i * width] = a[i - 1] === b[j - 1] ? at(i - 1, j - 1) + 1 : Math.max(at(i - 1, j), at(i, j - 1));
    }
  }
  const length = at(alen, blen);
  if (o.len && !o.idx) return integer(length);
  const result = new Uint8Array(length);
  const matches: Reply[] = [];
  let idx = length;
  let aStart = alen; // alen: no range open
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1] ?? 0;
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (o.idx && (o.minMatchLen === 0n || BigInt(matchLen) >= o.minMatchLen)) {
        const item = [array([integer(aStart), integer(aEnd)]), array([integer(bStart), integer(bEnd)])];
        if (o.withMatchLen) item.push(integer(matchLen));
        matches.push(array(item));
      }
      aStart = alen;
    }
  }
  if (o.idx) return mapOf([[bulk("matches"), array(matches)], [bulk("len"), integer(length)]]);
  return bulk(result);
}

export const lcsCommand: RedisCommand = command("lcs", -3, ["readonly"], {
  keys: [1, 2, 1], group: "string", since: "7.0.0", summary: "Finds the longest common substring.",
  kind: "read",
  exec(ctx, args) {
    const first = lookup(ctx, arg(args, 1));
    const second = lookup(ctx, arg(args, 2));
    if ((first !== undefined && first.value.type !== "string") ||
      (second !== undefined && second.value.type !== "string")) {
      return error("ERR The specified keys must contain string values");
    }
    const options = parseLcsOptions(args);
    if (options.idx && options.len) {
      return error("ERR If you want both the length and indexes, please just use IDX.");
    }
    const empty = new Uint8Array(0);
    const a = first?.value.type === "string" ? first.value.value : empty;
    const b = second?.value.type === "string" ? second.value.value : empty;
    return lcs(a, b, options);
  },
});
