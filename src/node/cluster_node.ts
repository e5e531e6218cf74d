export interface ProposeOptions {
  /**
   * The caller built `command` itself and checked it as the state machine's
   * `validate(command, "propose")` would: it is not decoded again before it enters the log (its
   * size is still checked). Apply still validates every entry (entry_applier.ts).
   */
  readonly validated?: boolean;
}

/**
 * `ClusterNode`: the library's public API (start, propose, readBarrier, status, events, admin,
 * stop) and the runtime that drives the pure Raft core with a storage, a transport and a host.
 *
 * Inputs (peer messages, ticks, proposals, reads, admin calls) step into the core at once; the
 * Ready loop (ready_loop.ts) carries out what the core asks, and the applier (applier.ts)
 * settles proposals as entries apply. Time, timers and randomness come from the host (host.ts),
 * so the simulator runs this exact code in virtual time.
 */
import {
  ConfigError, nodeId, RaftError, RaftNode, SeededRng, type ConfChange, type LogIndex,
  type Message, type NodeId, type Ready, type RoleName, type Status,
} from "../core/index.js";
import { ProposalDroppedError } from "../core/index.js";
import type { StableStorage } from "../storage/index.js";
import { silentLogger, type Logger } from "../core/logger.js";
import type { Transport } from "../transport/index.js";
import { resolveNodeLimits, toRaftConfig, type NodeLimits } from "./config.js";
import { encodeEnvelope } from "./envelope.js";
import { EarlyElection } from "./early_election.js";
import { EntryApplier } from "./entry_applier.js";
import { NodeStoppedError, OutcomeUnknownError, RemovedFromClusterError } from "./errors.js";
import { NodeEventEmitter, type NodeEventListener, type NodeEventName } from "./events.js";
import { observeProposal, observeRead, type NodeObserver, type WriteStage } from "./observer.js";
import type {
  CatchUpOptions, ClusterAdmin, MemberAddresses, MemberInfo, TransferOptions,
} from "./admin.js";
import { AddressBook } from "./address_book.js";
import { waitForLeader, type LeaderWaitOptions } from "./leader_wait.js";
import { Applier } from "./applier.js";
import { realHost, type RuntimeHost, type TimerHandle } from "./host.js";
import { MembershipAdmin, type ChangeOptions } from "./membership_admin.js";
import { MembershipTracker } from "./membership_tracker.js";
import { messageLogLevel, withMessageLog, withReadyLog } from "./message_log.js";
import {
  initialConfState, membersFileOf, openNodeStorage, seedAddresses, type ClusterNodeOptions,
} from "./options.js";
import { PendingProposals } from "./pending_proposals.js";
import { resolvePeers } from "./peer_map.js";
import { PendingReads } from "./pending_reads.js";
import { ReadyLoop } from "./ready_loop.js";
import type { RuntimeBugs } from "./runtime_bugs.js";
import { ProposalValidator, type NodeTestingHooks } from "./proposal_validation.js";
import { Snapshotter } from "./snapshotter.js";
import { StallWatch } from "./stall_watch.js";
import type { StateMachine } from "./state_machine.js";
import { toNodeStatus, type NodeRunState, type NodeStatus } from "./status.js";
import { tickClockFor, type TickClock } from "./tick_clock.js";
import { Waiters } from "./waiters.js";

const INCARNATION_MAX = 2 ** 48 - 1;
type Members = readonly MemberInfo[];

interface Parts<R> {
  readonly id: NodeId;
  readonly raft: RaftNode;
  readonly storage: StableStorage;
  readonly transport: Transport;
  readonly stateMachine: StateMachine<R>;
  readonly limits: NodeLimits;
  readonly logger: Logger;
  readonly observer: NodeObserver;
  readonly book: AddressBook;
  readonly host: RuntimeHost;
  readonly bugs: RuntimeBugs;
  readonly testing: NodeTestingHooks;
}

