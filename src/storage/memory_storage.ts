/**
 * Stable storage held in memory: what the simulator and the Maelstrom node use, and the reference
 * the disk implementation is compared with by the compliance suite. Besides the asynchronous
 * `StableStorage` methods it offers synchronous twins (`saveSync`, ...) so a deterministic
 * simulator can drive it without an event loop.
 *
 * The log itself is an `EntryLog`, the same in-memory log DiskStorage serves its reads from, so
 * the two implementations share their range, term and append rules (and their errors).
 */
import type { ConfState, Entry, HardState, Snapshot } from "../core/messages.js";
import type { InitialState } from "../core/storage.js";
import { assert, INDEX_ZERO, TERM_ZERO, type LogIndex, type Term } from "../core/types.js";
import { EntryLog } from "./entry_log.js";
import type { SaveBatch, StableStorage } from "./stable_storage.js";

const EMPTY = new Uint8Array(0);

export class MemoryStorage implements StableStorage {
  private hardState: HardState = { term: TERM_ZERO, vote: null, commit: INDEX_ZERO };
  private snap: Snapshot;
  /** Starts after the last compaction point, which is at or below the snapshot's index. */
  private readonly log = new EntryLog(INDEX_ZERO, TERM_ZERO);

  /** A fresh storage for a node of a new cluster whose membership is `confState`. */
  constructor(confState: ConfState) {
    this.snap = { metadata: { index: INDEX_ZERO, term: TERM_ZERO, confState }, data: EMPTY };
  }

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  firstIndex(): LogIndex {
    return this.log.firstIndex();
  }

  lastIndex(): LogIndex {
    return this.log.lastIndex();
  }

  /** @throws CompactedError below the log start; LogUnavailableError past `lastIndex()`. */
  term(index: LogIndex): Term {
    return this.log.term(index);
  }

  /** @throws CompactedError if `lo` is compacted; LogUnavailableError past `lastIndex() + 1`. */
  entries(lo: LogIndex, hi: LogIndex, options: { bytesMax: number }): readonly Entry[] {
    return this.log.entries(lo, hi, options.bytesMax);
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  save(batch: SaveBatch): Promise<void> {
    this.saveSync(batch);
    return Promise.resolve();
  }

  saveSync(batch: SaveBatch): void {
    if (batch.snapshot !== null) this.applySnapshot(batch.snapshot);
    this.log.append(batch.entries);
    if (batch.hardState !== null) this.hardState = batch.hardState;
  }

  createSnapshot(index: LogIndex, confState: ConfState, data: Uint8Array): Promise<Snapshot> {
    return Promise.resolve(this.createSnapshotSync(index, confState, data));
  }

  createSnapshotSync(index: LogIndex, confState: ConfState, data: Uint8Array): Snapshot {
    assert(index >= this.snap.metadata.index, `snapshot at ${index} is older than the current one`);
    assert(index <= this.lastIndex(), `snapshot at ${index} is past the last index ${this.lastIndex()}`);
    this.snap = { metadata: { index, term: this.log.term(index), confState }, data };
    return this.snap;
  }

  compact(index: LogIndex): Promise<void> {
    this.compactSync(index);
    return Promise.resolve();
  }

  compactSync(index: LogIndex): void {
    if (index <= this.log.offset()) return;
    assert(index <= this.snap.metadata.index, `compact(${index}) past the snapshot at ${this.snap.metadata.index}`);
    this.log.compact(index);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private applySnapshot(snapshot: Snapshot): void {
    assert(
      snapshot.metadata.index >= this.snap.metadata.index,
      `snapshot at ${snapshot.metadata.index} is older than the stored one at ${this.snap.metadata.index}`,
    );
    this.snap = snapshot;
    this.log.reset(snapshot.metadata.index, snapshot.metadata.term);
  }
}
