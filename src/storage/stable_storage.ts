/**
 * The write side of stable storage: what the runtime (or the simulator) does with a `Ready`
 * before it may send or apply anything. Every implementation (memory, disk) passes the same
 * compliance suite, `storage_compliance.ts`.
 */
import type { ConfState, Entry, HardState, Snapshot } from "../core/messages.js";
import type { Storage } from "../core/storage.js";
import type { LogIndex } from "../core/types.js";

/** The durable part of one Ready. */
export interface SaveBatch {
  readonly hardState: HardState | null;
  /** Appended after `snapshot` is installed; the first may overwrite a conflicting suffix. */
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
  /**
   * false when only the commit index changed (the Ready's `mustSync` is false): the commit index
   * need not be durable (§5.3; recovery takes at least the snapshot's index), so such a batch
   * costs no fsync of its own and is written with the next synced save or at close. Its promise
   * resolves then. Ignored (the batch is synced) when it holds entries or a snapshot.
   */
  readonly sync?: boolean;
}

export interface StableStorage extends Storage {
  /**
   * Makes the batch durable: when the returned promise resolves, a crash loses none of it.
   * A snapshot replaces every entry it covers; entries replace any conflicting suffix.
   */
  save(batch: SaveBatch): Promise<void>;
  /**
   * Records a state machine snapshot taken at `index` (<= the last applied index) and lets the
   * log before it be discarded.
   */
  createSnapshot(index: LogIndex, confState: ConfState, data: Uint8Array): Promise<Snapshot>;
  /** Discards entries up to and including `index` (which must be covered by a snapshot). */
  compact(index: LogIndex): Promise<void>;
  /**
   * Optional (disk storage): frees the disk the log behind the newest snapshot, which must be
   * at or after `index`, still holds: discards every entry up to `index`, rolls the active
   * segment so the one holding them can go, and deletes every file the snapshot makes redundant
   * once it has been read back intact. For an operator's explicit request (`raftkv snapshot`).
   */
  reclaim?(index: LogIndex): Promise<void>;
  /** Releases files and handles; the storage must not be used afterwards. */
  close(): Promise<void>;
}
