/**
 * Durable stable storage: a write-ahead log of segment files plus snapshot files in one
 * directory (flat, so one directory fsync covers every create, rename and delete).
 *
 * - Hard state lives in the WAL with the entries (not in a separate file): one fdatasync makes a
 *   whole Ready durable, entries and vote together, and every segment header repeats the hard
 *   state so deleting old segments never loses it.
 * - Reads are synchronous and served from memory (the core is pure): every entry since the last
 *   compaction is kept in an `EntryLog`; memory is bounded by snapshots + `compact`.
 * - Writes are applied to memory at once (so later saves compose with them) and acknowledged only
 *   once durable; concurrent saves share one fdatasync (see wal/wal.ts).
 * - Any disk error is fail-stop: that call and every later one fail with the same
 *   `DiskFailedError`.
 */
import type { ConfState, Entry, HardState, Snapshot } from "../core/messages.js";
import type { InitialState } from "../core/storage.js";
import { assert, type LogIndex, type Term } from "../core/types.js";
import { recoverDirectory, type RecoveryReport } from "./disk_recovery.js";
import type { EntryLog } from "./entry_log.js";
import { FailStop } from "./fail_stop.js";
import { resolveDiskStorageOptions, type DiskStorageOptions, type ResolvedDiskStorageOptions } from "./options.js";
import { decodeSnapshot, snapshotFileName, writeSnapshotFile } from "./snapshot_file.js";
import type { SaveBatch, StableStorage } from "./stable_storage.js";
import { encodeRecord, encodeRecords, type WalRecord } from "./wal/record.js";
import { logEnd, type SegmentInfo } from "./wal/recovery.js";
import { segmentFileName } from "./wal/segment.js";
import { Wal, type WalJob } from "./wal/wal.js";
import { join } from "node:path";

/** Bytes an entry record's payload adds to its data (index, term, kind). */
const ENTRY_PAYLOAD_OVERHEAD_BYTES = 17;

