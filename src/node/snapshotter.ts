/**
 * When and how this node snapshots its state machine (§7): once `snapshotEntriesMin` entries or
 * `snapshotBytesMin` bytes were applied since the last snapshot, the image is taken
 * synchronously at the applied index (so it is exactly the state there), written with
 * `storage.createSnapshot`, and the log is compacted up to `snapshotCatchUpEntries` entries
 * behind it, so a follower that lags a little catches up from the log rather than a snapshot.
 * One snapshot is written at a time; the Ready loop waits for it before installing a leader's
 * snapshot, so storage never sees an older snapshot after a newer one.
 */
import { entrySizeBytes, logIndex, type Entry, type LogIndex } from "../core/index.js";
import { shouldSnapshot, type StableStorage } from "../storage/index.js";
import type { NodeLimits } from "./config.js";

export interface SnapshotterHooks {
  /** The state machine's image, as of the last applied entry. */
  readonly takeImage: () => Uint8Array;
  readonly taken: (index: LogIndex) => void;
  readonly failed: (error: unknown) => void;
}

export class Snapshotter {
  /** The index of the newest snapshot (taken here or installed from the leader). */
  index: LogIndex;
  /** The snapshot being written, if any. */
  inFlight: Promise<void> | null = null;
  private entriesSince = 0;
  private bytesSince = 0;

  constructor(
    private readonly storage: StableStorage,
    private readonly limits: NodeLimits,
    private readonly hooks: SnapshotterHooks,
  ) {
    this.index = storage.snapshot().metadata.index;
  }

  recordApplied(entry: Entry): void {
    this.entriesSince++;
    this.bytesSince += entrySizeBytes(entry);
  }

  /** A snapshot from the leader replaced the state. */
  installed(index: LogIndex): void {
    this.index = index;
    this.entriesSince = 0;
    this.bytesSince = 0;
  }

  /** Starts a snapshot at `applied` if the policy says so and none is being written. */
  maybeSnapshot(applied: LogIndex): void {
    if (this.inFlight !== null || applied <= this.index) return;
    const progress = { entriesSinceSnapshot: this.entriesSince, bytesSinceSnapshot: this.bytesSince };
    if (!shouldSnapshot(progress, this.limits)) return;
    const image = this.hooks.takeImage();
    this.entriesSince = 0;
    this.bytesSince = 0;
    this.inFlight = this.write(applied, image)
      .catch((error: unknown) => {
        this.hooks.failed(error);
      })
      .finally(() => {
        this.inFlight = null;
      });
  }

  private async write(index: LogIndex, image: Uint8Array): Promise<void> {
    const { confState } = this.storage.initialState();
    await this.storage.createSnapshot(index, confState, image);
    if (index > this.index) this.index = index;
    const compactTo = index - this.limits.snapshotCatchUpEntries;
    if (compactTo >= this.storage.firstIndex()) await this.storage.compact(logIndex(compactTo));
    this.hooks.taken(index);
  }
}
