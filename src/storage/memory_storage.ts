/**
 * Stable storage held in memory: what the simulator and the Maelstrom node use, and the reference
 * the disk implementation is compared with by the compliance suite. Besides the asynchronous
 * `StableStorage` methods it offers synchronous twins (`saveSync`, ...) so a deterministic
 * simulator can drive it without an event loop.
 *
 * Layout: `ents[0]` is a dummy entry holding the snapshot's index and term; real entries follow
 * at `ents[i]` for index `snapshotIndex + i`.
 */
import type { ConfState, Entry, HardState, Snapshot } from "../core/messages.js";
import { CompactedError, UnavailableError } from "../core/errors.js";
import { entrySizeBytes, type InitialState } from "../core/storage.js";
import { assert, INDEX_ZERO, logIndex, TERM_ZERO, type LogIndex, type Term } from "../core/types.js";
import type { SaveBatch, StableStorage } from "./stable_storage.js";

const EMPTY = new Uint8Array(0);

export class MemoryStorage implements StableStorage {
  private hardState: HardState = { term: TERM_ZERO, vote: null, commit: INDEX_ZERO };
  private snap: Snapshot;
  private ents: Entry[];

  /** A fresh storage for a node of a new cluster whose membership is `confState`. */
  constructor(confState: ConfState) {
    this.snap = { metadata: { index: INDEX_ZERO, term: TERM_ZERO, confState }, data: EMPTY };
    this.ents = [dummy(INDEX_ZERO, TERM_ZERO)];
  }

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  firstIndex(): LogIndex {
    return logIndex(this.offset() + 1);
  }

  lastIndex(): LogIndex {
    return logIndex(this.offset() + this.ents.length - 1);
  }

  term(index: LogIndex): Term {
    const offset = this.offset();
    if (index < offset) throw new CompactedError(index, this.firstIndex());
    const entry = this.ents[index - offset];
    if (entry === undefined) throw new UnavailableError(index, this.lastIndex());
    return entry.term;
  }

  entries(lo: LogIndex, hi: LogIndex, options: { bytesMax: number }): readonly Entry[] {
    assert(lo <= hi, `entries(${lo}, ${hi}): lo must not exceed hi`);
    const offset = this.offset();
    if (lo <= offset) throw new CompactedError(lo, this.firstIndex());
    if (hi > this.lastIndex() + 1) throw new UnavailableError(logIndex(hi - 1), this.lastIndex());
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const entry = this.ents[i - offset];
      assert(entry !== undefined, `entry ${i} missing inside the stored range`);
      bytes += entrySizeBytes(entry);
      if (out.length > 0 && bytes > options.bytesMax) break;
      out.push(entry);
    }
    return out;
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
    if (batch.entries.length > 0) this.append(batch.entries);
    if (batch.hardState !== null) this.hardState = batch.hardState;
  }

  createSnapshot(index: LogIndex, confState: ConfState, data: Uint8Array): Promise<Snapshot> {
    return Promise.resolve(this.createSnapshotSync(index, confState, data));
  }

  createSnapshotSync(index: LogIndex, confState: ConfState, data: Uint8Array): Snapshot {
    const offset = this.offset();
    assert(index >= this.snap.metadata.index, `snapshot at ${index} is older than the current one`);
    assert(index <= this.lastIndex(), `snapshot at ${index} is past the last index ${this.lastIndex()}`);
    const entry = this.ents[index - offset];
    assert(entry !== undefined, `snapshot index ${index} not in the log`);
    this.snap = { metadata: { index, term: entry.term, confState }, data };
    return this.snap;
  }

  compact(index: LogIndex): Promise<void> {
    this.compactSync(index);
    return Promise.resolve();
  }

  compactSync(index: LogIndex): void {
    const offset = this.offset();
    if (index <= offset) return;
    assert(index <= this.snap.metadata.index, `compact(${index}) past the snapshot at ${this.snap.metadata.index}`);
    const entry = this.ents[index - offset];
    assert(entry !== undefined, `compact(${index}) past the last index ${this.lastIndex()}`);
    this.ents = [dummy(index, entry.term), ...this.ents.slice(index - offset + 1)];
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private offset(): number {
    const first = this.ents[0];
    assert(first !== undefined, "memory storage lost its dummy entry");
    return first.index;
  }

  private applySnapshot(snapshot: Snapshot): void {
    assert(
      snapshot.metadata.index >= this.snap.metadata.index,
      `snapshot at ${snapshot.metadata.index} is older than the stored one at ${this.snap.metadata.index}`,
    );
    this.snap = snapshot;
    this.ents = [dummy(snapshot.metadata.index, snapshot.metadata.term)];
  }

  private append(entries: readonly Entry[]): void {
    const first = entries[0];
    assert(first !== undefined, "append of no entries");
    const offset = this.offset();
    assert(first.index > offset, `append at ${first.index} overwrites the snapshot at ${offset}`);
    assert(first.index <= this.lastIndex() + 1, `append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    for (let i = 1; i < entries.length; i++) {
      assert(entries[i]?.index === first.index + i, "appended entries must have consecutive indexes");
    }
    this.ents.length = first.index - offset; // drop any conflicting suffix (§5.3)
    for (const entry of entries) this.ents.push(entry);
  }
}

function dummy(index: LogIndex, term: Term): Entry {
  return { index, term, kind: "noop", data: EMPTY };
}
