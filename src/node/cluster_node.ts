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
  ConfigError, nodeId, RaftError, RaftNode, SeededRng, type Entry, type LogIndex, type Message,
  type NodeId, type Ready, type RoleName, type Snapshot, type Status,
} from "../core/index.js";
import { ProposalDroppedError } from "../core/index.js";
import type { StableStorage } from "../storage/index.js";
import { silentLogger, type Transport } from "../transport/index.js";
import { resolveNodeLimits, toRaftConfig, type NodeLimits } from "./config.js";
import { decodeEnvelope, encodeEnvelope } from "./envelope.js";
import { NodeStoppedError, OutcomeUnknownError } from "./errors.js";
import { NodeEventEmitter, type NodeEventListener, type NodeEventName } from "./events.js";
import { observeProposal, type NodeObserver } from "./observer.js";
import { openNodeStorage, votersOf, type ClusterNodeOptions, type NodeLogger } from "./options.js";
import { PendingProposals } from "./pending_proposals.js";
import { PendingReads } from "./pending_reads.js";
import { Snapshotter } from "./snapshotter.js";
import type { StateMachine } from "./state_machine.js";
import { toNodeStatus, type NodeRunState, type NodeStatus } from "./status.js";

const INCARNATION_MAX = 2 ** 48 - 1;


interface Parts<R> {
  readonly id: NodeId;
  readonly raft: RaftNode;
  readonly storage: StableStorage;
  readonly transport: Transport;
  readonly stateMachine: StateMachine<R>;
  readonly limits: NodeLimits;
  readonly logger: NodeLogger;
  readonly observer: NodeObserver;
}

export class ClusterNode<R> {
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
  /** Random per start: entries proposed by an earlier run of this node are not ours. */
  private readonly incarnation = randomInt(INCARNATION_MAX);
  private proposalSeq = 0;
  private readSeq = 0;
  private runState: NodeRunState = "running";
  private failure: Error | null = null;
  private timer: NodeJS.Timeout | null = null;
  private loopScheduled = false;
  private loop: Promise<void> | null = null;
  private readonly snapshots: Snapshotter;
  private stopping: Promise<void> | null = null;
  private appliedIndex: LogIndex;
  private role: RoleName;
  private leaderId: NodeId | null;

  private constructor(parts: Parts<R>) {
    ({ id: this.id, raft: this.raft, storage: this.storage, transport: this.transport,
      stateMachine: this.stateMachine, limits: this.limits, logger: this.logger,
      observer: this.observer } = parts);
    const status = this.raft.status();
    this.appliedIndex = status.applied;
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
    const confState = { voters: votersOf(id, options.peers), learners: [], votersOutgoing: [] };
    const { storage, opened } = await openNodeStorage(options, confState);
    try {
      const snapshot = storage.snapshot();
      if (snapshot.metadata.index > 0) options.stateMachine.restore(snapshot.data);
      const raft = new RaftNode({
        config: toRaftConfig(id, limits),
        storage,
        rng: new SeededRng(options.seed ?? randomInt(INCARNATION_MAX)),
        applied: snapshot.metadata.index,
      });
      const node = new ClusterNode<R>({
        id, raft, storage, transport: options.transport, stateMachine: options.stateMachine,
        limits, logger: options.logger ?? silentLogger, observer: options.observer ?? {},
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
   * read itself.
   * @throws NotLeaderError(null) when no leader is known; ReadTimeoutError after readTimeoutMs;
   *   ProposalDroppedError when pendingReadsMax reads wait; NodeStoppedError. All definite.
   */
  readBarrier(): Promise<void> {
    if (this.runState !== "running") return Promise.reject(this.notRunning());
    if (this.reads.size >= this.limits.pendingReadsMax) {
      return Promise.reject(new ProposalDroppedError(
        `${this.reads.size} reads are pending on ${this.id} (pendingReadsMax)`));
    }
    const context = `${this.incarnation.toString(36)}.${++this.readSeq}`;
    const barrier = this.reads.add(context, performance.now() + this.limits.readTimeoutMs);
    try {
      this.raft.readIndex(context);
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
    try {
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
      this.raft.tick();
    } catch (error) {
      this.fail(error);
      return;
    }
    const now = performance.now();
    this.proposals.expire(now, this.limits.proposalTimeoutMs);
    this.reads.expire(now, this.limits.readTimeoutMs);
    this.scheduleReady();
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
    // 1. Persist. An own snapshot being written must land before a leader's newer one.
    if (rd.snapshot !== null && this.snapshots.inFlight !== null) await this.snapshots.inFlight;
    if (rd.hardState !== null || rd.entries.length > 0 || rd.snapshot !== null) {
      const saved = this.storage.save({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
      if (rd.mustSync) {
        const startMs = performance.now();
        await saved;
        this.observer.saveDurable?.((performance.now() - startMs) / 1000);
      } else {
        // Only the commit index changed: it need not be durable before sending (etcd does the
        // same); later saves are ordered after this one by the storage.
        saved.catch((error: unknown) => {
          this.fail(error);
        });
      }
    }
    if (this.runState === "failed") return;
    // 2. Send, now that everything the messages depend on is durable.
    for (const message of rd.messages) this.transport.send(message);
    // 3. Apply.
    if (rd.snapshot !== null) this.applySnapshot(rd.snapshot);
    this.applyEntries(rd.committedEntries);
    for (const readState of rd.readStates) this.reads.confirmed(readState.context, readState.index);
    // 4. Advance, then serve reads and report.
    this.raft.advance(rd);
    this.reads.release(this.appliedIndex);
    this.report(rd);
    if (this.runState === "running") this.snapshots.maybeSnapshot(this.appliedIndex);
  }

  private applySnapshot(snapshot: Snapshot): void {
    const { index } = snapshot.metadata;
    this.stateMachine.restore(snapshot.data);
    this.appliedIndex = index;
    this.snapshots.installed(index);
    this.proposals.coveredBySnapshot(index,
      () => new OutcomeUnknownError(`a snapshot from the leader at index ${index} replaced the log`));
  }

  private applyEntries(entries: readonly Entry[]): void {
    for (const entry of entries) {
      let ownSeq: number | null = null;
      let result: R | undefined;
      if (entry.kind === "normal") {
        const { tag, command } = decodeEnvelope(entry.data);
        result = this.stateMachine.apply(command, entry.index);
        if (tag.proposer === this.id && tag.incarnation === this.incarnation) ownSeq = tag.seq;
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
  }

  private notRunning(): NodeStoppedError {
    return new NodeStoppedError(this.failure === null ? "it was stopped" : `it failed: ${this.failure.message}`);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
