/**
 * A Redis sorted set: members (latin1 strings) with float scores, ordered by (score, member).
 * A map from member to score answers ZSCORE in O(1); the order lives in a list of sorted chunks
 * of at most `CHUNK_MAX` entries (members and scores in parallel arrays). Finding a position is
 * two binary searches, an insert or delete moves at most a chunk's worth of entries, and a rank
 * sums the sizes of the chunks before it: cheap for any set a node holds, and far kinder to the
 * CPU cache than a skip list's pointer chasing (100k random ZADDs take well under a second).
 * Snapshots use `entries`/`fromEntries`.
 */

const CHUNK_MAX = 512;
const MEMBER_OVERHEAD_BYTES = 48;

/** One member with its score, as the range walks return them. */
export interface ScoredMember {
  readonly member: string;
  readonly score: number;
}

interface Chunk {
  members: string[];
  scores: number[];
}

function before(scoreA: number, memberA: string, scoreB: number, memberB: string): boolean {
  return scoreA < scoreB || (scoreA === scoreB && memberA < memberB);
}

export class SortedSet {
  private readonly scores = new Map<string, number>();
  private chunks: Chunk[] = [];
  private bytes = 0;
  /** Counts changes, so views derived from the set (ZSCAN's hash order) know when to rebuild. */
  private changes = 0;

  static fromEntries(entries: Iterable<readonly [string, number]>): SortedSet {
    const set = new SortedSet();
    for (const [member, score] of entries) set.add(member, score);
    return set;
  }

  get size(): number {
    return this.scores.size;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Changes so far (adds, moves, deletes): a version number for derived views. */
  get version(): number {
    return this.changes;
  }

  /** Every member, in the order they were first added (a Map's order). */
  members(): IterableIterator<string> {
    return this.scores.keys();
  }

  /** Adds `member` or moves it to `score`. */
  add(member: string, score: number): void {
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (old === score) return;
      this.unlink(member, old);
    } else {
      this.bytes += member.length + MEMBER_OVERHEAD_BYTES;
    }
    this.scores.set(member, score);
    this.insert(member, score);
    this.changes++;
  }

  delete(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.scores.delete(member);
    this.unlink(member, score);
    this.bytes -= member.length + MEMBER_OVERHEAD_BYTES;
    this.changes++;
    return true;
  }

  /** Members in (score, member) order. */
  entries(): [string, number][] {
    const out: [string, number][] = [];
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.members.length; i++) out.push([chunk.members[i] ?? "", chunk.scores[i] ?? 0]);
    }
    return out;
  }

  estimatedBytes(): number {
    return this.bytes;
  }

  /** The 0-based rank of `member` in ascending order, or undefined if absent. */
  rank(member: string): number | undefined {
    const score = this.scores.get(member);
    if (score === undefined) return undefined;
    const chunkIndex = this.chunkFor(score, member);
    let rank = 0;
    for (let c = 0; c < chunkIndex; c++) rank += this.chunks[c]?.members.length ?? 0;
    const chunk = this.chunks[chunkIndex];
    return chunk === undefined ? undefined : rank + indexIn(chunk, score, member);
  }

  /** The element at 0-based ascending rank `rank`, or null when out of range. */
  at(rank: number): ScoredMember | null {
    if (rank < 0 || rank >= this.size) return null;
    let left = rank;
    for (const chunk of this.chunks) {
      if (left < chunk.members.length) return { member: chunk.members[left] ?? "", score: chunk.scores[left] ?? 0 };
      left -= chunk.members.length;
    }
    return null;
  }

  /** Elements with ranks in [from, to] (inclusive, clamped), descending when `reverse`. */
  slice(from: number, to: number, reverse = false): ScoredMember[] {
    const out: ScoredMember[] = [];
    const first = Math.max(0, from);
    const last = Math.min(this.size - 1, to);
    let base = 0;
    for (const chunk of this.chunks) {
      const n = chunk.members.length;
      if (base + n > first && base <= last) {
        for (let i = Math.max(0, first - base); i < n && base + i <= last; i++) {
          out.push({ member: chunk.members[i] ?? "", score: chunk.scores[i] ?? 0 });
        }
      }
      base += n;
      if (base > last) break;
    }
    return reverse ? out.reverse() : out;
  }

  /** The rank of the first element for which the monotone `atLeast` holds (size if none). */
  firstRankWhere(atLeast: (score: number, member: string) => boolean): number {
    let base = 0;
    for (const chunk of this.chunks) {
      const n = chunk.members.length;
      if (atLeast(chunk.scores[n - 1] ?? 0, chunk.members[n - 1] ?? "")) {
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (atLeast(chunk.scores[mid] ?? 0, chunk.members[mid] ?? "")) hi = mid;
          else lo = mid + 1;
        }
        return base + lo;
      }
      base += n;
    }
    return base;
  }

  /** The rank of the last element for which the monotone `atMost` holds (-1 if none). */
  lastRankWhere(atMost: (score: number, member: string) => boolean): number {
    return this.firstRankWhere((score, member) => !atMost(score, member)) - 1;
  }

  /** The chunk where (score, member) is or belongs: the first whose last entry is not before it. */
  private chunkFor(score: number, member: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    if (hi < 0) return 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid] as Chunk;
      const n = chunk.members.length;
      if (before(chunk.scores[n - 1] ?? 0, chunk.members[n - 1] ?? "", score, member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insert(member: string, score: number): void {
    const chunkIndex = this.chunkFor(score, member);
    const chunk = this.chunks[chunkIndex];
    if (chunk === undefined) {
      this.chunks.push({ members: [member], scores: [score] });
      return;
    }
    const index = indexIn(chunk, score, member);
    chunk.members.splice(index, 0, member);
    chunk.scores.splice(index, 0, score);
    if (chunk.members.length > CHUNK_MAX) {
      const half = chunk.members.length >>> 1;
      const upper: Chunk = { members: chunk.members.splice(half), scores: chunk.scores.splice(half) };
      this.chunks.splice(chunkIndex + 1, 0, upper);
    }
  }

  private unlink(member: string, score: number): void {
    const chunkIndex = this.chunkFor(score, member);
    const chunk = this.chunks[chunkIndex];
    const index = chunk === undefined ? -1 : indexIn(chunk, score, member);
    if (chunk === undefined || chunk.members[index] !== member) {
      throw new Error("sorted set: the order lost a member");
    }
    chunk.members.splice(index, 1);
    chunk.scores.splice(index, 1);
    if (chunk.members.length === 0) this.chunks.splice(chunkIndex, 1);
  }
}

/** The index in `chunk` of the first entry not before (score, member). */
function indexIn(chunk: Chunk, score: number, member: string): number {
  let lo = 0;
  let hi = chunk.members.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(chunk.scores[mid] ?? 0, chunk.members[mid] ?? "", score, member)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
