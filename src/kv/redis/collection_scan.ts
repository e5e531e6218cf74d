/**
 * HSCAN and SSCAN: cursors that stay valid across nodes, restarts and leader changes.
 *
 * Small collections answer everything at once with cursor 0, as Redis does for its compact
 * encodings (a hash of at most 128 fields whose fields and values are at most 64 bytes; a set
 * of at most 512 integers) and as its hash table does when COUNT covers the collection.
 *
 * A larger collection is walked in the order of a fixed 32-bit hash of each element's bytes
 * (scan_order.ts), which depends on the element alone, never on a process. A cursor is "the
 * next hash value to visit": a call returns the elements whose hash is at least the cursor,
 * about COUNT of them (never splitting one hash value), and answers hash+1 of the last one, or 0
 * at the end. So an element present for the whole iteration is returned exactly once, whatever
 * was added or removed meanwhile, on whichever node the next call runs. The first call on a
 * large collection sorts it (O(n log n)); later calls reuse that order (O(log n + COUNT)).
 */
import { array, bulk, error, type Reply } from "./reply.js";
import { argText, fail, optionName, SYNTAX_ERROR } from "./command.js";
import { strictInt64Arg } from "./collection_write.js";
import type { Bytes } from "./keyspace.js";
import { firstAtOrAfter, scanOrderOf, type ScanIdentity } from "./scan_order.js";

const U64_MAX = 2n ** 64n - 1n;
/** Redis's default COUNT. */
const COUNT_DEFAULT = 10;
/** Redis's glob matcher gives up (no match) beyond this nesting of '*'. */
const GLOB_NESTING_MAX = 1000;

export const INVALID_CURSOR = error("ERR invalid cursor");

/** The reply to a scan of a missing key. */
export const EMPTY_SCAN: Reply = array([bulk("0"), array([])]);

/**
 * A cursor as Redis's parseScanCursorOrReply reads it (strtoul): optional sign ('-' wraps
 * around), decimal digits, nothing else; the empty string is 0.
 * @throws CommandError "ERR invalid cursor".
 */
export function parseCursor(value: Bytes): bigint {
  const text = argText(value);
  if (text === "") return 0n;
  const match = /^([+-]?)(\d+)$/.exec(text);
  if (match === null) fail(INVALID_CURSOR);
  const n = BigInt(match[2] ?? "0");
  if (n > U64_MAX) fail(INVALID_CURSOR);
  return match[1] === "-" && n !== 0n ? (U64_MAX + 1n) - n : n;
}

export interface ScanOptions {
  readonly count: number;
  /** The MATCH pattern (latin1), or null to keep everything ("*" included). */
  readonly pattern: string | null;
}

/** MATCH and COUNT after the cursor (`args[from..]`), as Redis's scanGenericCommand reads them. */
export function parseScanOptions(args: readonly Bytes[], from: number): ScanOptions {
  let count = COUNT_DEFAULT;
  let pattern: string | null = null;
  for (let i = from; i < args.length; i += 2) {
    const name = optionName(args[i]);
    const next = args[i + 1];
    if (name === "count" && next !== undefined) {
      const n = strictInt64Arg(next);
      if (n < 1n) fail(SYNTAX_ERROR);
      count = n > 1_000_000_000n ? 1_000_000_000 : Number(n);
    } else if (name === "match" && next !== undefined) {
      const text = Buffer.from(next).toString("latin1");
      pattern = text === "*" ? null : text;
    } else {
      fail(SYNTAX_ERROR);
    }
  }
  return { count, pattern };
}

/** A collection to scan: its elements, their count, and what identifies its current contents. */
export interface ScanSource {
  readonly values: Iterable<string>;
  readonly size: number;
  /** For the kept scan order (scan_order.ts); without it the order is sorted afresh. */
  readonly identity?: ScanIdentity;
}

/**
 * One page of a scan: the elements visited and the next cursor ("0" at the end). `compact`
 * says the whole collection fits Redis's compact encoding (answer it all).
 */
export function scanPage(
  source: ScanSource,
  options: { readonly cursor: bigint; readonly count: number; readonly compact: boolean },
): { next: string; visited: string[] } {
  const { cursor, count } = options;
  if (options.compact || source.size <= count) return { next: "0", visited: [...source.values] };
  const { hashes, elements } = scanOrderOf(source.values, source.identity);
  const start = firstAtOrAfter(hashes, cursor);
  if (elements.length - start <= count) return { next: "0", visited: elements.slice(start) };
  // About COUNT elements, never splitting the elements that share the last one's hash.
  let end = start + count;
  const bound = hashes[end - 1] ?? 0;
  while (end < elements.length && hashes[end] === bound) end++;
  return { next: end < elements.length ? String(bound + 1) : "0", visited: elements.slice(start, end) };
}

/** Whether `text` matches the glob `pattern` exactly as Redis's stringmatchlen (case-sensitive). */
export function globMatch(pattern: string, text: string): boolean {
  const skip = { longer: false };
  return matchFrom(pattern, 0, text, 0, skip, 0);
}

/** C's signed char, which Redis's '[a-z]' ranges compare. */
function signedChar(code: number): number {
  return code > 127 ? code - 256 : code;
}

function matchFrom(
  pattern: string, pStart: number, text: string, tStart: number, skip: { longer: boolean }, nesting: number,
): boolean {
  if (nesting > GLOB_NESTING_MAX) return false;
  let p = pStart;
  let t = tStart;
  const pEnd = pattern.length;
  while (p < pEnd && t < text.length) {
    const c = pattern[p];
    if (c === "*") {
      while (p + 1 < pEnd && pattern[p + 1] === "*") p++;
      if (p + 1 === pEnd) return true;
      while (t < text.length) {
        if (matchFrom(pattern, p + 1, text, t, skip, nesting + 1)) return true;
        if (skip.longer) return false;
        t++;
      }
      skip.longer = true;
      return false;
    } else if (c === "?") {
      t++;
    } else if (c === "[") {
      p++;
      const not = pattern[p] === "^";
      if (not) p++;
      let match = false;
      const ch = text.charCodeAt(t);
      for (;;) {
        if (pattern[p] === "\\" && pEnd - p >= 2) {
          p++;
          if (pattern.charCodeAt(p) === ch) match = true;
        } else if (pattern[p] === "]") {
          break;
        } else if (p >= pEnd) {
          p--;
          break;
        } else if (pEnd - p >= 3 && pattern[p + 1] === "-") {
          let start = signedChar(pattern.charCodeAt(p));
          let end = signedChar(pattern.charCodeAt(p + 2));
          if (start > end) [start, end] = [end, start];
          p += 2;
          if (signedChar(ch) >= start && signedChar(ch) <= end) match = true;
        } else if (pattern.charCodeAt(p) === ch) {
          match = true;
        }
        p++;
      }
      if (not) match = !match;
      if (!match) return false;
      t++;
    } else {
      if (c === "\\" && pEnd - p >= 2) p++;
      if (pattern[p] !== text[t]) return false;
      t++;
    }
    p++;
    if (t === text.length) {
      while (pattern[p] === "*") p++;
      break;
    }
  }
  return p >= pEnd && t === text.length;
}
