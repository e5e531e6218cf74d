/**
 * `ClusterNode`: the runtime that drives the pure Raft core with real storage, a real transport
 * and a timer, and the library's public API (propose, readBarrier, status, events, stop).
 *
 * The Ready loop (ARCHITECTURE.md, "The core contract") handles one Ready at a time, in order:
 *   1. persist hard state, entries and any snapshot with ONE `storage.save` (group commit);
 *   2. only once that resolved, send the Ready's messages (Figure 2: never promise a peer what
 *      is not durable; a vote or an AppendEntries ack depends on it);
 *   3. apply the snapshot, then the committed entries, settling this node's proposals;
 *   4. `advance`, then release read barriers whose index is applied.
 * While a save is in flight, messages, ticks and proposals keep stepping into the core, so the
 * next Ready carries all of them and the next save makes them durable with one fsync.
 */
import { randomInt } from "node:crypto";
import {
  ConfigError, maySendBeforePersist, nodeId, RaftError, RaftNode, SeededRng, type Entry,
  type LogIndex, type Message, type NodeId, type Ready, type RoleName, type Snapshot, type Status,
  type Term,
} from "../core/index.js";
import { ProposalDroppedError } from "../core/index.js";
import type { StableStorage } from "../storage/index.js";
import { silentLogger, type Transport } from "../transport/index.js";
import { resolveNodeLimits, toRaftConfig, type NodeLimits } from "./config.js";
import { encodeEnvelope } from "./envelope.js";
import { EntryApplier } from "./entry_applier.js";
import { NodeStoppedError, OutcomeUnknownError } from "./errors.js";
import { NodeEventEmitter, type NodeEventListener, type NodeEventName } from "./events.js";
import { observeProposal, type NodeObserver } from "./observer.js";
import type {
  CatchUpOptions, ClusterAdmin, MemberAddresses, MemberInfo, TransferOptions,
} from "./admin.js";
import { AddressBook } from "./address_book.js";
import { MembershipAdmin } from "./membership_admin.js";
import {
  initialConfState, membersFileOf, openNodeStorage, seedAddresses, type ClusterNodeOptions,
  type NodeLogger,
} from "./options.js";
import { PendingProposals } from "./pending_proposals.js";
import { PendingReads } from "./pending_reads.js";
import { ProposalValidator, type NodeTestingHooks } from "./proposal_validation.js";
import { Snapshotter } from "./snapshotter.js";
import type { StateMachine } from "./state_machine.js";
import { toNodeStatus, type NodeRunState, type NodeStatus } from "./status.js";
import { tickClockFor, type TickClock } from "./tick_clock.js";

const INCARNATION_MAX = 2 ** 48 - 1;
type Members = readonly MemberInfo[];


interface Parts<R> {
  readonly id: NodeId;
  readonly raft: RaftNode;
  readonly storage: StableStorage;
  readonly transport: Transport;
  readonly stateMachine: StateMachine<R>;
  readonly limits: NodeLimits;
  readonly logger: NodeLogger;
  readonly observer: NodeObserver;
  readonly book: AddressBook;
  readonly testing: NodeTestingHooks;
}

export class ClusterNode<R> implements ClusterAdmin {
  readonly id: NodeId;
  readonly limits: NodeLimits;
  private readonly raft: RaftNode;
  private readonly storage: StableStorage;
  private readonly transport: Transport;
  private readonly stateMachine: StateMachine<R>;
  private readonly logger: NodeLogger;
  private readonly observer: NodeObserver;
  private readonly events = new NodeEventEmitter();
  private readonly proposals = new PendingProposals<R>();
  private readonly reads = new PendingReads();
  /** Checks proposals before the core sees them; applies entries that may not decode. */
  private readonly validator: ProposalValidator;
  private readonly applier: EntryApplier<R>;
  /** Random per start: entries proposed by an earlier run of this node are not ours. */
  private readonly incarnation = randomInt(INCARNATION_MAX);
  private proposalSeq = 0;
  private readSeq = 0;
  private runState: NodeRunState = "running";
  private failure: Error | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** How many core ticks to run when (tick_clock.ts: by elapsed time in lease mode). */
  private readonly clock: TickClock;
  private loopScheduled = false;
  private loop: Promise<void> | null = null;
  private readonly snapshots: Snapshotter;
  /** Membership, transfer and snapshots on demand (membership_admin.ts). */
  private readonly admin: MembershipAdmin;
  private stopping: Promise<void> | null = null;
  private appliedIndex: LogIndex;
  /** The term on disk: a leader's messages of this term may leave before its fsync. */
  private durableTerm: Term;
  /** The last log index on disk. */
  private durableLastIndex: LogIndex;
  private role: RoleName;
  private leaderId: NodeId | null;

