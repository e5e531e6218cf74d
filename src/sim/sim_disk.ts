/**
 * A `StableStorage` with a simulated disk's faults. Every write is visible at once (as a page
 * cache makes it) and durable only after a seeded fsync latency; saves complete in order. On a
 * crash the unsynced saves are lost, or (the `torn` fault) a prefix of the oldest one's records
 * survives: entries in order, the hard state last, as a write-ahead log would leave them; a save
 * carrying a snapshot is all-or-nothing (a snapshot is written to its own file and renamed).
 * With `eio`, an fsync can fail: the disk is then fail-stop (storage/fail_stop.ts), as DiskStorage
 * is, and every later operation fails with the same DiskFailedError.
 *
 * `durable` (a MemoryStorage) is the platter: it survives crashes, and a restarted incarnation
 * reads a copy of it. Snapshots and compaction are durable at once (own file, then rename).
 */
import type { ConfState, Entry, HardState, Snapshot } from "../core/messages.js";
import type { InitialState } from "../core/storage.js";
import { logIndex, type LogIndex, type Term } from "../core/types.js";
import type { SeededRng } from "../core/rng.js";
import { FailStop } from "../storage/fail_stop.js";
import { MemoryStorage } from "../storage/memory_storage.js";
import type { SaveBatch, StableStorage } from "../storage/stable_storage.js";
import type { FaultPlan } from "./faults.js";
import type { SimHost } from "./sim_host.js";

interface PendingSave {
  readonly batch: SaveBatch;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export interface SimDiskHooks {
  /** A save became durable (the checker's durable hard state). */
  readonly durable: (hardState: HardState | null) => void;
  readonly trace: (line: string) => void;
}

export class SimDisk implements StableStorage {
  private readonly visible: MemoryStorage;
  private readonly pending: PendingSave[] = [];
  private readonly failStop = new FailStop();
  private lastDoneNs = 0;
  private crashed = false;

  constructor(
    private readonly name: string,
    private readonly durable: MemoryStorage,
    private readonly host: SimHost,
    private readonly rng: SeededRng,
    private readonly plan: FaultPlan,
    private readonly hooks: SimDiskHooks,
  ) {
    this.visible = copyStorage(durable);
  }

  save(batch: SaveBatch): Promise<void> {
    if (this.crashed) return new Promise<void>(() => undefined); // the process is gone
    if (this.failStop.error !== null) return Promise.reject(this.failStop.error);
    this.visible.saveSync(batch);
    const { fsyncMinNs, fsyncMaxNs } = this.plan;
    const delayNs = fsyncMinNs + this.rng.nextInt(Math.max(1, fsyncMaxNs - fsyncMinNs));
    const nowNs = Math.round(this.host.nowMs() * 1_000_000);
    const doneNs = Math.max(nowNs + delayNs, this.lastDoneNs);
    this.lastDoneNs = doneNs;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      this.host.afterNs(doneNs - nowNs, () => { this.complete(); });
    });
  }

  /** The oldest unsynced save reached the platter, or its fsync failed (EIO). */
  private complete(): void {
    const save = this.pending.shift();
    if (save === undefined || this.crashed) return;
    if (this.failStop.error !== null) {
      save.reject(this.failStop.error);
      return;
    }
    if (this.plan.eioRate > 0 && this.rng.nextFloat() < this.plan.eioRate) {
      this.hooks.trace(`eio ${this.name}`);
      save.reject(this.failStop.fail("fsync", `${this.name}/wal`, new Error("EIO")));
      return;
    }
    this.persist(save.batch);
    this.hooks.durable(save.batch.hardState);
    save.resolve();
  }

  /** The process died: unsynced saves are lost, or the oldest is torn. Nothing settles. */
  crash(): void {
    if (this.crashed) return;
    this.crashed = true;
    const oldest = this.pending[0];
    this.pending.length = 0;
    if (oldest !== undefined) this.persistTorn(oldest.batch);
  }

  private persistTorn(batch: SaveBatch): void {
    const tornRate = this.plan.tornRate;
    if (tornRate === 0 || this.rng.nextFloat() >= tornRate) return;
    if (batch.snapshot !== null) return; // all-or-nothing, and the crash came first: nothing
    const records = batch.entries.length + (batch.hardState === null ? 0 : 1);
    const kept = this.rng.nextInt(records + 1);
    const entries = batch.entries.slice(0, kept);
    const hardState = kept === records ? batch.hardState : null;
    if (entries.length === 0 && hardState === null) return;
    this.hooks.trace(`torn ${this.name} ${kept}/${records}`);
    this.persist({ snapshot: null, entries, hardState });
    this.hooks.durable(hardState);
  }

  /**
   * Writes `batch` to the platter. Entries a snapshot written since already covers are skipped,
   * as a write-ahead log's replay skips records behind the snapshot.
   */
  private persist(batch: SaveBatch): void {
    const snapshotIndex = this.durable.snapshot().metadata.index;
    const covered = batch.snapshot === null && (batch.entries[0]?.index ?? Infinity) <= snapshotIndex;
    const entries = covered ? batch.entries.filter((e) => e.index > snapshotIndex) : batch.entries;
    this.durable.saveSync(covered ? { ...batch, entries } : batch);
  }

  createSnapshot(index: LogIndex, confState: ConfState, data: Uint8Array): Promise<Snapshot> {
    if (this.failStop.error !== null) return Promise.reject(this.failStop.error);
    const snapshot = this.visible.createSnapshotSync(index, confState, data);
    if (!this.crashed) {
      if (index <= this.durable.lastIndex()) this.durable.createSnapshotSync(index, confState, data);
      else this.durable.saveSync({ snapshot, entries: [], hardState: null });
    }
    return Promise.resolve(snapshot);
  }

  compact(index: LogIndex): Promise<void> {
    if (this.failStop.error !== null) return Promise.reject(this.failStop.error);
    this.visible.compactSync(index);
    const durableTo = Math.min(index, this.durable.snapshot().metadata.index);
    if (!this.crashed && durableTo >= this.durable.firstIndex()) {
      this.durable.compactSync(logIndex(durableTo));
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  initialState(): InitialState {
    return this.visible.initialState();
  }

  entries(lo: LogIndex, hi: LogIndex, options: { bytesMax: number }): readonly Entry[] {
    return this.visible.entries(lo, hi, options);
  }

  term(index: LogIndex): Term {
    return this.visible.term(index);
  }

  firstIndex(): LogIndex {
    return this.visible.firstIndex();
  }

  lastIndex(): LogIndex {
    return this.visible.lastIndex();
  }

  snapshot(): Snapshot {
    return this.visible.snapshot();
  }
}

/** A MemoryStorage holding what `source` holds (entries behind its snapshot are left out). */
export function copyStorage(source: MemoryStorage): MemoryStorage {
  const snapshot = source.snapshot();
  const copy = new MemoryStorage(snapshot.metadata.confState);
  if (snapshot.metadata.index > 0) copy.saveSync({ snapshot, entries: [], hardState: null });
  const first = Math.max(source.firstIndex(), snapshot.metadata.index + 1);
  const last = source.lastIndex();
  const entries = first <= last
    ? source.entries(logIndex(first), logIndex(last + 1), { bytesMax: Infinity })
    : [];
  copy.saveSync({ hardState: source.initialState().hardState, entries, snapshot: null });
  return copy;
}
