/**
 * The stable storage the core reads (the "Storage" of etcd-io/raft). The core never writes it:
 * the runtime persists what `Ready` hands out and then calls `advance`. Reads are synchronous so
 * the core stays pure; a disk implementation keeps an in-memory index over its write-ahead log.
 *
 * Log positions: entries `firstIndex() .. lastIndex()` are readable; the entry just before
 * `firstIndex()` is covered by the snapshot, whose index and term `term()` still answers.
 */
import type { ConfState, Entry, HardState, Snapshot } from "./messages.js";
import type { LogIndex, Term } from "./types.js";

export interface InitialState {
  readonly hardState: HardState;
  readonly confState: ConfState;
}

export interface Storage {
  /** The persisted hard state and the membership at the latest snapshot or config entry. */
  initialState(): InitialState;
  /**
   * Entries in `[lo, hi)`, stopping early once their encoded size would pass `bytesMax`
   * (but always at least one entry when `lo < hi`).
   * @throws CompactedError if `lo < firstIndex()`; LogUnavailableError if `hi > lastIndex() + 1`.
   */
  entries(lo: LogIndex, hi: LogIndex, options: { bytesMax: number }): readonly Entry[];
  /**
   * The term of the entry at `index`, for `firstIndex() - 1 <= index <= lastIndex()`.
   * @throws CompactedError below that range; LogUnavailableError above it.
   */
  term(index: LogIndex): Term;
  /** The index of the first entry still in the log (snapshot index + 1). */
  firstIndex(): LogIndex;
  /** The index of the last entry (the snapshot index when the log is empty). */
  lastIndex(): LogIndex;
  /** The newest snapshot, or one with index 0 and empty data when there is none. */
  snapshot(): Snapshot;
}

/** Encoded size of an entry, as counted against every byte limit. */
export function entrySizeBytes(entry: Entry): number {
  return entry.data.byteLength + 24;
}