export class DiskStorage implements StableStorage {
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly options: ResolvedDiskStorageOptions,
    private readonly failStop: FailStop,
    private readonly wal: Wal,
    private readonly log: EntryLog,
    private hardState: HardState,
    private snap: Snapshot,
    /** Indexes of the snapshot files on disk, ascending. */
    private snapshotIndexes: number[],
    /** What open() found and did. */
    readonly recoveryReport: RecoveryReport,
  ) {}

  /**
   * Opens (or creates) the data directory `dir`.
   * @throws ConfigError for bad options, or a new directory without `options.confState`.
   * @throws WalCorruptError / SnapshotCorruptError if the data cannot be trusted (the message says
   * what the operator must do); DiskFailedError if the disk fails.
   */
  static async open(dir: string, options: DiskStorageOptions = {}): Promise<DiskStorage> {
    const resolved = resolveDiskStorageOptions(options);
    const failStop = new FailStop();
    const state = await recoverDirectory({ dir, options: resolved, failStop });
    const wal = await Wal.start(
      { fs: resolved.fs, failStop, dir, segmentBytesMax: resolved.segmentBytesMax },
      state.segments,
      {
        segment: (seq) => ({ seq, name: segmentFileName(seq), baseIndex: state.nextBaseIndex }),
        records: state.firstRecords,
      },
    );
    const { report } = state;
    resolved.logger.info(
      { dir },
      `Opened ${dir}: ${report.created ? "new" : `${report.segmentsRead} segments, ${report.entriesRead} entries read`}` +
        `, snapshot at ${report.snapshotIndex}, log ${state.log.firstIndex()}..${state.log.lastIndex()}`,
    );
    return new DiskStorage(dir, resolved, failStop, wal, state.log, state.hardState, state.snapshot,
      [...state.snapshotIndexes], report);
  }

  initialState(): InitialState {
    this.assertUsable();
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  entries(lo: LogIndex, hi: LogIndex, options: { bytesMax: number }): readonly Entry[] {
    this.assertUsable();
    return this.log.entries(lo, hi, options.bytesMax);
  }

  term(index: LogIndex): Term {
    this.assertUsable();
    return this.log.term(index);
  }

  firstIndex(): LogIndex {
    this.assertUsable();
    return this.log.firstIndex();
  }

  lastIndex(): LogIndex {
    this.assertUsable();
    return this.log.lastIndex();
  }

  snapshot(): Snapshot {
    this.assertUsable();
    return this.snap;
  }

  /**
   * Makes the batch durable (see StableStorage.save); concurrent calls share one fdatasync.
   * @throws DiskFailedError if a write or sync fails, now or earlier.
   */
  async save(batch: SaveBatch): Promise<void> {
    this.assertUsable();
    const jobs: WalJob[] = [];
    const records: WalRecord[] = [];
    if (batch.snapshot !== null) {
      const snapshot = batch.snapshot;
      const { index, term } = snapshot.metadata;
      assert(index >= this.snap.metadata.index, `snapshot at ${index} is older than the stored one at ${this.snap.metadata.index}`);
      // The file must be durable before the WAL record that makes replay rely on it.
      jobs.push({ kind: "task", run: () => this.persistSnapshot(snapshot) });
      records.push({ type: "snapshotInstall", index, term });
      this.log.reset(index, term);
      this.snap = snapshot;
    }
    if (batch.entries.length > 0) {
      for (const entry of batch.entries) {
        assert(
          entry.data.byteLength + ENTRY_PAYLOAD_OVERHEAD_BYTES <= this.options.recordBytesMax,
          `entry ${entry.index} of ${entry.data.byteLength} bytes exceeds recordBytesMax`,
        );
      }
      this.log.append(batch.entries);
      for (const entry of batch.entries) records.push({ type: "entry", entry });
    }
    if (batch.hardState !== null) {
      records.push({ type: "hardState", hardState: batch.hardState });
      this.hardState = batch.hardState;
    }
    jobs.push({ kind: "records", records: [encodeRecords(records)] });
    const lazy = batch.sync === false && batch.entries.length === 0 && batch.snapshot === null;
    const durable = this.wal.submit(jobs, lazy);
    if (this.wal.isSegmentFull()) this.wal.cut((seq) => this.nextSegment(seq));
    return durable;
  }

  /**
   * Writes a snapshot file for the state machine image `data` at `index`; the snapshot becomes
   * `snapshot()` once durable.
   * @throws DiskFailedError if writing it fails.
   */
  async createSnapshot(index: LogIndex, confState: ConfState, data: Uint8Array): Promise<Snapshot> {
    this.assertUsable();
    assert(index >= this.snap.metadata.index, `snapshot at ${index} is older than the current one`);
    assert(index <= this.log.lastIndex(), `snapshot at ${index} is past the last index ${this.log.lastIndex()}`);
    const snapshot: Snapshot = { metadata: { index, term: this.log.term(index), confState }, data };
    await this.wal.submit([{ kind: "task", run: () => this.persistSnapshot(snapshot) }]);
    if (index >= this.snap.metadata.index) this.snap = snapshot;
    return snapshot;
  }

  /**
   * Drops entries up to `index` from memory, then deletes the segments and snapshot files no
   * longer needed. Enough log is kept to fall back to the previous snapshot if the newest one
   * turns out corrupt on the next open.
   * @throws DiskFailedError if a delete fails.
   */
  async compact(index: LogIndex): Promise<void> {
    this.assertUsable();
    if (index > this.log.offset()) {
      assert(index <= this.snap.metadata.index, `compact(${index}) past the snapshot at ${this.snap.metadata.index}`);
      this.log.compact(index);
    }
    await this.wal.submit([{ kind: "task", run: () => this.removeObsoleteFiles(index) }]);
  }

  /**
   * See StableStorage.reclaim: compacts to `index`, cuts to a new segment, then (as a WAL task,
   * after everything queued) reads the newest snapshot back and, if intact, deletes the segments
   * before `index` and every older snapshot (the fallback they kept is no longer needed).
   * @throws DiskFailedError if a write or delete fails; SnapshotCorruptError if the snapshot
   *   does not read back (nothing is deleted then).
   */
  async reclaim(index: LogIndex): Promise<void> {
    this.assertUsable();
    assert(index <= this.snap.metadata.index, `reclaim(${index}) past the snapshot at ${this.snap.metadata.index}`);
    if (index > this.log.offset()) this.log.compact(index);
    this.wal.cut((seq) => this.nextSegment(seq));
    await this.wal.submit([{ kind: "task", run: () => this.removeBehindVerified(index) }]);
  }

  private async removeBehindVerified(index: LogIndex): Promise<void> {
    const newest = this.snapshotIndexes.at(-1);
    if (newest === undefined || newest < index) return;
    const name = snapshotFileName(newest);
    const { fs } = this.options;
    decodeSnapshot(name, await this.failStop.run("read", name, () => fs.readFile(join(this.dir, name))));
    await this.wal.removeSegmentsBefore(index);
    const obsolete = this.snapshotIndexes.filter((i) => i < newest);
    for (const old of obsolete) {
      const file = snapshotFileName(old);
      await this.failStop.run("unlink", file, () => fs.unlink(join(this.dir, file)));
    }
    if (obsolete.length > 0) await this.failStop.run("fsync directory", this.dir, () => fs.syncDir(this.dir));
    this.snapshotIndexes = [newest];
  }

  /** Waits for queued writes, then closes the segment. Later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.wal.close();
  }

  private assertUsable(): void {
    this.failStop.throwIfFailed();
    assert(!this.closed, "storage used after close()");
  }

  private nextSegment(seq: number): { segment: SegmentInfo; header: Uint8Array } {
    const end = logEnd(this.log);
    const header = encodeRecord({
      type: "segmentHeader",
      header: { seq, baseIndex: end.index, baseTerm: end.term, hardState: this.hardState },
    });
    return { segment: { seq, name: segmentFileName(seq), baseIndex: end.index }, header };
  }

  private async persistSnapshot(snapshot: Snapshot): Promise<void> {
    await writeSnapshotFile(this.options.fs, this.failStop, this.dir, snapshot);
    const { index } = snapshot.metadata;
    if (!this.snapshotIndexes.includes(index)) {
      this.snapshotIndexes = [...this.snapshotIndexes, index].sort((a, b) => a - b);
    }
  }

  /** Runs as a WAL task, after everything queued before it is durable. */
  private async removeObsoleteFiles(index: LogIndex): Promise<void> {
    const previous = this.snapshotIndexes.at(-2);
    if (previous === undefined) return; // one snapshot: keep the whole log in case it is corrupt
    await this.wal.removeSegmentsBefore(Math.min(index, previous));
    const { fs } = this.options;
    const obsolete = this.snapshotIndexes.filter((i) => i < previous);
    for (const old of obsolete) {
      const name = snapshotFileName(old);
      await this.failStop.run("unlink", name, () => fs.unlink(join(this.dir, name)));
    }
    if (obsolete.length > 0) await this.failStop.run("fsync directory", this.dir, () => fs.syncDir(this.dir));
    this.snapshotIndexes = this.snapshotIndexes.filter((i) => i >= previous);
  }
}
