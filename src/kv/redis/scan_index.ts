/**
 * SCAN cursors that stay valid across nodes, restarts and leader changes.
 *
 * Redis's design (dict.c `dictScan`): keys live in a power-of-two table of buckets chosen by a
 * hash of the key; a cursor names a bucket, and the next cursor is the current one with its
 * bits reversed, incremented, and reversed back. Walking the high bits first means that when the
 * table doubles or halves between calls, the buckets already visited map onto buckets whose
 * cursors are all behind the new cursor: every key present for the whole scan is returned at
 * least once (shrinking may return some twice), and the scan ends when the cursor is 0 again.
 *
 * Here the hash is FNV-1a over the key's bytes and the table's size depends only on the key
 * count, so a cursor means the same thing on every replica, before and after a snapshot: the
 * order depends on the key bytes alone, never on insertion order or a process's hash seed.
 * The table resizes at once (no incremental rehash), which Redis's argument covers directly.
 */

/** The most buckets: cursors are 32-bit numbers. */
const TABLE_SIZE_MAX = 0x4000_0000;

/** FNV-1a (32 bits) over a latin1 string's bytes (one char per byte). */
export function scanHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i) & 0xff;
    hash = Math.imul(hash, 0x01000193);
  }
  // FNV's low bits mix poorly for short keys; a final avalanche (murmur3's fmix32) spreads them.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function reverseBits32(v: number): number {
  let x = v >>> 0;
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}

/** The cursor after `cursor` in a table with `mask` (size - 1), as dictScan computes it. */
export function nextCursor(cursor: number, mask: number): number {
  let v = (cursor | ~mask) >>> 0;
  v = reverseBits32(v);
  v = (v + 1) >>> 0;
  return reverseBits32(v);
}

/** The smallest table Redis would use for `count` entries (a power of two, at least 4). */
export function tableSizeFor(count: number): number {
  let size = 4;
  while (size < count && size < TABLE_SIZE_MAX) size *= 2;
  return size;
}

export interface ScanStep {
  /** The cursor to pass next; 0 when the scan is complete. */
  readonly cursor: number;
  /** Members found in the visited buckets (the caller filters by MATCH, TYPE, expiry). */
  readonly items: string[];
}

/**
 * One SCAN step over `members` (HSCAN/SSCAN/ZSCAN can reuse this for a collection): a stateless
 * walk of a virtual table of `tableSizeFor(size)` buckets, so cursors depend only on the member
 * bytes and the collection's size. Visits buckets until `count` items are found or 10 * count
 * buckets were visited (Redis's bound on empty buckets). Costs one pass over `members`.
 */
export function scanCollection(
  members: Iterable<string>, size: number, options: { cursor: number; count: number },
): ScanStep {
  const mask = tableSizeFor(size) - 1;
  // Which buckets this call visits, in cursor order, then one pass to pick their members.
  const visited = new Set<number>();
  let cursor = options.cursor >>> 0;
  let budget = Math.max(1, options.count) * 10;
  let expected = 0;
  const byBucket = new Map<number, number>();
  for (const member of members) {
    const bucket = scanHash(member) & mask;
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + 1);
  }
  do {
    const bucket = cursor & mask;
    visited.add(bucket);
    expected += byBucket.get(bucket) ?? 0;
    cursor = nextCursor(cursor, mask);
    budget--;
  } while (cursor !== 0 && budget > 0 && expected < options.count);
  const items: string[] = [];
  for (const member of members) if (visited.has(scanHash(member) & mask)) items.push(member);
  return { cursor, items };
}

/**
 * The keys of one database, bucketed by `scanHash` in a table sized by the key count. Each
 * bucket is kept sorted, so SCAN's replies and RANDOMKEY's draws are the same on every replica
 * whatever order its keys arrived in (a snapshot restores them in another order).
 */
export class KeyScanIndex {
  private buckets: string[][] = emptyTable(4);
  private count = 0;

  add(key: string): void {
    const bucket = this.bucketOf(key);
    let at = bucket.length;
    while (at > 0 && (bucket[at - 1] ?? "") > key) at--;
    bucket.splice(at, 0, key);
    this.count++;
    if (this.count > this.buckets.length && this.buckets.length < TABLE_SIZE_MAX) {
      this.resize(this.buckets.length * 2);
    }
  }

  delete(key: string): void {
    const bucket = this.bucketOf(key);
    const at = bucket.indexOf(key);
    if (at < 0) return;
    bucket.splice(at, 1);
    this.count--;
    // Halve when under 1/8 full (as Redis's HASHTABLE_MIN_FILL), never below 4 buckets.
    if (this.buckets.length > 4 && this.count * 8 < this.buckets.length) {
      this.resize(tableSizeFor(this.count));
    }
  }

  get size(): number {
    return this.count;
  }

  /**
   * One SCAN step from `cursor`: the keys of the buckets visited, until `count` keys are found
   * or 10 * count buckets were visited. Cursors beyond the table are masked, as in Redis.
   */
  scan(cursor: number, count: number): ScanStep {
    const mask = this.buckets.length - 1;
    const items: string[] = [];
    let next = cursor >>> 0;
    let budget = Math.max(1, count) * 10;
    do {
      const bucket = this.buckets[next & mask];
      if (bucket !== undefined) items.push(...bucket);
      next = nextCursor(next, mask);
      budget--;
    } while (next !== 0 && budget > 0 && items.length < count);
    return { cursor: next, items };
  }

  /** A key chosen with `draw(n)` (an integer in [0, n)), or undefined when empty. */
  randomKey(draw: (n: number) => number): string | undefined {
    if (this.count === 0) return undefined;
    // The table is at least 1/8 full, so a random bucket is non-empty often enough.
    for (let tries = 0; tries < 64; tries++) {
      const bucket = this.buckets[draw(this.buckets.length)];
      if (bucket !== undefined && bucket.length > 0) return bucket[draw(bucket.length)];
    }
    for (const bucket of this.buckets) if (bucket.length > 0) return bucket[draw(bucket.length)];
    return undefined;
  }

  private bucketOf(key: string): string[] {
    const bucket = this.buckets[scanHash(key) & (this.buckets.length - 1)];
    if (bucket === undefined) throw new Error("scan index: bucket out of range");
    return bucket;
  }

  private resize(size: number): void {
    const old = this.buckets;
    this.buckets = emptyTable(size);
    for (const bucket of old) for (const key of bucket) this.bucketOf(key).push(key);
    for (const bucket of this.buckets) if (bucket.length > 1) bucket.sort();
  }
}

function emptyTable(size: number): string[][] {
  return Array.from({ length: size }, () => []);
}
