/**
 * Small, fast, deterministic 32-bit hashes for the invariant checkers: FNV-1a over bytes, and a
 * mixer that chains an entry onto the hash of the log prefix before it, so two logs have equal
 * chain hashes at an index exactly when (barring a 2^-32 collision) their prefixes are equal.
 * A collision can only hide a violation, never invent one.
 */
import type { Entry } from "../core/messages.js";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function fnv1aBytes(bytes: Uint8Array, seed: number = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (const byte of bytes) h = Math.imul(h ^ byte, FNV_PRIME) >>> 0;
  return h;
}

function mixWord(h: number, word: number): number {
  let x = h;
  for (let shift = 0; shift < 32; shift += 8) {
    x = Math.imul(x ^ ((word >>> shift) & 0xff), FNV_PRIME) >>> 0;
  }
  return x;
}

const KIND_CODE = { normal: 1, noop: 2, config: 3 } as const;

/** The identity of one entry: its term, index, kind and data. */
export function entryHash(entry: Entry): number {
  let h = mixWord(FNV_OFFSET, entry.term);
  h = mixWord(h, entry.index);
  h = mixWord(h, KIND_CODE[entry.kind]);
  return fnv1aBytes(entry.data, h);
}

/** The hash of a log prefix ending with `entry`, given the hash of the prefix before it. */
export function chainHash(previous: number, entry: Entry): number {
  return mixWord(mixWord(FNV_OFFSET, previous), entryHash(entry));
}
