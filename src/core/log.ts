/**
 * The replicated log of one node (§5.3): the stable part the caller persisted (read through
 * `Storage`) followed by the unstable tail this node accepted but has not yet seen persisted.
 * It also tracks the commit index and how far committed entries were handed to the state
 * machine. Invariant: applied <= applying <= committed <= lastIndex; committed never decreases.
 */
import { CompactedError, LogUnavailableError } from "./errors.js";
import type { Entry, Snapshot } from "./messages.js";
import { entrySizeBytes, type Storage } from "./storage.js";
import {
  AssertionError, logIndex, TERM_ZERO, type LogIndex, type Term,
} from "./types.js";
import { Unstable } from "./unstable.js";

export class RaftLog {
  readonly storage: Storage;
  readonly unstable: Unstable;
  /** The highest index known to be committed (§5.3). */
  committed: LogIndex;
  /** The highest index handed out in a Ready's committedEntries (or snapshot). */
  applying: LogIndex;
  /** The highest index the caller reported applied (via `advance`). */
  applied: LogIndex;

  constructor(storage: Storage) {
    this.storage = storage;
    const firstIndex = storage.firstIndex();
    this.unstable = new Unstable(logIndex(storage.lastIndex() + 1));
    this.committed = logIndex(firstIndex - 1);
    this.applying = this.committed;
    this.applied = this.committed;
  }

  firstIndex(): LogIndex {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): LogIndex {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): Term {
    const term = this.termOrNull(this.lastIndex());
    if (term === null) {
      throw new AssertionError(`the term of the last index ${this.lastIndex()} is unknown`);
    }
    return term;
  }

  /** The term at `index`, or null outside `[firstIndex - 1, lastIndex]`. */
  termOrNull(index: LogIndex): Term | null {
    if (index === 0) return TERM_ZERO;
    const first = this.firstIndex();
    if (index < first - 1 || index > this.lastIndex()) return null;
    const unstable = this.unstable.maybeTerm(index);
    if (unstable !== null) return unstable;
    try {
      return this.storage.term(index);
    } catch (error: unknown) {
      if (error instanceof CompactedError || error instanceof LogUnavailableError) return null;
      throw error;
    }
  }

  matchTerm(index: LogIndex, term: Term): boolean {
    return this.termOrNull(index) === term;
  }

  /**
   * §5.4.1: a log is at least as up to date as ours if its last term is higher, or equal and
   * it is at least as long.
   */
  isUpToDate(lastIndex: LogIndex, lastTerm: Term): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /** The index of the first entry that conflicts with (or is missing from) our log; 0 if none. */
  findConflict(entries: readonly Entry[]): LogIndex | null {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return null;
  }

  /**
   * The largest index <= `index` whose term is <= `term`, with that term (0 if unknown): the
   * fast-backtracking hint of §5.3 (etcd's findConflictByTerm). Bounded by `index` steps.
   */
  findConflictByTerm(index: LogIndex, term: Term): { index: LogIndex; term: Term } {
    for (let i = index; i > 0; i--) {
      const t = this.termOrNull(logIndex(i));
      if (t === null) return { index: logIndex(i), term: TERM_ZERO };
      if (t <= term) return { index: logIndex(i), term: t };
    }
    return { index: logIndex(0), term: TERM_ZERO };
  }

  /**
   * §5.3 consistency check and append. Returns the index of the last new entry, or null when
   * the log does not contain an entry at `prevIndex` with `prevTerm`. Entries that already match
   * are skipped (stale and duplicate AppendEntries are idempotent); only a real conflict
   * truncates, and never at or below the commit index.
   */
  maybeAppend(
    prev: { index: LogIndex; term: Term },
    leaderCommit: LogIndex,
    entries: readonly Entry[],
    options: { truncateOnStaleAppend: boolean },
  ): LogIndex | null {
    if (!this.matchTerm(prev.index, prev.term)) return null;
    const lastNew = logIndex(prev.index + entries.length);
    const conflict = this.findConflict(entries);
    if (conflict !== null) {
      if (conflict <= this.committed) {
        throw new AssertionError(
          `entry ${conflict} conflicts with the committed prefix (commit ${this.committed})`);
      }
      this.append(entries.slice(conflict - (prev.index + 1)));
    } else if (options.truncateOnStaleAppend) {
      this.truncateAfterForTestingBug(lastNew, entries);
    }
    this.commitTo(leaderCommit < lastNew ? leaderCommit : lastNew);
    return lastNew;
  }

