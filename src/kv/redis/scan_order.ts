/**
 * The order HSCAN and SSCAN walk a large collection in: by a fixed 32-bit hash of each element's
 * bytes (FNV-1a), ties by bytes. It depends on the elements alone, never on a process, so a
 * cursor means the same on every node and after a restart.
 *
 * Sorting a collection costs O(n log n), so the sorted order of the few collections scanned
 * last is kept between calls (per process; derived data that never changes a reply): a scan of
 * a large collection then costs O(log n + COUNT) per call. An order is used only while the
 * key's entry, its value object, its size and its modification index are those it was built
 * from; hash and set commands also drop it when they change the collection in place
 * (`forgetScanOrder`), which covers several changes within one transaction.
 */

/** At most this many collections keep their sorted order between calls. */
const ORDER_CACHE_MAX = 8;
/** Smaller collections are sorted afresh on each call (cheap), never kept. */
const ORDER_CACHE_MIN_SIZE = 1024;

export interface ScanOrder {
  /** Ascending hashes, `elements[i]` has `hashes[i]`. */
  readonly hashes: Uint32Array;
  readonly elements: readonly string[];
}

/** What identifies a collection's current contents: the key's entry and its value. */
export interface ScanIdentity {
  readonly entry: object;
  readonly value: object;
  readonly version: number;
  readonly size: number;
}

interface Cached {
  readonly identity: ScanIdentity;
  readonly order: ScanOrder;
}

const cache = new Map<object, Cached>();

/** FNV-1a over the element's bytes (latin1 chars). */
export function scanHash(element: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < element.length; i++) {
    h ^= element.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Drops the kept order of the collection at `entry` (it is about to change or has changed). */
export function forgetScanOrder(entry: object): void {
  cache.delete(entry);
}

/** The elements in scan order, from the cache when `identity` still matches. */
export function scanOrderOf(elements: Iterable<string>, identity: ScanIdentity | undefined): ScanOrder {
  const cached = identity === undefined ? undefined : cache.get(identity.entry);
  if (cached !== undefined && identity !== undefined && sameContents(cached.identity, identity)) {
    cache.delete(identity.entry); // most recently used goes last
    cache.set(identity.entry, cached);
    return cached.order;
  }
  const order = buildOrder(elements);
  if (identity !== undefined && identity.size >= ORDER_CACHE_MIN_SIZE) {
    cache.delete(identity.entry);
    cache.set(identity.entry, { identity, order });
    while (cache.size > ORDER_CACHE_MAX) {
      const oldest = cache.keys().next();
      if (oldest.done === true) break;
      cache.delete(oldest.value);
    }
  }
  return order;
}

function sameContents(a: ScanIdentity, b: ScanIdentity): boolean {
  return a.entry === b.entry && a.value === b.value && a.version === b.version && a.size === b.size;
}

function buildOrder(elements: Iterable<string>): ScanOrder {
  const hashed = [...elements].map((element) => ({ hash: scanHash(element), element }));
  hashed.sort((a, b) => {
    if (a.hash !== b.hash) return a.hash - b.hash;
    return a.element < b.element ? -1 : a.element > b.element ? 1 : 0;
  });
  return { hashes: Uint32Array.from(hashed, (h) => h.hash), elements: hashed.map((h) => h.element) };
}

/** The first position whose hash is at least `cursor` (hashes.length when none is). */
export function firstAtOrAfter(hashes: Uint32Array, cursor: bigint): number {
  if (cursor > 0xffff_ffffn) return hashes.length;
  const target = Number(cursor);
  let lo = 0;
  let hi = hashes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((hashes[mid] ?? 0) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