  private constructor(parts: Parts<R>) {
    ({ id: this.id, raft: this.raft, storage: this.storage, transport: this.transport,
      stateMachine: this.stateMachine, limits: this.limits, logger: this.logger,
      observer: this.observer } = parts);
    this.clock = tickClockFor(this.limits);
    this.validator = new ProposalValidator({
      ...parts, proposalBytesMax: this.limits.proposalBytesMax,
    });
    this.applier = new EntryApplier(parts);
    const status = this.raft.status();
    this.appliedIndex = status.applied;
    this.durableTerm = this.storage.initialState().hardState.term;
    this.durableLastIndex = this.storage.lastIndex();
    this.snapshots = new Snapshotter(this.storage, this.limits, {
      takeImage: () => this.stateMachine.snapshot(),
      taken: (index) => {
        this.logger.info({ id: this.id, index }, "Snapshot taken");
        this.events.emit("snapshot", { index });
      },
      failed: (error) => {
        this.fail(error);
      },
    });
    this.admin = new MembershipAdmin({
      ...parts, snapshots: this.snapshots, events: this.events,
      assertRunning: () => {
        if (this.runState !== "running") throw this.notRunning();
      },
      scheduleReady: () => {
        this.scheduleReady();
      },
      appliedIndex: () => this.appliedIndex,
      readyLoop: () => this.loop,
      halt: () => {
        this.stop().catch(() => undefined); // a failed close is logged by the storage
      },
    });
    this.role = status.role;
    this.leaderId = status.leaderId;
  }

