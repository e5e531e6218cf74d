/**
 * A Redis sorted set: members (latin1 strings) with float scores, ordered by (score, member).
 * (Owned by the sorted-sets work: the representation may change behind this API; snapshots use
 * `entries`/`fromEntries`.)
 */
export class SortedSet {
  private readonly scores = new Map<string, number>();
  private bytes = 0;

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

  /** Adds or updates `member`. */
  add(member: string, score: number): void {
    if (!this.scores.has(member)) this.bytes += member.length + 32;
    this.scores.set(member, score);
  }

  delete(member: string): boolean {
    if (!this.scores.delete(member)) return false;
    this.bytes -= member.length + 32;
    return true;
  }

  /** Members in (score, member) order. */
  entries(): [string, number][] {
    return [...this.scores].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  estimatedBytes(): number {
    return this.bytes;
  }
}
