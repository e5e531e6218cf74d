/**
 * The leader's view of one follower's log (etcd-io/raft's Progress): `match` is the highest index
 * known to be replicated there, `next` the next index to send. Flow control by state:
 *   probe:     one AppendEntries at a time, then wait for a response (or a heartbeat response);
 *   replicate: pipeline up to `inflightMessagesMax` appends, optimistically advancing `next`;
 *   snapshot:  an InstallSnapshot is in flight; send nothing else until it is answered.
 * Invariant: match < next.
 */
import { Inflights } from "./inflights.js";
import type { ProgressStatus } from "./ready.js";
import { AssertionError, assertNever, logIndex, type LogIndex } from "./types.js";

export type ProgressState = ProgressStatus["state"];

export class Progress {
  match: LogIndex;
  next: LogIndex;
  state: ProgressState = "probe";
  /** In snapshot state: the index of the snapshot sent. */
  pendingSnapshot: LogIndex = logIndex(0);
  /** Heard from since the last check-quorum round. */
  recentActive = true;
  /** Probe: an append is out; replicate: inflights are full. */
  paused = false;
  /** The commit index carried by the last AppendEntries sent. */
  commitSent: LogIndex = logIndex(0);
  /**
   * The highest index this follower waits to see committed: the last entry it forwarded, or a
   * read index it was given. Only up to here is a commit worth an empty AppendEntries
   * (replication.ts `flushReplication`); otherwise the next append or heartbeat carries it.
   */
  commitWanted: LogIndex = logIndex(0);
  /** Ticks spent in snapshot state; a lost InstallSnapshot is retried after a timeout. */
  snapshotElapsedTicks = 0;
  readonly inflights: Inflights;

  constructor(options: { match: LogIndex; next: LogIndex; inflightMessagesMax: number }) {
    this.match = options.match;
    this.next = options.next;
    this.inflights = new Inflights(options.inflightMessagesMax);
    this.assertInvariant();
  }

  private assertInvariant(): void {
    if (this.match >= this.next) {
      throw new AssertionError(`progress invariant match ${this.match} < next ${this.next}`);
    }
  }

  private resetState(state: ProgressState): void {
    this.paused = false;
    this.pendingSnapshot = logIndex(0);
    this.snapshotElapsedTicks = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === "snapshot") {
      const pending = this.pendingSnapshot;
      this.resetState("probe");
      this.next = logIndex(Math.max(this.match + 1, pending + 1));
    } else {
      this.resetState("probe");
      this.next = logIndex(this.match + 1);
    }
    this.assertInvariant();
  }

  becomeReplicate(): void {
    this.resetState("replicate");
    this.next = logIndex(this.match + 1);
  }

  becomeSnapshot(snapshotIndex: LogIndex): void {
    this.resetState("snapshot");
    this.pendingSnapshot = snapshotIndex;
    this.next = logIndex(Math.max(this.match, snapshotIndex) + 1);
  }

  /** Records that an append of `entries` ending at `lastIndex` was sent. */
  sentEntries(entries: number, lastIndex: LogIndex): void {
    if (entries === 0) return;
    if (this.state === "replicate") {
      // Optimistic: assume delivery and keep pipelining; §5.3 stays safe under loss because the
      // follower rejects an append that leaves a gap.
      this.next = logIndex(lastIndex + 1);
      this.inflights.add(lastIndex);
      this.paused = this.inflights.full();
    } else if (this.state === "probe") {
      this.paused = true;
    }
  }

  /** The follower acknowledged `index`; returns whether `match` moved (stale acks do not). */
  maybeUpdate(index: LogIndex): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      this.paused = false;
      updated = true;
    }
    if (this.next < index + 1) this.next = logIndex(index + 1);
    this.assertInvariant();
    return updated;
  }

  /**
   * The follower rejected an append at `rejected`; `probeHint` is where to try next. Returns
   * false for a stale rejection (one that does not match what we last sent).
   */
  maybeDecrTo(rejected: LogIndex, probeHint: LogIndex): boolean {
    if (this.state === "replicate") {
      if (rejected <= this.match) return false;
      this.next = logIndex(this.match + 1);
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = logIndex(Math.max(Math.min(rejected, probeHint + 1), this.match + 1));
    this.paused = false;
    this.assertInvariant();
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case "probe":
      case "replicate":
        return this.paused;
      case "snapshot":
        return true;
      default:
        return assertNever(this.state, "progress state");
    }
  }

  status(): ProgressStatus {
    const { match, next, state, recentActive } = this;
    return { match, next, state, recentActive };
  }
}