  /**
   * Opens storage, restores the state machine from the newest snapshot (the core then
   * re-delivers the committed entries after it), starts the transport and the tick timer.
   * @throws ConfigError for invalid options (the field is named); the storage's open errors
   *   (WalCorruptError, SnapshotCorruptError, DiskFailedError); the transport's ListenError.
   */
  static async start<R>(options: ClusterNodeOptions<R>): Promise<ClusterNode<R>> {
    const limits = resolveNodeLimits(options.limits);
    const id = nodeId(options.id);
    if (options.transport.nodeId !== id) {
      throw new ConfigError("transport", `belongs to ${options.transport.nodeId}, not ${id}`);
    }
    const seed = seedAddresses(options);
    const { storage, opened } = await openNodeStorage(options, initialConfState(id, options));
    try {
      const logger = options.logger ?? silentLogger;
      const book = await AddressBook.open(membersFileOf(options), seed, logger);
      const snapshot = storage.snapshot();
      if (snapshot.metadata.index > 0) options.stateMachine.restore(snapshot.data);
      const raft = new RaftNode({
        config: { ...toRaftConfig(id, limits), logger: options.logger ?? silentLogger },
        storage,
        rng: new SeededRng(options.seed ?? randomInt(INCARNATION_MAX)),
        applied: snapshot.metadata.index,
      });
      const node = new ClusterNode<R>({
        id, raft, storage, transport: options.transport, stateMachine: options.stateMachine,
        limits, logger: options.logger ?? silentLogger, observer: options.observer ?? {}, book,
        testing: options.testing ?? {},
      });
      options.transport.onMessage((message) => {
        node.receive(message);
      });
      await options.transport.start();
      node.timer = setInterval(() => {
        node.onTick();
      }, limits.tickMs);
      node.logger.info({ id, applied: node.appliedIndex, snapshot: node.snapshots.index }, "Node started");
      return node;
    } catch (error) {
      if (opened) await storage.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Replicates `command` and resolves with the state machine's result once THIS node applied
   * it. Any node accepts proposals: a follower forwards them to the leader. Proposals made one
   * after another enter the core in call order.
   * @throws NotLeaderError(null) when no leader is known (definite: never entered the log).
   * @throws ProposalDroppedError (definite) when pendingProposalsMax proposals are pending or
   *   the entry was overwritten after a leadership change.
   * @throws UncommittedBytesExceededError (definite) when the leader's uncommitted tail is full.
   * @throws ProposalTimeoutError / OutcomeUnknownError (`definite: false`): may have applied.
   * @throws NodeStoppedError (definite) when the node is stopped or failed.
   */
  propose(command: Uint8Array): Promise<R> {
    if (this.runState !== "running") return Promise.reject(this.notRunning());
    if (this.proposals.size >= this.limits.pendingProposalsMax) {
      return Promise.reject(new ProposalDroppedError(
        `${this.proposals.size} proposals are pending on ${this.id} (pendingProposalsMax)`));
    }
    const invalid = this.validator.checkLocal(command);
    if (invalid !== null) return Promise.reject(invalid);
    const seq = ++this.proposalSeq;
    const data = encodeEnvelope({ proposer: this.id, incarnation: this.incarnation, seq }, command);
    const outcome = this.proposals.add(seq, performance.now() + this.limits.proposalTimeoutMs);
    try {
      const result = this.raft.propose(data);
      if (result.kind === "appended") this.proposals.markAppended(seq, result.index, result.term);
    } catch (error) {
      if (!(error instanceof RaftError)) throw error;
      this.proposals.fail(seq, error);
    }
    this.scheduleReady();
    return observeProposal(outcome, this.observer);
  }

  /**
   * A linearizable read point (§6.4): resolves once this node has applied everything committed
   * before the call, as confirmed by the leader with a quorum round; then local reads of the
   * state machine are linearizable. A follower asks the leader for the index and serves the
   * read itself. With `readMode: "lease"` the leader skips the quorum round while its lease
   * holds: it resolves at once when it has applied its commit index (§6.4.1).
   * @throws NotLeaderError(null) when no leader is known; ReadTimeoutError after readTimeoutMs;
   *   ProposalDroppedError when pendingReadsMax reads wait; NodeStoppedError. All definite.
   */
  readBarrier(): Promise<void> {
    if (this.runState !== "running") return Promise.reject(this.notRunning());
    if (this.reads.size >= this.limits.pendingReadsMax) {
      return Promise.reject(new ProposalDroppedError(
        `${this.reads.size} reads are pending on ${this.id} (pendingReadsMax)`));
    }
    const leaseIndex = this.leaseReadIndex();
    if (leaseIndex !== null && this.appliedIndex >= leaseIndex) return Promise.resolve();
    if (this.failure !== null) return Promise.reject(this.notRunning()); // failed catching up
    const context = `${this.incarnation.toString(36)}.${++this.readSeq}`;
    const barrier = this.reads.add(context, performance.now() + this.limits.readTimeoutMs);
    try {
      if (leaseIndex === null) this.raft.readIndex(context);
      else this.reads.confirmed(context, leaseIndex); // released once applied
    } catch (error) {
      if (!(error instanceof RaftError)) throw error;
      this.reads.fail(context, error);
    }
    this.scheduleReady();
    return barrier;
  }

  /** This node's view: role, term, leader, commit/applied, and per-peer lag on the leader. */
  status(): NodeStatus {
    return toNodeStatus(this.raft.status(), {
      snapshotIndex: this.snapshots.index,
      pendingProposals: this.proposals.size,
      pendingReads: this.reads.size,
      state: this.runState,
    });
  }

  /** The core's own Status (what `KvService.status()` returns). */
  raftStatus(): Status {
    return this.raft.status();
  }

  // ClusterAdmin (admin.ts): membership changes, leadership transfer, snapshots on demand; see
  // membership_admin.ts for the behaviour and the errors thrown.
  members(): Members { return this.admin.members(); }
  addVoter(id: string, addresses: MemberAddresses, options?: CatchUpOptions): Promise<Members> {
    return this.admin.addVoter(id, addresses, options);
  }
  addLearner(id: string, addresses: MemberAddresses): Promise<Members> {
    return this.admin.addLearner(id, addresses);
  }
  promote(id: string, options?: CatchUpOptions): Promise<Members> {
    return this.admin.promote(id, options);
  }
  removeNode(id: string): Promise<Members> { return this.admin.removeNode(id); }
  transferLeader(to: string | null, options?: TransferOptions): Promise<NodeId> {
    return this.admin.transferLeader(to, options);
  }
  snapshotNow(): Promise<{ readonly index: LogIndex }> { return this.admin.snapshotNow(); }

  /** The error that failed the node, if it failed. */
  get fatalError(): Error | null {
    return this.failure;
  }

  /** Subscribes to an event (see NodeEvents); returns a function that unsubscribes. */
  on<K extends NodeEventName>(name: K, listener: NodeEventListener<K>): () => void {
    return this.events.on(name, listener);
  }

  once<K extends NodeEventName>(name: K, listener: NodeEventListener<K>): () => void {
    return this.events.once(name, listener);
  }

  /**
   * Stops the node: no new work, the tick timer stops, the Ready in progress finishes (its save,
   * sends and applies), a snapshot in progress completes, then pending proposals are rejected
   * as unknown (OutcomeUnknownError), pending reads with NodeStoppedError, and the transport and
   * storage are closed. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.runState === "running") this.runState = "stopped";
    this.clearTimer();
    await this.loop;
    await this.snapshots.inFlight;
    this.rejectPending("the node stopped before the proposal was applied");
    await this.transport.close();
    try {
      await this.storage.close();
    } catch (error) {
      if (this.failure === null) throw error;
    }
    this.logger.info({ id: this.id, applied: this.appliedIndex }, "Node stopped");
  }

  private receive(message: Message): void {
    if (this.runState !== "running") return;
    if (message.type === "Propose"
      && !this.validator.admitForwarded(message, this.raft.status().confState)) return;
    try {
      this.runTicks(this.clock.beforeInput()); // lease mode: time first, then the message
      this.raft.step(message);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.scheduleReady();
  }

  private onTick(): void {
    if (this.runState !== "running") return;
    try {
      this.runTicks(this.clock.onTimer());
    } catch (error) {
      this.fail(error);
      return;
    }
    const now = performance.now();
    this.admin.tick();
    this.proposals.expire(now, this.limits.proposalTimeoutMs);
    this.reads.expire(now, this.limits.readTimeoutMs);
    this.scheduleReady();
  }

  private runTicks(count: number): void {
    for (let i = 0; i < count; i++) this.raft.tick();
  }

  /**
   * Lease mode, on the leader (§6.4.1): catch up with elapsed time, then the index a read may be
   * served at without a quorum round if the lease holds; otherwise null (ask with ReadIndex).
   */
  private leaseReadIndex(): LogIndex | null {
    if (this.limits.readMode !== "lease") return null;
    try {
      this.runTicks(this.clock.beforeInput());
    } catch (error) {
      this.fail(error);
      return null;
    }
    this.scheduleReady();
    return this.raft.leaseReadIndex();
  }

  /** Runs the Ready loop on the next turn, so a burst of inputs lands in one Ready. */
  private scheduleReady(): void {
    if (this.loopScheduled || this.loop !== null || this.runState !== "running") return;
    if (!this.raft.hasReady()) return;
    this.loopScheduled = true;
    setImmediate(() => {
      this.loopScheduled = false;
      if (this.loop !== null) return;
      this.loop = this.runReadyLoop().finally(() => {
        this.loop = null;
        this.scheduleReady();
      });
    });
  }

  private async runReadyLoop(): Promise<void> {
    try {
      while (this.runState === "running" && this.raft.hasReady()) {
        await this.handleReady(this.raft.ready());
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    this.admin.tracker.noteReady(rd); // links new members before any message goes out
    // 1. Persist. An own snapshot being written must land before a leader's newer one.
    if (rd.snapshot !== null && this.snapshots.inFlight !== null) await this.snapshots.inFlight;
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
      this.applyEntries(rd.committedEntries.slice(0, appliedEarly));
    }
    if (saving !== null) await saving;
    if (this.runState === "failed") return;
    this.recordDurable(rd);
    // 2. Send, now that everything the remaining messages depend on is durable.
    for (const message of late) this.transport.send(message);
    // 3. Apply.
    if (rd.snapshot !== null) this.applySnapshot(rd.snapshot);
    this.applyEntries(appliedEarly === 0 ? rd.committedEntries : rd.committedEntries.slice(appliedEarly));
    for (const readState of rd.readStates) this.reads.confirmed(readState.context, readState.index);
    // 4. Advance, then serve reads and report.
    this.raft.advance(rd);
    this.reads.release(this.appliedIndex);
    this.report(rd);
    if (this.runState === "running") this.snapshots.maybeSnapshot(this.appliedIndex);
  }

  /** Starts the Ready's save; returns what to await before the rest may go out, if anything. */
  private startSave(rd: Ready): Promise<void> | null {
    if (rd.hardState === null && rd.entries.length === 0 && rd.snapshot === null) return null;
    const saved = this.storage.save({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
    if (!rd.mustSync) {
      // Only the commit index changed: it need not be durable before sending (etcd does the
      // same); later saves are ordered after this one by the storage.
      saved.catch((error: unknown) => {
        this.fail(error);
      });
      return null;
    }
    const startMs = performance.now();
    return saved.then(() => {
      this.observer.saveDurable?.((performance.now() - startMs) / 1000);
    });
  }

  /** Sends the messages that may precede the save; returns the ones that must wait for it. */
  private sendEarly(messages: readonly Message[]): readonly Message[] {
    const late: Message[] = [];
    for (const message of messages) {
      if (maySendBeforePersist(message, this.durableTerm)) this.transport.send(message);
      else late.push(message);
    }
    return late;
  }

  /** What the finished save made durable: the term messages may carry, and the log's end. */
  private recordDurable(rd: Ready): void {
    if (rd.hardState !== null) this.durableTerm = rd.hardState.term;
    if (rd.snapshot !== null) this.durableLastIndex = rd.snapshot.metadata.index;
    const last = rd.entries[rd.entries.length - 1];
    if (last !== undefined) this.durableLastIndex = last.index;
  }

  private applySnapshot(snapshot: Snapshot): void {
    const { index } = snapshot.metadata;
    this.stateMachine.restore(snapshot.data);
    this.appliedIndex = index;
    this.snapshots.installed(snapshot.metadata);
    this.proposals.coveredBySnapshot(index,
      () => new OutcomeUnknownError(`a snapshot from the leader at index ${index} replaced the log`));
  }

  private applyEntries(entries: readonly Entry[]): void {
    for (const entry of entries) {
      let ownSeq: number | null = null;
      let result: R | undefined;
      if (entry.kind === "normal") {
        const applied = this.applier.apply(entry);
        const { tag } = applied;
        const own = tag?.proposer === this.id && tag.incarnation === this.incarnation;
        if (applied.kind === "applied") {
          result = applied.result;
          if (own) ownSeq = tag.seq;
        } else if (own) {
          this.proposals.fail(tag.seq, applied.error); // applied as an error no-op
        }
      } else if (entry.kind === "config") {
        this.admin.tracker.noteAppliedConfig(entry);
      }
      this.appliedIndex = entry.index;
      this.snapshots.recordApplied(entry);
      this.proposals.applied(entry.index, entry.term, ownSeq, result);
    }
  }

  private report(rd: Ready): void {
    const soft = rd.softState;
    if (soft !== null) {
      const { term } = this.raft.status();
      if (soft.role !== this.role) {
        this.role = soft.role;
        this.logger.info({ id: this.id, role: soft.role, term }, `Became ${soft.role}`);
        this.events.emit("roleChange", { role: soft.role, term });
      }
      if (soft.leaderId !== this.leaderId) {
        this.leaderId = soft.leaderId;
        this.events.emit("leaderChange", { leaderId: soft.leaderId, term });
      }
    }
    if (rd.snapshot !== null || rd.committedEntries.length > 0) {
      this.events.emit("applied", { index: this.appliedIndex });
    }
  }

  /** Fail-stop: stop accepting and acknowledging work, and report why. */
  private fail(cause: unknown): void {
    if (this.runState === "failed") return;
    const error = cause instanceof Error ? cause : new Error(String(cause));
    this.runState = "failed";
    this.failure = error;
    this.clearTimer();
    this.rejectPending(`the node failed: ${error.message}`);
    // Say nothing more to peers: what this node would send may rest on writes that failed.
    this.transport.close().catch(() => undefined);
    this.logger.error({ id: this.id, err: error }, `Node failed: ${error.message}`);
    this.events.emit("fatal", { error });
  }

  private rejectPending(reason: string): void {
    this.proposals.rejectAll(() => new OutcomeUnknownError(reason));
    this.reads.rejectAll(() => new NodeStoppedError(reason));
    this.admin.waiters.rejectAll(() => new OutcomeUnknownError(reason));
  }

  private notRunning(): NodeStoppedError {
    return new NodeStoppedError(this.failure === null ? "it was stopped" : `it failed: ${this.failure.message}`);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
