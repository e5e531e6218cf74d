/**
 * Test support: how the differential test compares raftkv's reply with Redis's. Byte for byte
 * by default; the few replies whose order Redis takes from its hash tables are compared as
 * multisets, random picks (SRANDMEMBER, SPOP, ...) by property against the key's contents read
 * just before, and TTLs with a tolerance for the time between the two sends.
 */
import type { Frame } from "../../server/testing/resp_frames.js";

export type Compare =
  /** The same bytes. */
  | { readonly kind: "exact" }
  /** The same elements in any order; `pairs`: elements are field/value pairs (HGETALL). */
  | { readonly kind: "unordered"; readonly pairs: boolean }
  /**
   * A random pick from `universe` (the key's members, or its field/value pairs when `pairs`):
   * the same reply type and count on both, every element drawn from the universe, and no
   * element twice when `distinct` (a positive count, SPOP).
   */
  | {
    readonly kind: "sample"; readonly pairs: boolean; readonly distinct: boolean;
    readonly universe: ReadonlySet<string>;
  }
  /** An integer within `tolerance` (TTL, PTTL, EXPIRETIME); negatives (-1, -2) exactly. */
  | { readonly kind: "near"; readonly tolerance: number }
  /** The same reply type and number of elements (TIME, HELLO, CLIENT ID). */
  | { readonly kind: "shape" }
  /**
   * SCAN, HSCAN, SSCAN, ZSCAN: the runner iterates to cursor 0 on each side (the argument at
   * `cursorAt` is the cursor) and compares the sets of elements returned; cursors differ.
   */
  | { readonly kind: "scan"; readonly cursorAt: number; readonly pairs: boolean };

const EXACT: Compare = { kind: "exact" };
export { EXACT };

function sameShape(a: Frame, b: Frame): boolean {
  return a.kind === b.kind && (a.items?.length ?? -1) === (b.items?.length ?? -1) &&
    (a.text === null) === (b.text === null);
}

/**
 * The elements of an aggregate as strings (a pair joined by NUL), or null for a null reply; a
 * lone bulk string is one element. RESP2 pairs are flat; RESP3 pairs are maps or 2-arrays.
 */
export function elementsOf(frame: Frame, pairs: boolean): string[] | null {
  if (frame.items === null) return frame.text === null ? null : [frame.text];
  const items = frame.items;
  if (!pairs) return items.map((item) => item.raw.toString("latin1"));
  const out: string[] = [];
  if (frame.kind === "%" || items.every((item) => item.items === null)) {
    for (let i = 0; i + 1 < items.length; i += 2) {
      out.push(`${items[i]?.text ?? ""}\0${items[i + 1]?.text ?? ""}`);
    }
    return out;
  }
  for (const item of items) out.push(`${item.items?.[0]?.text ?? ""}\0${item.items?.[1]?.text ?? ""}`);
  return out;
}

function multiset(elements: readonly string[]): string {
  return [...elements].sort().join("\u0001");
}

function hasDuplicates(elements: readonly string[]): boolean {
  return new Set(elements).size !== elements.length;
}

/** The raw bytes a pick's element has in the universe (bulk strings' text). */
function textOf(element: string, frame: Frame): string {
  if (frame.items === null) return element;
  const parsed = /^\$\d+\r\n([\s\S]*)\r\n$/.exec(element);
  return parsed?.[1] ?? element;
}

/** Why the two replies differ under `compare`, or null when they agree. */
export function compareReplies(compare: Compare, ours: Frame, theirs: Frame): string | null {
  if (ours.raw.equals(theirs.raw)) return null;
  if (compare.kind === "exact" || ours.kind === "-" || theirs.kind === "-") return "bytes differ";
  switch (compare.kind) {
    case "unordered": {
      if (!sameShape(ours, theirs)) return "reply type or length differs";
      const a = elementsOf(ours, compare.pairs) ?? [];
      const b = elementsOf(theirs, compare.pairs) ?? [];
      return multiset(a) === multiset(b) ? null : "elements differ (compared in any order)";
    }
    case "sample":
      return compareSample(compare, ours, theirs);
    case "near": {
      if (ours.kind !== ":" || theirs.kind !== ":") return "bytes differ";
      const a = Number(ours.text);
      const b = Number(theirs.text);
      if (a < 0 || b < 0) return "bytes differ";
      return Math.abs(a - b) <= compare.tolerance ? null
        : `differs by more than ${compare.tolerance}`;
    }
    case "shape":
      return sameShape(ours, theirs) ? null : "reply type or length differs";
    case "scan":
      // The runner compares whole iterations; a single page is judged by its shape.
      return sameShape(ours, theirs) ? null : "reply type or length differs";
  }
}

function compareSample(compare: Extract<Compare, { kind: "sample" }>, ours: Frame, theirs: Frame):
  string | null {
  if (!sameShape(ours, theirs)) return "reply type or count differs";
  const a = elementsOf(ours, compare.pairs);
  const b = elementsOf(theirs, compare.pairs);
  if (a === null || b === null) return a === b ? null : "one reply is null";
  const stray = a.map((e) => compare.pairs ? e : textOf(e, ours))
    .filter((e) => !compare.universe.has(e));
  if (stray.length > 0) return `raftkv picked elements the key does not hold: ${JSON.stringify(stray)}`;
  if (compare.distinct && hasDuplicates(a)) return "raftkv picked an element twice";
  return null;
}
