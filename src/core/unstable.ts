/**
 * The unstable tail of the log: entries (and at most one snapshot) that the core has accepted but
 * the caller has not yet persisted. `ready()` hands them out and marks them "in progress";
 * `advance()` reports them stable and they leave this structure. Invariant: when a snapshot is
 * pending, `offset === snapshot.metadata.index + 1`; `entries[i]` has index `offset + i`.
 */
import type { Entry, Snapshot } from "./messages.js";
import { assert, AssertionError, logIndex, type LogIndex, type Term } from "./types.js";

export class Unstable {
  snapshot: Snapshot | null = null;
  entries: Entry[] = [];
  /** The index of `entries[0]` (or where the next entry would go). */
  offset: LogIndex;
  /** Entries below this index have been handed out in a Ready and await `stableTo`. */
  private offsetInProgress: LogIndex;
  private snapshotInProgress = false;

  constructor(offset: LogIndex) {
    this.offset = offset;
    this.offsetInProgress = offset;
  }

  /** The first index of the log if a snapshot is pending. */
  maybeFirstIndex(): LogIndex | null {
    return this.snapshot === null ? null : logIndex(this.snapshot.metadata.index + 1);
  }

  /** The last index held here, or null when there is neither an entry nor a snapshot. */
  maybeLastIndex(): LogIndex | null {
    if (this.entries.length > 0) return logIndex(this.offset + this.entries.length - 1);
    return this.snapshot === null ? null : this.snapshot.metadata.index;
  }

  /** The term at `index` if this structure knows it. */
  maybeTerm(index: LogIndex): Term | null {
    if (index < this.offset) {
      const snap = this.snapshot;
      return snap !== null && snap.metadata.index === index ? snap.metadata.term : null;
    }
    return this.entries[index - this.offset]?.term ?? null;
  }

  /** Entries not yet handed out in a Ready. */
  nextEntries(): readonly Entry[] {
    const start = this.offsetInProgress - this.offset;
    return start >= this.entries.length ? [] : this.entries.slice(start);
  }

  nextSnapshot(): Snapshot | null {
    return this.snapshotInProgress ? null : this.snapshot;
  }

  /** Everything currently held has been handed out in a Ready. */
  acceptInProgress(): void {
    this.offsetInProgress = logIndex(this.offset + this.entries.length);
    this.snapshotInProgress = this.snapshot !== null;
  }

  /**
   * The caller persisted entries up to `index` at `term`. Ignored when the entry there has since
   * been replaced (a conflicting append arrived between `ready` and `advance`).
   */
  stableTo(index: LogIndex, term: Term): void {
    if (index < this.offset || this.maybeTerm(index) !== term) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = logIndex(index + 1);
    if (this.offsetInProgress < this.offset) this.offsetInProgress = this.offset;
  }

  stableSnapTo(index: LogIndex): void {
    if (this.snapshot !== null && this.snapshot.metadata.index === index) {
      this.snapshot = null;
      this.snapshotInProgress = false;
    }
  }

  /** §7: the log restarts after the snapshot. */
  restore(snapshot: Snapshot): void {
    this.offset = logIndex(snapshot.metadata.index + 1);
    this.offsetInProgress = this.offset;
    this.entries = [];
    this.snapshot = snapshot;
    this.snapshotInProgress = false;
  }

  /** Appends `entries`, first dropping any held entries at or after their first index. */
  truncateAndAppend(entries: readonly Entry[]): void {
    const first = entries[0];
    assert(first !== undefined, "truncateAndAppend of no entries");
    const from = first.index;
    const end = this.offset + this.entries.length;
    if (from === end) {
      this.entries.push(...entries);
    } else if (from <= this.offset) {
      // The whole held tail is replaced; the caller re-persists from `from`.
      this.offset = from;
      this.offsetInProgress = from;
      this.entries = [...entries];
    } else {
      assert(from < end, `append at ${from} leaves a gap after ${end - 1}`);
      this.entries = [...this.entries.slice(0, from - this.offset), ...entries];
      if (this.offsetInProgress > from) this.offsetInProgress = from;
    }
  }

  /** Entries in `[lo, hi)`, all of which must be held here. */
  slice(lo: LogIndex, hi: LogIndex): readonly Entry[] {
    if (!(lo >= this.offset && hi <= this.offset + this.entries.length && lo <= hi)) {
      throw new AssertionError( // hot: the message is built only on failure
        `unstable.slice(${lo}, ${hi}) out of [${this.offset}, ${this.offset + this.entries.length})`);
    }
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
