/**
 * The Ready loop (ARCHITECTURE.md, "The core contract"): the one place outside the core where its
 * output is carried out. It handles one Ready at a time, in order:
 *   1. persist hard state, entries and any snapshot with ONE `storage.save` (group commit);
 *   2. only once that resolved, send the Ready's messages (Figure 2: never promise a peer what
 *      is not durable; a vote or an AppendEntries ack depends on it);
 *   3. apply the snapshot, then the committed entries, settling this node's proposals;
 *   4. `advance`, then release read barriers whose index is applied.
 * Read points (readStates) are recorded, and reads already applied released, before the save:
 * they depend on no disk write.
 * While a save is in flight, messages, ticks and proposals keep stepping into the core, so the
 * next Ready carries all of them and the next save makes them durable with one fsync. Two
 * orderings are relaxed where the paper allows it: a leader's replication messages leave while
 * its own save runs (§10.2.1), and committed entries already durable here are applied at once.
 */
import {
  maySendBeforePersist, type Message, type RaftNode, type Ready, type Term, type LogIndex,
} from "../core/index.js";
import type { StableStorage } from "../storage/index.js";
import type { Transport } from "../transport/index.js";
import type { Applier } from "./applier.js";
import type { RuntimeHost } from "./host.js";
import type { MembershipTracker } from "./membership_tracker.js";
import type { NodeObserver } from "./observer.js";
import type { PendingReads } from "./pending_reads.js";
import type { RuntimeBugs } from "./runtime_bugs.js";
import type { Snapshotter } from "./snapshotter.js";
import type { NodeRunState } from "./status.js";

export interface ReadyLoopParts<R> {
  readonly raft: RaftNode;
  readonly storage: StableStorage;
  readonly transport: Transport;
  readonly host: RuntimeHost;
  readonly observer: NodeObserver;
  readonly snapshots: Snapshotter;
  readonly tracker: MembershipTracker;
  readonly applier: Applier<R>;
  readonly reads: PendingReads;
  readonly bugs: RuntimeBugs;
  /** Only a running node takes a new Ready; a failed one abandons the Ready in progress. */
  readonly runState: () => NodeRunState;
  /** Fail-stop with `error` (a failed save, a throwing state machine, an assertion). */
  readonly fail: (error: unknown) => void;
  /** After each Ready: role, leader and applied progress, for logs and events. */
  readonly report: (rd: Ready) => void;
}

export interface SaveInFlight {
  readonly startMs: number;
  readonly lastIndex: LogIndex;
}

export class ReadyLoop<R> {
  private scheduled = false;
  private loop: Promise<void> | null = null;
  /** When the Ready being handled was taken (one at a time), for `readyFinished`. */
  private takenMs = 0;
  /** The term on disk: a leader's messages of this term may leave before its fsync. */
  private durableTerm: Term;
  /** The last log index on disk. */
  private durableLastIndex: LogIndex;
  /** The synced save in flight, if any (stall_watch.ts watches how long it takes). */
  private syncing: SaveInFlight | null = null;

  constructor(private readonly parts: ReadyLoopParts<R>) {
    this.durableTerm = parts.storage.initialState().hardState.term;
    this.durableLastIndex = parts.storage.lastIndex();
  }

  /** The synced save in flight: when it started and the last log index it makes durable. */
  get saveInFlight(): SaveInFlight | null {
    return this.syncing;
  }

  /** The Ready being handled, if any (a stop waits for it). */
  get inProgress(): Promise<void> | null {
    return this.loop;
  }

  /** Resolves once no Ready is being handled and no snapshot is being written. */
  async idle(): Promise<void> {
    for (;;) {
      const { loop } = this;
      const inFlight = this.parts.snapshots.inFlight;
      if (loop === null && inFlight === null) return;
      await loop;
      await inFlight;
    }
  }

  /** Runs the loop on the next turn, so a burst of inputs lands in one Ready. */
  schedule(): void {
    const { raft, host } = this.parts;
    if (this.scheduled || this.loop !== null || !this.running() || !raft.hasReady()) return;
    this.scheduled = true;
    host.defer(() => {
      this.scheduled = false;
      if (this.loop === null) this.drain();
    });
  }

  /**
   * Handles Readys until the core has none left. A Ready that must wait (for its save, or for
   * a snapshot being written) continues the loop once it is done; one that need not wait is
   * handled synchronously, without a promise.
   */
  private drain(): void {
    const { raft } = this.parts;
    try {
      while (this.running() && raft.hasReady()) {
        const pending = this.handle(raft.ready());
        if (pending === null) continue;
        this.loop = pending.then(() => {
          this.loop = null;
          this.drain();
        }, (error: unknown) => {
          this.loop = null;
          this.parts.fail(error);
        });
        return;
      }
    } catch (error) {
      this.parts.fail(error);
    }
  }

  /** Handles one Ready; returns what it still waits for, or null when it is done. */
  private handle(rd: Ready): Promise<void> | null {
    const { tracker, snapshots, observer, host } = this.parts;
    this.takenMs = host.nowMs();
    observer.readyTaken?.(rd);
    const trace = observer.writeStage;
    if (trace !== undefined) {
      const last = rd.entries.at(-1);
      if (last !== undefined) trace("appended", last.index);
      const committed = rd.committedEntries.at(-1);
      if (committed !== undefined) trace("committed", committed.index);
    }
    tracker.noteReady(rd); // links new members before any message goes out
    // 1. Persist. An own snapshot being written must land before a leader's newer one.
    const inFlight = rd.snapshot === null ? null : snapshots.inFlight;
    if (inFlight !== null) return inFlight.then(() => this.persist(rd) ?? undefined);
    return this.persist(rd);
  }