  /**
   * TestingBugs.truncateOnStaleAppend: re-appending the last matching entry makes the caller's
   * storage drop everything after it, even though nothing conflicted. Only uncommitted entries
   * are dropped so the node's own assertions hold and the simulator must find the damage.
   */
  private truncateAfterForTestingBug(lastNew: LogIndex, entries: readonly Entry[]): void {
    const last = entries[entries.length - 1];
    if (last === undefined || lastNew >= this.lastIndex() || lastNew < this.committed) return;
    this.unstable.truncateAndAppend([last]);
  }

  /** Appends entries after (possibly replacing) our tail; returns the new last index. */
  append(entries: readonly Entry[]): LogIndex {
    const first = entries[0];
    if (first === undefined) return this.lastIndex();
    if (first.index <= this.committed) {
      throw new AssertionError(
        `append at ${first.index} would overwrite committed entries (commit ${this.committed})`);
    }
    if (first.index > this.lastIndex() + 1) {
      throw new AssertionError(`append at ${first.index} leaves a gap`);
    }
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  commitTo(index: LogIndex): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) {
      throw new AssertionError(
        `commit ${index} is past the last index ${this.lastIndex()}: ` +
          "was the log truncated or lost?");
    }
    this.committed = index;
  }

  /** §5.4.2: commit `index` only if its entry carries `term` (the leader's current term). */
  maybeCommit(index: LogIndex, term: Term): boolean {
    if (index > this.committed && this.termOrNull(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  /** §7: the log restarts after `snapshot`, which is committed. */
  restore(snapshot: Snapshot): void {
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }

  /** The pending snapshot if any, else the stored one. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /**
   * Entries in `[lo, hi)`, stopping once their size would pass `bytesMax` (at least one entry).
   * @throws CompactedError when `lo < firstIndex()`.
   */
  slice(lo: LogIndex, hi: LogIndex, bytesMax: number): readonly Entry[] {
    if (!(lo <= hi && hi <= this.lastIndex() + 1)) { // hot: the message is built only on failure
      throw new AssertionError(`slice(${lo}, ${hi}) past ${this.lastIndex()}`);
    }
    if (lo < this.firstIndex()) throw new CompactedError(lo, this.firstIndex());
    const out: Entry[] = [];
    const offset = this.unstable.offset;
    if (lo < offset) {
      const stableHi = hi < offset ? hi : offset;
      const stored = this.storage.entries(lo, stableHi, { bytesMax });
      out.push(...stored);
      if (lo + stored.length < stableHi) return out; // the byte limit stopped the read
    }
    if (hi > offset) {
      let bytes = out.reduce((sum, e) => sum + entrySizeBytes(e), 0);
      for (const entry of this.unstable.slice(lo > offset ? lo : offset, hi)) {
        bytes += entrySizeBytes(entry);
        if (out.length > 0 && bytes > bytesMax) break;
        out.push(entry);
      }
    }
    return out;
  }

  /** Entries from `lo` to the end within `bytesMax`, or null when `lo` is compacted. */
  entriesFrom(lo: LogIndex, bytesMax: number): readonly Entry[] | null {
    if (lo > this.lastIndex()) return [];
    if (lo < this.firstIndex()) return null;
    return this.slice(lo, logIndex(this.lastIndex() + 1), bytesMax);
  }

  /**
   * The index after which committed entries are still to be handed out. A pending snapshot is
   * handed out first (the caller restores it before applying), so entries resume after it.
   */
  private applyFrom(): LogIndex {
    const snap = this.unstable.snapshot;
    const snapIndex = snap === null ? 0 : snap.metadata.index;
    return snapIndex > this.applying ? logIndex(snapIndex) : this.applying;
  }

  /** Committed entries not yet handed out, within `bytesMax`. */
  nextCommittedEntries(bytesMax: number): readonly Entry[] {
    const lo = logIndex(this.applyFrom() + 1);
    if (lo > this.committed) return [];
    return this.slice(lo, logIndex(this.committed + 1), bytesMax);
  }

  hasNextCommittedEntries(): boolean {
    return this.applyFrom() < this.committed;
  }

  acceptApplying(index: LogIndex): void {
    if (index > this.committed) {
      throw new AssertionError(`applying ${index} past the commit index ${this.committed}`);
    }
    if (index > this.applying) this.applying = index;
  }

  appliedTo(index: LogIndex): void {
    if (index > this.committed) {
      throw new AssertionError(`applied ${index} past the commit index ${this.committed}`);
    }
    if (index > this.applied) this.applied = index;
    if (index > this.applying) this.applying = index;
  }
}