export class ClusterNode<R> implements ClusterAdmin {
  readonly id: NodeId;
  readonly limits: NodeLimits;
  private readonly raft: RaftNode;
  private readonly transport: Transport;
  private readonly storage: StableStorage;
  private readonly logger: Logger;
  private readonly observer: NodeObserver;
  private readonly host: RuntimeHost;
  private readonly bugs: RuntimeBugs;
  private readonly events: NodeEventEmitter;
  private readonly proposals: PendingProposals<R>;
  private readonly reads = new PendingReads();
  private readonly waiters: Waiters;
  /** Checks proposals before the core sees them (proposal_validation.ts). */
  private readonly validator: ProposalValidator;
  /** Random per start: entries proposed by an earlier run of this node are not ours. */
  private readonly incarnation: number;
  private proposalSeq = 0;
  private readSeq = 0;
  private runState: NodeRunState = "running";
  private failure: Error | null = null;
  private timer: TimerHandle | null = null;
  /** How many core ticks to run when (tick_clock.ts: by elapsed time in lease mode). */
  private readonly clock: TickClock;
  private readonly snapshots: Snapshotter;
  private readonly tracker: MembershipTracker;
  private readonly applier: Applier<R>;
  private readonly loop: ReadyLoop<R>;
  /** Gray failures: a stalled disk on the leader, a wedged follower (stall_watch.ts). */
  private readonly stall: StallWatch;
  /** Membership changes and leadership transfer (membership_admin.ts). */
  private readonly admin: MembershipAdmin;
  private stopping: Promise<void> | null = null;
  private role: RoleName;
  private leaderId: NodeId | null;
  /** The index of the configuration that removed this node (null: a member). */
  private removedAt: LogIndex | null = null;
  /** The core's last status, kept once the storage it reads is closed. */
  private finalStatus: Status | null = null;
  private readonly earlyElection: EarlyElection;
  /** Peers whose outbound connection is down (since it last dropped, until it reconnects). */
  private readonly linksDown = new Set<NodeId>();

  private constructor(parts: Parts<R>) {
    ({ id: this.id, raft: this.raft, storage: this.storage, transport: this.transport,
      limits: this.limits, logger: this.logger, observer: this.observer, host: this.host,
      bugs: this.bugs } = parts);
    const { host, raft, storage, limits } = parts;
    this.incarnation = host.drawInt(INCARNATION_MAX);
    this.events = new NodeEventEmitter((fn) => { host.defer(fn); });
    this.proposals = new PendingProposals<R>(this.bugs);
    this.waiters = new Waiters(() => host.nowMs());
    this.clock = tickClockFor(limits, () => host.nowMs());
    this.snapshots = new Snapshotter(storage, limits, {
      takeImage: () => parts.stateMachine.snapshot(),
      taken: (index) => {
        this.logger.info({ id: this.id, index }, "Snapshot taken");
        this.events.emit("snapshot", { index });
      },
      failed: (error) => {
        this.fail(error);
      },
    }, this.bugs);
    const { index, confState } = storage.snapshot().metadata;
    this.tracker = new MembershipTracker({
      ...parts, events: this.events, snapshotConf: confState, snapshotIndex: index,
      lingerTicks: Math.ceil((2 * limits.electionTimeoutMs.max) / limits.tickMs),
      halt: () => {
        this.stop().catch(() => undefined); // a failed close is logged by the storage
      },
    });
    this.validator = new ProposalValidator({ ...parts, proposalBytesMax: limits.proposalBytesMax });
    const status = raft.status();
    this.applier = new Applier<R>({
      ...parts, incarnation: this.incarnation, proposals: this.proposals,
      snapshots: this.snapshots, tracker: this.tracker, entries: new EntryApplier(parts),
    }, status.applied);
    this.loop = new ReadyLoop<R>({
      ...parts, snapshots: this.snapshots, tracker: this.tracker, applier: this.applier,
      reads: this.reads, runState: () => this.runState,
      fail: (error) => { this.fail(error); },
      report: (rd) => { this.report(rd); },
    });
    this.stall = new StallWatch({
      ...parts, saveInFlight: () => this.loop.saveInFlight,
      report: (event) => { this.events.emit("stalled", event); },
    });
    this.admin = new MembershipAdmin({
      ...parts, tracker: this.tracker, waiters: this.waiters,
      assertRunning: () => { this.assertRunning(); },
      scheduleReady: () => { this.loop.schedule(); },
      appliedIndex: () => this.applier.appliedIndex,
    });
    this.earlyElection = new EarlyElection({
      ...parts, heartbeatIntervalMs: limits.heartbeatIntervalMs,
      electionTimeoutMinMs: limits.electionTimeoutMs.min,
      electionTicksMax: toRaftConfig(parts.id, limits).electionTimeoutTicksMax,
      running: () => this.runState === "running",
      schedule: () => { this.loop.schedule(); },
      fail: (error) => { this.fail(error); },
    });
    this.events.on("removed", ({ index }) => { this.removedAt = index; });
    const poll = (): void => { this.waiters.poll(); };
    this.events.on("applied", poll);
    this.events.on("leaderChange", poll);
    this.role = status.role;
    this.leaderId = status.leaderId;
  }