  private persist(rd: Ready): Promise<void> | null {
    const saving = this.startSave(rd);
    // §10.2.1: a leader's replication messages go out while its own fsync runs (the core counts
    // its own copy only after `advance`); everything else waits for the disk (Figure 2).
    const late = rd.mustSync ? this.sendEarly(rd.messages) : rd.messages;
    // Committed entries already durable here need not wait for this save either.
    let appliedEarly = 0;
    if (rd.snapshot === null) {
      const limit = Math.min(this.durableLastIndex, (rd.entries[0]?.index ?? Infinity) - 1);
      const durable = rd.committedEntries.findIndex((entry) => entry.index > limit);
      appliedEarly = durable < 0 ? rd.committedEntries.length : durable;
      if (appliedEarly > 0) this.parts.applier.applyEntries(rd.committedEntries.slice(0, appliedEarly));
    }
    // Read points need no disk: a read confirmed by the leader is served as soon as this node
    // has applied its index, not after this Ready's fsync (reads do not queue behind writes).
    if (rd.readStates.length > 0) {
      const { reads, applier } = this.parts;
      for (const readState of rd.readStates) reads.confirmed(readState.context, readState.index);
      reads.release(applier.appliedIndex);
    }
    const waiting = saving === null ? null : this.awaitSave(saving);
    if (waiting === null) {
      this.finish(rd, late, appliedEarly);
      return null;
    }
    return waiting.then(() => {
      this.finish(rd, late, appliedEarly);
    });
  }

  /** Steps 2-4, once everything the rest of the Ready depends on is durable. */
  private finish(rd: Ready, late: readonly Message[], appliedEarly: number): void {
    if (this.parts.runState() === "failed") return;
    const { applier, raft, reads, snapshots, bugs } = this.parts;
    this.recordDurable(rd);
    // 2. Send, now that everything the remaining messages depend on is durable.
    for (const message of late) this.send(message);
    // 3. Apply.
    if (rd.snapshot !== null) applier.applySnapshot(rd.snapshot);
    applier.applyEntries(appliedEarly === 0 ? rd.committedEntries : rd.committedEntries.slice(appliedEarly));
    if (bugs.applyBeforeCommit === true) {
      applier.applyEntries(rd.entries.filter((entry) => entry.index > applier.appliedIndex));
    }
    // 4. Advance, then serve reads and report.
    raft.advance(rd);
    reads.release(applier.appliedIndex);
    this.parts.report(rd);
    this.parts.observer.readyFinished?.((this.parts.host.nowMs() - this.takenMs) / 1000);
    if (this.running()) snapshots.maybeSnapshot(applier.appliedIndex);
  }

  private running(): boolean {
    return this.parts.runState() === "running";
  }

  /** What to wait for before the rest; RuntimeBugs.ackBeforeDurable lets a leader skip it. */
  private awaitSave(saving: Promise<void>): Promise<void> | null {
    if (this.parts.bugs.ackBeforeDurable === true && this.parts.raft.status().role === "leader") {
      saving.catch((error: unknown) => {
        this.parts.fail(error);
      });
      return null;
    }
    return saving;
  }

  /** Starts the Ready's save; returns what to await before the rest may go out, if anything. */
  private startSave(rd: Ready): Promise<void> | null {
    if (rd.hardState === null && rd.entries.length === 0 && rd.snapshot === null) return null;
    const { storage, host, observer } = this.parts;
    const saved = storage.save({
      hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot, sync: rd.mustSync,
    });
    if (!rd.mustSync) {
      // Only the commit index changed: it need not be durable before sending, nor cost an fsync
      // (etcd does the same); the storage writes it with the next synced save.
      saved.catch((error: unknown) => {
        this.parts.fail(error);
      });
      return null;
    }
    const startMs = host.nowMs();
    const lastIndex = rd.entries[rd.entries.length - 1]?.index
      ?? rd.snapshot?.metadata.index ?? this.durableLastIndex;
    const syncing = { startMs, lastIndex };
    this.syncing = syncing;
    const hook = observer.saveDurable;
    const trace = observer.writeStage;
    const lastEntry = rd.entries.at(-1)?.index;
    if (trace !== undefined && lastEntry !== undefined) trace("fsyncStart", lastEntry);
    let entryBytes = 0;
    if (hook !== undefined) for (const entry of rd.entries) entryBytes += entry.data.byteLength;
    return saved.then(() => {
      if (this.syncing === syncing) this.syncing = null;
      hook?.((host.nowMs() - startMs) / 1000, entryBytes);
      if (trace !== undefined && lastEntry !== undefined) trace("fsyncEnd", lastEntry);
    });
  }

  /** Sends the messages that may precede the save; returns the ones that must wait for it. */
  private sendEarly(messages: readonly Message[]): readonly Message[] {
    const late: Message[] = [];
    for (const message of messages) {
      if (maySendBeforePersist(message, this.durableTerm)) this.send(message);
      else late.push(message);
    }
    return late;
  }

  private send(message: Message): void {
    this.parts.transport.send(message);
    const trace = this.parts.observer.writeStage;
    if (trace === undefined) return;
    if (message.type === "AppendEntries") {
      const last = message.entries.at(-1);
      if (last !== undefined) trace("sent", last.index);
    } else if (message.type === "AppendEntriesResponse" && !message.reject) {
      trace("ackSent", message.index);
    }
  }

  /** What the finished save made durable: the term messages may carry, and the log's end. */
  private recordDurable(rd: Ready): void {
    if (rd.hardState !== null) this.durableTerm = rd.hardState.term;
    if (rd.snapshot !== null) this.durableLastIndex = rd.snapshot.metadata.index;
    const last = rd.entries[rd.entries.length - 1];
    if (last !== undefined) this.durableLastIndex = last.index;
  }
}
