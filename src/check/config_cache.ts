/**
 * The search's memo (Lowe; Knossos's WGL; Porcupine): every configuration already explored,
 * as (linearized set, register state). A configuration met again cannot lead anywhere new.
 *
 * Keyed by a 53-bit Zobrist hash the search keeps up to date as bits flip; the exact
 * configuration is compared on a hash match, so a collision costs time, never a wrong verdict.
 * Sets are stored sparsely: the linearized set of a just-in-time search is nearly a prefix of
 * the ops in invocation order (required ops get the low bits, see key_ops.ts), so it is the
 * count of leading all-ones words plus the few non-zero words after them. That keeps a
 * configuration of a 5,000-op key at tens of bytes instead of hundreds.
 */

/** A well-mixed 32-bit hash of a 32-bit integer (splitmix32's finaliser). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

const allOnes = 0xffffffff;

/** `[state, leading all-ones words, (index, word)*]` for the non-zero words after them. */
function encode(bits: Uint32Array, state: number): Int32Array {
  let full = 0;
  while (full < bits.length && bits[full] === allOnes) full++;
  const out: number[] = [state, full];
  for (let i = full; i < bits.length; i++) {
    const word = bits[i] ?? 0;
    if (word !== 0) out.push(i, word | 0);
  }
  return Int32Array.from(out);
}

function sameEncoding(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class ConfigCache {
  private readonly seen = new Map<number, Int32Array[]>();

  /** Records the configuration; returns false if it was already there. */
  maybeAdd(hashLo: number, hashHi: number, bits: Uint32Array, state: number): boolean {
    const lo = (hashLo ^ mix32(state)) >>> 0;
    const hi = (hashHi ^ mix32(state ^ 0x5bd1e995)) & 0x1fffff;
    const key = hi * 0x100000000 + lo;
    const encoded = encode(bits, state);
    const bucket = this.seen.get(key);
    if (bucket === undefined) {
      this.seen.set(key, [encoded]);
      return true;
    }
    if (bucket.some((entry) => sameEncoding(entry, encoded))) return false;
    bucket.push(encoded);
    return true;
  }
}