  /**
   * Opens storage, restores the state machine from the newest snapshot (the core then
   * re-delivers the committed entries after it), starts the transport and the tick timer.
   * @throws ConfigError for invalid options (the field is named); the storage's open errors
   *   (WalCorruptError, SnapshotCorruptError, DiskFailedError); the transport's ListenError.
   */
  static async start<R>(input: ClusterNodeOptions<R>): Promise<ClusterNode<R>> {
    const options = resolvePeers(input); // a peer map becomes ids, addresses and a TcpTransport
    const limits = resolveNodeLimits(options.limits);
    const id = nodeId(options.id);
    if (options.transport.nodeId !== id) {
      throw new ConfigError("transport", `belongs to ${options.transport.nodeId}, not ${id}`);
    }
    const host = options.host ?? realHost;
    const seed = seedAddresses(options);
    const { storage, opened } = await openNodeStorage(options, initialConfState(id, options));
    try {
      const logger = options.logger ?? silentLogger;
      const book = await AddressBook.open(membersFileOf(options), seed, logger);
      const snapshot = storage.snapshot();
      if (snapshot.metadata.index > 0) options.stateMachine.restore(snapshot.data);
      const coreBugs = options.testingBugs?.core;
      const raft = new RaftNode({
        config: {
          ...toRaftConfig(id, limits), logger,
          ...(coreBugs === undefined ? {} : { testingBugs: coreBugs }),
        },
        storage,
        rng: new SeededRng(options.seed ?? host.drawInt(INCARNATION_MAX)),
        applied: snapshot.metadata.index,
      });
      // LOG_LEVEL=debug: one line per message and per Ready; nothing installed otherwise.
      const logLevel = messageLogLevel(logger);
      const transport = withMessageLog(options.transport, logger, logLevel);
      const node = new ClusterNode<R>({
        id, raft, storage, transport, stateMachine: options.stateMachine,
        limits, logger, observer: withReadyLog(options.observer ?? {}, logger, logLevel), book, host,
        bugs: options.testingBugs?.runtime ?? {},
        testing: options.testing ?? {},
      });
      transport.onMessage((message) => {
        node.receive(message);
      });
      options.transport.onPeerState((peer, state) => {
        if (state === "disconnected") node.leaderUnreachable(peer);
        if (state === "connected") node.linksDown.delete(peer);
      });
      await transport.start();
      node.timer = host.setRepeating(limits.tickMs, () => {
        node.onTick();
      });
      node.logger.info({ id, applied: node.applier.appliedIndex, snapshot: node.snapshots.index },
        "Node started");
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
  propose(command: Uint8Array, options: ProposeOptions = {}): Promise<R> {
    if (this.runState !== "running" || this.removedAt !== null) {
      return Promise.reject(this.notRunning());
    }
    if (this.proposals.size >= this.limits.pendingProposalsMax) {
      return Promise.reject(new ProposalDroppedError(
        `${this.proposals.size} proposals are pending on ${this.id} (pendingProposalsMax)`));
    }
    const invalid = this.validator.checkLocal(command, options.validated === true);
    if (invalid !== null) return Promise.reject(invalid);
    const seq = ++this.proposalSeq;
    const data = encodeEnvelope({ proposer: this.id, incarnation: this.incarnation, seq }, command);
    const deadlineMs = this.host.nowMs() + this.limits.proposalTimeoutMs;
    const outcome = this.proposals.add(seq, deadlineMs);
    try {
      const result = this.raft.propose(data);
      if (result.kind === "appended") {
        this.proposals.markAppended(seq, result.index, result.term);
        this.observer.writeStage?.("proposed", result.index);
      } else {
        this.proposals.markForwarded(seq, result.to, this.raft.status().term,
          this.linksDown.has(result.to));
      }
    } catch (error) {
      if (!(error instanceof RaftError)) throw error;
      this.proposals.fail(seq, error);
    }
    this.loop.schedule();
    return observeProposal(outcome, this.observer, () => this.host.nowMs());
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
    return observeRead(this.startRead(), this.observer, () => this.host.nowMs());
  }

  private startRead(): Promise<void> {
    if (this.runState !== "running" || this.removedAt !== null) {
      return Promise.reject(this.notRunning());
    }
    if (this.reads.size >= this.limits.pendingReadsMax) {
      return Promise.reject(new ProposalDroppedError(
        `${this.reads.size} reads are pending on ${this.id} (pendingReadsMax)`));
    }
    const leaseIndex = this.leaseReadIndex();
    if (leaseIndex !== null && this.applier.appliedIndex >= leaseIndex) return Promise.resolve();
    if (this.failure !== null) return Promise.reject(this.notRunning()); // failed catching up
    const context = `${this.incarnation.toString(36)}.${++this.readSeq}`;
    const barrier = this.reads.add(context, this.host.nowMs() + this.limits.readTimeoutMs);
    try {
      if (leaseIndex === null) this.raft.readIndex(context);
      else this.reads.confirmed(context, leaseIndex); // released once applied
    } catch (error) {
      if (!(error instanceof RaftError)) throw error;
      this.reads.fail(context, error);
    }
    this.loop.schedule();
    return barrier;
  }

  /** This node's view: role, term, leader, commit/applied, and per-peer lag on the leader. */
  status(): NodeStatus {
    return toNodeStatus(this.raftStatus(), {
      snapshotIndex: this.snapshots.index,
      pendingProposals: this.proposals.size,
      pendingReads: this.reads.size,
      state: this.runState,
    });
  }

  /** The core's own Status (what `KvService.status()` returns). */
  raftStatus(): Status {
    return this.finalStatus ?? this.raft.status();
  }

  /** The index of the configuration that removed this node, or null while it is a member. */
  get removedIndex(): LogIndex | null {
    return this.removedAt;
  }

  // ClusterAdmin (admin.ts): membership changes and leadership transfer are membership_admin.ts's;
  // see there for the behaviour and the errors thrown.
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
  /** Any change at once, several items through a joint configuration (§4.3). */
  changeMembership(change: ConfChange, options?: ChangeOptions): Promise<Members> {
    return this.admin.changeMembership(change, options);
  }
  transferLeader(to: string | null, options?: TransferOptions): Promise<NodeId> {
    return this.admin.transferLeader(to, options);
  }

  /**
   * Takes a snapshot of the state machine now, between two Readys, and compacts the log; on a
   * disk storage it also frees the disk the log behind the snapshot held (`reclaim`: the active
   * segment is rolled so it can go too), as an operator asking for a snapshot expects.
   * @throws NodeStoppedError; the storage's error (the node has then failed).
   */
  async snapshotNow(): Promise<{ readonly index: LogIndex }> {
    this.assertRunning();
    await this.loop.idle(); // the loop never sees a snapshot write start mid-Ready
    this.assertRunning();
    const index = await this.snapshots.snapshotNow(this.applier.appliedIndex);
    if (index > 0 && this.storage.reclaim !== undefined) await this.storage.reclaim(index);
    return { index };
  }

  /**
   * Resolves with the leader's id once this node knows one (leader_wait.ts); await it after
   * `start` before the first `propose`.
   * @throws LeaderWaitTimeoutError after `timeoutMs` (default 10 s); NodeStoppedError.
   */
  waitForLeader(options: LeaderWaitOptions = {}): Promise<NodeId> {
    return waitForLeader(this, options, (ms, fire) => {
      const timer = this.host.setTimer(ms, fire);
      return () => { timer.cancel(); };
    });
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
    await this.loop.inProgress;
    await this.snapshots.inFlight;
    this.rejectPending("the node stopped before the proposal was applied");
    await this.transport.close();
    this.finalStatus = this.raft.status(); // its log is read from the storage closed next
    try {
      await this.storage.close();
    } catch (error) {
      if (this.failure === null) throw error;
    }
    this.logger.info({ id: this.id, applied: this.applier.appliedIndex }, "Node stopped");
  }

  private receive(message: Message): void {
    if (this.runState !== "running") return;
    if (message.type === "AppendEntries" || message.type === "Heartbeat") this.earlyElection.heardFromLeader();
    this.observer.messageReceived?.(message);
    this.stall.noteMessage(message);
    if (this.observer.writeStage !== undefined) traceReceived(this.observer.writeStage, message);
    if (message.type === "Propose"
      && !this.validator.admitForwarded(message, this.raft.status().confState)) return;
    try {
      this.runTicks(this.clock.beforeInput()); // lease mode: time first, then the message
      this.raft.step(message);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.loop.schedule();
  }

  /**
   * The connection to `peer` dropped: proposals forwarded to it settle once a later leader's
   * entries apply (pending_proposals.ts), and if it is this follower's leader, the follower
   * campaigns soon (early_election.ts; not in lease mode).
   */
  private leaderUnreachable(peer: NodeId): void {
    this.linksDown.add(peer);
    this.proposals.leaderLost(peer);
    if (this.limits.readMode !== "lease") this.earlyElection.linkDropped(peer);
  }

  private onTick(): void {
    if (this.runState !== "running") return;
    try {
      this.runTicks(this.clock.onTimer());
      this.stall.tick();
    } catch (error) {
      this.fail(error);
      return;
    }
    const now = this.host.nowMs();
    this.tracker.tick();
    this.waiters.poll();
    this.proposals.expire(now, this.limits.proposalTimeoutMs);
    this.reads.expire(now, this.limits.readTimeoutMs);
    this.loop.schedule();
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
    this.loop.schedule();
    const index = this.raft.leaseReadIndex();
    if (index !== null || this.bugs.leaseReadAfterExpiry !== true) return index;
    const { role, commit } = this.raft.status();
    return role === "leader" ? commit : null;
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
      this.events.emit("applied", { index: this.applier.appliedIndex });
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
    this.waiters.rejectAll(() => new OutcomeUnknownError(reason));
  }

  /** @throws NodeStoppedError unless the node is running. */
  private assertRunning(): void {
    if (this.runState !== "running" || this.removedAt !== null) throw this.notRunning();
  }

  private notRunning(): NodeStoppedError | RemovedFromClusterError {
    if (this.removedAt !== null) return new RemovedFromClusterError(this.id, this.removedAt);
    return new NodeStoppedError(this.failure === null ? "it was stopped" : `it failed: ${this.failure.message}`);
  }

  private clearTimer(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}

/** The timeline stages a received message marks (observer.ts `writeStage`). */
function traceReceived(trace: (stage: WriteStage, index: number) => void, message: Message): void {
  if (message.type === "AppendEntries") {
    const last = message.entries.at(-1);
    if (last !== undefined) trace("appendReceived", last.index);
  } else if (message.type === "AppendEntriesResponse" && !message.reject) {
    trace("ackReceived", message.index);
  }
}
