/**
 * When and how this node snapshots its state machine (§7): once `snapshotEntriesMin` entries or
 * `snapshotBytesMin` bytes were applied since the last snapshot, the image is taken
 * synchronously at the applied index (so it is exactly the state there), written with
 * `storage.createSnapshot`, and the log is compacted up to `snapshotCatchUpEntries` entries
 * behind it, so a follower that lags a little catches up from the log rather than a snapshot.
 * One snapshot is written at a time; the Ready loop waits for it before installing a leader's
 * snapshot, so storage never sees an older snapshot after a newer one.
 *
 * The snapshot records the configuration at its index (§7), not the latest one: the last
 * applied config entry's, or the installed snapshot's when none was applied since.
 */
import {
  decodeConfEntry, entrySizeBytes, logIndex, type ConfState, type Entry, type LogIndex,
  type SnapshotMetadata,
} from "../core/index.js";
import { shouldSnapshot, type StableStorage } from "../storage/index.js";
import type { NodeLimits } from "./config.js";
import type { RuntimeBugs } from "./runtime_bugs.js";

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
  /** The configuration at the applied index. */
  private appliedConf: ConfState;

  constructor(
    private readonly storage: StableStorage,
    private readonly limits: NodeLimits,
    private readonly hooks: SnapshotterHooks,
    private readonly bugs: RuntimeBugs = {},
  ) {
    const { index, confState } = storage.snapshot().metadata;
    this.index = index;
    this.appliedConf = confState;
  }

  recordApplied(entry: Entry): void {
    this.entriesSince++;
    this.bytesSince += entrySizeBytes(entry);
    if (entry.kind === "config") this.appliedConf = decodeConfEntry(entry.data).confState;
  }

  /** A snapshot from the leader replaced the state. */
  installed({ index, confState }: SnapshotMetadata): void {
    this.index = index;
    this.appliedConf = confState;
    this.entriesSince = 0;
    this.bytesSince = 0;
  }

  /** Starts a snapshot at `applied` if the policy says so and none is being written. */
  maybeSnapshot(applied: LogIndex): void {
    if (this.inFlight !== null || applied <= this.index || !this.knowsConfiguration()) return;
    const progress = { entriesSinceSnapshot: this.entriesSince, bytesSinceSnapshot: this.bytesSince };
    if (!shouldSnapshot(progress, this.limits)) return;
    this.start(applied).catch(() => undefined); // failures went to hooks.failed
  }

  /**
   * Snapshots at `applied` now, whatever the policy says; resolves with the newest snapshot's
   * index. The caller makes sure no Ready is being handled and no snapshot is being written.
   * @throws the storage's error (the node has then failed through hooks.failed).
   */
  snapshotNow(applied: LogIndex): Promise<LogIndex> {
    if (this.inFlight !== null || applied <= this.index || !this.knowsConfiguration()) {
      return Promise.resolve(this.index);
    }
    return this.start(applied).then(() => this.index);
  }

  /**
   * Whether the node knows the configuration at its applied index. A node that joined with an
   * empty configuration and catches up through the log from before its own addition does not
   * (the bootstrap configuration is in the founders' storage, not in the log): a snapshot then
   * would record no voters at an index where the committed configuration has them (§7: a
   * snapshot records the configuration at its index), so it waits until it has applied one.
   */
  private knowsConfiguration(): boolean {
    return this.appliedConf.voters.length > 0 || this.appliedConf.votersOutgoing.length > 0;
  }

  private start(applied: LogIndex): Promise<void> {
    const image = this.hooks.takeImage();
    this.entriesSince = 0;
    this.bytesSince = 0;
    const conf = this.bugs.snapshotConfFromStorage === true
      ? this.storage.initialState().confState
      : this.appliedConf;
    const written = this.write(applied, conf, image);
    this.inFlight = written
      .catch((error: unknown) => {
        this.hooks.failed(error);
      })
      .finally(() => {
        this.inFlight = null;
      });
    return written;
  }

  private async write(index: LogIndex, confState: ConfState, image: Uint8Array): Promise<void> {
    await this.storage.createSnapshot(index, confState, image);
    if (index > this.index) this.index = index;
    const compactTo = index - this.limits.snapshotCatchUpEntries;
    if (compactTo >= this.storage.firstIndex()) await this.storage.compact(logIndex(compactTo));
    this.hooks.taken(index);
  }
}
