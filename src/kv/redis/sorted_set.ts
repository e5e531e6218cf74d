/**
 * A Redis sorted set: members (latin1 strings) with float scores, ordered by (score, member),
 * as Redis keeps it: a map from member to score plus a skip list with spans, so lookups are
 * O(1) and insert, delete, rank and "the element at rank r" are O(log n) expected.
 *
 * The skip list's levels come from a fixed-seed generator inside the set: they shape only the
 * structure, never an answer, so replicas agree on every reply whatever levels they drew.
 * Snapshots use `entries`/`fromEntries`.
 */

const LEVELS_MAX = 32;
const MEMBER_OVERHEAD_BYTES = 48;

export interface SkipNode {
  readonly member: string;
  readonly score: number;
  readonly next: (SkipNode | null)[];
  /** span[i]: how many level-0 steps next[i] skips. */
  readonly span: number[];
  prev: SkipNode | null;
}

function compare(scoreA: number, memberA: string, scoreB: number, memberB: string): number {
  if (scoreA !== scoreB) return scoreA < scoreB ? -1 : 1;
  return memberA < memberB ? -1 : memberA > memberB ? 1 : 0;
}

export class SortedSet {
  private readonly scores = new Map<string, number>();
  private readonly head: SkipNode = newNode("", -Infinity, LEVELS_MAX);
  private tail: SkipNode | null = null;
  private level = 1;
  private bytes = 0;
  private seed = 0x2545f491;

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
  }

  delete(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.scores.delete(member);
    this.unlink(member, score);
    this.bytes -= member.length + MEMBER_OVERHEAD_BYTES;
    return true;
  }

  /** Members in (score, member) order. */
  entries(): [string, number][] {
    const out: [string, number][] = [];
    for (let node = this.first(); node !== null; node = node.next[0] ?? null) out.push([node.member, node.score]);
    return out;
  }

  estimatedBytes(): number {
    return this.bytes;
  }

  /** The lowest element, or null when empty. */
  first(): SkipNode | null {
    return this.head.next[0] ?? null;
  }

  /** The highest element, or null when empty. */
  last(): SkipNode | null {
    return this.tail;
  }

  /** The 0-based rank of `member` in ascending order, or undefined if absent. */
  rank(member: string): number | undefined {
    const score = this.scores.get(member);
    if (score === undefined) return undefined;
    let node = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = node.next[i] ?? null; next !== null && compare(next.score, next.member, score, member) <= 0;
        next = node.next[i] ?? null) {
        traversed += node.span[i] ?? 0;
        node = next;
      }
      if (node.member === member && node !== this.head) return traversed - 1;
    }
    return undefined;
  }

  /** The element at 0-based ascending rank `rank`, or null when out of range. */
  at(rank: number): SkipNode | null {
    if (rank < 0 || rank >= this.size) return null;
    const target = rank + 1;
    let node = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      while (node.next[i] !== null && node.next[i] !== undefined && traversed + (node.span[i] ?? 0) <= target) {
        traversed += node.span[i] ?? 0;
        node = node.next[i] as SkipNode;
      }
      if (traversed === target) return node;
    }
    return null;
  }

  /** The first element for which `atLeast(score, member)` holds (a monotone predicate), or null. */
  firstWhere(atLeast: (score: number, member: string) => boolean): SkipNode | null {
    let node = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = node.next[i] ?? null; next !== null && !atLeast(next.score, next.member);
        next = node.next[i] ?? null) node = next;
    }
    return node.next[0] ?? null;
  }

  /** The last element for which `atMost(score, member)` holds (a monotone predicate), or null. */
  lastWhere(atMost: (score: number, member: string) => boolean): SkipNode | null {
    let node = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = node.next[i] ?? null; next !== null && atMost(next.score, next.member);
        next = node.next[i] ?? null) node = next;
    }
    return node === this.head ? null : node;
  }

  private randomLevel(): number {
    let level = 1;
    for (;;) {
      // xorshift32: a fixed seed, since levels never change an answer.
      this.seed ^= this.seed << 13;
      this.seed ^= this.seed >>> 17;
      this.seed ^= this.seed << 5;
      this.seed >>>= 0;
      if ((this.seed & 3) !== 0 || level >= LEVELS_MAX) return level;
      level++;
    }
  }

  private insert(member: string, score: number): void {
    const update: SkipNode[] = new Array<SkipNode>(LEVELS_MAX);
    const rank: number[] = new Array<number>(LEVELS_MAX).fill(0);
    let node = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : (rank[i + 1] ?? 0);
      for (let next = node.next[i] ?? null; next !== null && compare(next.score, next.member, score, member) < 0;
        next = node.next[i] ?? null) {
        rank[i] = (rank[i] ?? 0) + (node.span[i] ?? 0);
        node = next;
      }
      update[i] = node;
    }
    const level = this.randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.span[i] = this.size - 1;
      }
      this.level = level;
    }
    const created = newNode(member, score, level);
    for (let i = 0; i < level; i++) {
      const before = update[i] as SkipNode;
      created.next[i] = before.next[i] ?? null;
      before.next[i] = created;
      const skipped = (rank[0] ?? 0) - (rank[i] ?? 0);
      created.span[i] = (before.span[i] ?? 0) - skipped;
      before.span[i] = skipped + 1;
    }
    for (let i = level; i < this.level; i++) {
      const before = update[i] as SkipNode;
      before.span[i] = (before.span[i] ?? 0) + 1;
    }
    const before0 = update[0] as SkipNode;
    created.prev = before0 === this.head ? null : before0;
    const after = created.next[0] ?? null;
    if (after !== null) after.prev = created;
    else this.tail = created;
  }

  private unlink(member: string, score: number): void {
    const update: SkipNode[] = new Array<SkipNode>(LEVELS_MAX);
    let node = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = node.next[i] ?? null; next !== null && compare(next.score, next.member, score, member) < 0;
        next = node.next[i] ?? null) node = next;
      update[i] = node;
    }
    const target = node.next[0] ?? null;
    if (target === null || target.member !== member) throw new Error("sorted set: skip list lost a member");
    for (let i = 0; i < this.level; i++) {
      const before = update[i] as SkipNode;
      if (before.next[i] === target) {
        before.span[i] = (before.span[i] ?? 0) + (target.span[i] ?? 0) - 1;
        before.next[i] = target.next[i] ?? null;
      } else {
        before.span[i] = (before.span[i] ?? 0) - 1;
      }
    }
    const after = target.next[0] ?? null;
    if (after !== null) after.prev = target.prev;
    else this.tail = target.prev;
    while (this.level > 1 && (this.head.next[this.level - 1] ?? null) === null) this.level--;
  }
}

function newNode(member: string, score: number, level: number): SkipNode {
  return {
    member, score, prev: null,
    next: new Array<SkipNode | null>(level).fill(null),
    span: new Array<number>(level).fill(0),
  };
}
