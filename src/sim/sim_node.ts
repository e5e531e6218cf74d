/**
 * One simulated server: the real `RaftNode` over a `MemoryStorage` (the "disk"), the key-value
 * state machine, and the request handling a front end would do. It follows the Ready contract
 * to the letter (src/core/ready.ts): persist, then send, then apply, then advance — with the
 * persist step taking a simulated fsync delay during which the node takes no new Ready.
 *
 * A crash drops the RaftNode, the state machine and everything in flight; only what a completed
 * save put in storage survives. The in-flight save is lost, or (with the `torn` fault) a
 * prefix of its records survives (entries in order, the hard state last, as a write-ahead log would
 * leave them; a save carrying a snapshot is all-or-nothing, since a snapshot is written to its
 * own file and installed by rename). With `eio` a save can fail, which is fail-stop.
 */
import { decodeConfEntry, EMPTY_CONF_STATE, type ConfChange } from "../core/conf_change.js";
import type { ConfState, Entry, Message } from "../core/messages.js";
import { RaftError } from "../core/errors.js";
import type { RaftConfig } from "../core/config.js";
import type { Ready } from "../core/ready.js";
import { RaftNode } from "../core/raft_node.js";
import { maySendBeforePersist } from "../core/send_before_persist.js";
import type { SeededRng } from "../core/rng.js";
import { logIndex, type NodeId } from "../core/types.js";
import { MemoryStorage } from "../storage/memory_storage.js";
import type { SaveBatch } from "../storage/stable_storage.js";
import {
  decodeCommand, encodeCommand, KvStateMachine, type KvCommand, type KvValue,
} from "../kv/index.js";
import type { FaultPlan } from "./faults.js";
import type { InvariantChecker } from "./invariants.js";
import type { RuntimeBugs } from "./sim_types.js";
import type { ClientReply, ClientRequest } from "./workload.js";

export interface NodeHost {
  nowNs(): number;
  sendMessage(from: number, message: Message): void;
  replyToClient(node: number, reply: ClientReply): void;
  scheduleSaveDone(node: number, incarnation: number, atNs: number): void;
  /** A save failed (EIO): the host crashes the node now and restarts it later. */
  failStop(node: number): void;
  trace(line: string): void;
  /** A Ready of a leader, before it is persisted or sent (for the leader-chasing nemesis). */
  observeLeaderReady(
    node: number,
    term: number,
    entries: readonly Entry[],
    commitBefore: number,
    commitAfter: number,
  ): void;
}

export interface SimNodeOptions {
  readonly index: number;
  readonly config: RaftConfig;
  readonly confState: ConfState;
  readonly rng: SeededRng;
  readonly plan: FaultPlan;
  readonly checker: InvariantChecker;
  readonly host: NodeHost;
  /** Take a snapshot once this many entries were applied since the last one. */
  readonly snapshotEntries: number;
  /** Keep this many applied entries in the log behind a snapshot. */
  readonly compactLagEntries: number;
  readonly bugs?: RuntimeBugs;
}

interface WaitingRead {
  readonly index: number;
  readonly request: ClientRequest;
}

export class SimNode {
  readonly index: number;
  /** The node's identity; a wiped node rejoins under a new one (see `wipe`). */
  id: NodeId;
  /** The node's disk; replaced by an empty one when the node is wiped. */
  storage: MemoryStorage;
  private raft: RaftNode | null = null;
  private readonly machine = new KvStateMachine();
  private options: SimNodeOptions;
  private readonly diskRng: SeededRng;
  incarnation = 0;
  paused = false;
  /** The Ready whose save is in flight, if any. */
  private saving: Ready | null = null;
  /** The in-flight Ready's messages that must wait for its save (the rest already left). */
  private lateMessages: readonly Message[] | null = null;
  private applied = 0;
  /** The commit index of the last Ready (or the durable one after a restart). */
  private commit = 0;
  private isLeader = false;
  private readContextNext = 0;
  private readonly pendingWrites = new Map<string, ClientRequest>();
  private readonly pendingReads = new Map<string, ClientRequest>();
  private waitingReads: WaitingRead[] = [];
  /** The configuration at the applied index (§7: what a snapshot taken now must record). */
  private appliedConf: ConfState = EMPTY_CONF_STATE;
  /** The configuration in effect, as the last Ready (or the restart) reported it. */
  private conf: ConfState = EMPTY_CONF_STATE;
  crashes = 0;
  /** Snapshots received from a leader and restored. */
  snapshotInstalls = 0;
  wipes = 0;

  constructor(options: SimNodeOptions) {
    this.options = options;
    this.index = options.index;
    this.id = options.config.id;
    this.diskRng = options.rng.fork();
    this.storage = new MemoryStorage(options.confState);
    this.start();
  }

  get up(): boolean {
    return this.raft !== null;
  }

  get leader(): boolean {
    return this.raft !== null && this.isLeader;
  }

  get appliedIndex(): number {
    return this.applied;
  }

  /** The configuration in effect as the last Ready reported it. */
  get confState(): ConfState {
    return this.conf;
  }

  /** Whether the node's disk holds anything (a fresh or wiped node's does not). */
  hasData(): boolean {
    return this.storage.lastIndex() > 0;
  }

  status(): ReturnType<RaftNode["status"]> | null {
    return this.raft?.status() ?? null;
  }

  private start(): void {
    const snapshot = this.storage.snapshot();
    this.raft = new RaftNode({
      config: this.options.config,
      storage: this.storage,
      rng: this.options.rng.fork(),
      applied: snapshot.metadata.index,
    });
    this.machine.restore(snapshot.data);
    this.applied = snapshot.metadata.index;
    this.appliedConf = snapshot.metadata.confState;
    this.conf = this.raft.status().confState;
    this.isLeader = false;
    const first = this.storage.firstIndex();
    const last = this.storage.lastIndex();
    const entries = first <= last
      ? this.storage.entries(first, logIndex(last + 1), { bytesMax: Infinity })
      : [];
    const hardState = this.storage.initialState().hardState;
    this.commit = hardState.commit;
    this.options.checker.observeRestart(this.index, snapshot.metadata, entries, hardState);
    this.options.checker.observeConfState(this.index, this.conf);
  }

  /** Crash: lose all volatile state; an in-flight save is lost or torn. */
  crash(): void {
    if (this.raft === null) return;
    if (this.saving !== null) this.persistTorn(this.saving);
    this.raft = null;
    this.saving = null;
    this.lateMessages = null;
    this.paused = false;
    this.pendingWrites.clear();
    this.pendingReads.clear();
    this.waitingReads = [];
    this.incarnation++;
    this.crashes++;
  }

  /**
   * The operator replaced the node's disk: crash it and give it fresh, empty storage and the
   * identity `id`, so it rejoins as a new member. Only once its removal is committed, and under
   * a new id: a removed node that never learned of its removal still counts the old id in its
   * stale configuration, and an empty node grants any vote, so wiped nodes answering to old ids
   * can elect that stale node, a second leader of a term (the simulator found this; etcd gives
   * every added member a new id for the same reason).
   */
  wipe(id: NodeId): void {
    this.crash();
    this.storage = new MemoryStorage(EMPTY_CONF_STATE);
    this.id = id;
    this.options = { ...this.options, config: { ...this.options.config, id } };
    this.wipes++;
    this.options.checker.observeWipe(this.index, id);
  }

  /**
   * A membership change on this node (the leader): null when appended, else the refusal's code.
   * @throws RaftError when the core refuses for a reason a valid change never meets (a bug).
   */
  proposeConfChange(change: ConfChange): string | null {
    return this.admin(() => { this.raft?.proposeConfChange(change); });
  }

  /** A leadership transfer on this node: null when started, else the refusal's code. */
  transferLeader(to: NodeId | null): string | null {
    return this.admin(() => { this.raft?.transferLeader(to); });
  }

  private admin(call: () => void): string | null {
    if (this.raft === null) return "DOWN";
    try {
      call();
    } catch (error: unknown) {
      if (!(error instanceof RaftError) || !error.definite) throw error;
      return error.code;
    }
    this.maybeProcessReady();
    return null;
  }

  restart(): void {
    if (this.raft !== null) return;
    this.start();
    this.maybeProcessReady();
  }

  tick(): void {
    if (this.raft === null) return;
    this.raft.tick();
    this.maybeCompact();
    this.maybeProcessReady();
  }

  step(message: Message): void {
    if (this.raft === null) return;
    this.raft.step(message);
    this.maybeProcessReady();
  }

  /** A client request arrived; a down node never answers (the client times out). */
  handleRequest(request: ClientRequest): void {
    const raft = this.raft;
    if (raft === null) return;
    try {
      if (request.f === "read") {
        const context = `${this.id}/${this.incarnation}/${this.readContextNext++}`;
        raft.readIndex(context);
        this.pendingReads.set(context, request);
      } else {
        raft.propose(encodeCommand(toCommand(request)));
        this.pendingWrites.set(sessionKey(request.clientId, request.seq), request);
      }
    } catch (error: unknown) {
      if (!(error instanceof RaftError) || !error.definite) throw error;
      this.reply(request, "fail", request.value, error.code);
    }
    this.maybeProcessReady();
  }

  /** The simulated fsync of the in-flight save completed (or failed with EIO). */
  handleSaveDone(incarnation: number): void {
    const ready = this.saving;
    if (incarnation !== this.incarnation || ready === null || this.raft === null) return;
    if (this.options.plan.eioRate > 0 && this.diskRng.nextFloat() < this.options.plan.eioRate) {
      this.options.host.trace(`eio ${this.id}`);
      this.options.host.failStop(this.index);
      return;
    }
    this.save(batchOf(ready));
    this.saving = null;
    this.finishReady(ready);
    this.maybeProcessReady();
  }

  private save(batch: SaveBatch): void {
    this.storage.saveSync(batch);
    if (batch.hardState !== null) {
      this.options.checker.observeHardState(this.index, batch.hardState, true);
    }
  }

  private persistTorn(ready: Ready): void {
    const batch = batchOf(ready);
    const tornRate = this.options.plan.tornRate;
    if (tornRate === 0 || this.diskRng.nextFloat() >= tornRate) return;
    if (batch.snapshot !== null) return; // all-or-nothing, and a crash before completion: nothing
    const records = batch.entries.length + (batch.hardState === null ? 0 : 1);
    const kept = this.diskRng.nextInt(records + 1);
    const entries = batch.entries.slice(0, kept);
    const hardState = kept === records ? batch.hardState : null;
    if (entries.length === 0 && hardState === null) return;
    this.options.host.trace(`torn ${this.id} ${kept}/${records}`);
    this.save({ snapshot: null, entries, hardState });
  }

  private maybeProcessReady(): void {
    const raft = this.raft;
    if (raft === null || this.paused) return;
    while (this.saving === null && this.raft === raft && raft.hasReady()) {
      const ready = raft.ready();
      this.observe(ready);
      if (ready.hardState !== null || ready.entries.length > 0 || ready.snapshot !== null) {
        this.saving = ready;
        this.lateMessages = this.sendEarly(ready);
        const { fsyncMinNs, fsyncMaxNs } = this.options.plan;
        const delay = fsyncMinNs + this.diskRng.nextInt(Math.max(1, fsyncMaxNs - fsyncMinNs));
        const host = this.options.host;
        host.scheduleSaveDone(this.index, this.incarnation, host.nowNs() + delay);
        return;
      }
      this.finishReady(ready);
    }
  }

  /** Feeds the invariant checkers what this Ready reveals, before anything is persisted. */
  private observe(ready: Ready): void {
    const checker = this.options.checker;
    if (ready.snapshot !== null) checker.observeSnapshot(this.index, ready.snapshot.metadata);
    const leaderNow = ready.softState === null ? this.isLeader : ready.softState.role === "leader";
    const termNow = ready.hardState?.term ?? checker.termOf(this.index);
    checker.observeEntries(this.index, ready.entries, termNow, leaderNow);
    if (ready.confState !== null) this.conf = ready.confState;
    if (ready.confState !== null || ready.entries.length > 0 || ready.snapshot !== null) {
      checker.observeConfState(this.index, this.conf);
    }
    if (ready.hardState !== null) checker.observeHardState(this.index, ready.hardState, false);
    if (leaderNow) checker.observeLeaderLog(this.index);
    const commitBefore = this.commit;
    if (ready.hardState !== null) this.commit = ready.hardState.commit;
    if (leaderNow) {
      const host = this.options.host;
      host.observeLeaderReady(this.index, termNow, ready.entries, commitBefore, this.commit);
    }
    if (ready.softState !== null) {
      if (leaderNow !== this.isLeader) {
        this.options.host.trace(`role ${this.id} ${ready.softState.role} ${termNow}`);
      }
      this.isLeader = leaderNow;
      checker.observeRole(this.index, leaderNow, termNow);
    }
  }

  /**
   * As the runtime does (§10.2.1): a leader's replication messages of a durable term leave while
   * its own save is in flight; returns the messages that must wait for the save.
   */
  private sendEarly(ready: Ready): readonly Message[] {
    const durableTerm = this.storage.initialState().hardState.term;
    const late: Message[] = [];
    for (const message of ready.messages) {
      if (maySendBeforePersist(message, durableTerm)) this.options.host.sendMessage(this.index, message);
      else late.push(message);
    }
    return late;
  }

  /** Steps 2-4 of the Ready contract, once the save is durable. */
  private finishReady(ready: Ready): void {
    const raft = this.raft;
    if (raft === null) return;
    const messages = this.lateMessages ?? ready.messages;
    this.lateMessages = null;
    for (const message of messages) this.options.host.sendMessage(this.index, message);
    if (ready.snapshot !== null) {
      this.machine.restore(ready.snapshot.data);
      this.applied = ready.snapshot.metadata.index;
      this.appliedConf = ready.snapshot.metadata.confState;
      this.snapshotInstalls++;
      this.options.checker.observeRestore(this.index, this.applied);
    }
    for (const entry of ready.committedEntries) this.apply(entry);
    for (const readState of ready.readStates) {
      const request = this.pendingReads.get(readState.context);
      if (request === undefined) continue;
      this.pendingReads.delete(readState.context);
      this.waitingReads.push({ index: readState.index, request });
    }
    this.serveReads();
    raft.advance(ready);
  }

  private apply(entry: Entry): void {
    if (entry.index <= this.applied) return; // already covered by a restored snapshot
    this.options.checker.observeApply(this.index, entry);
    this.applied = entry.index;
    if (entry.kind === "config") this.appliedConf = decodeConfEntry(entry.data).confState;
    if (entry.kind !== "normal") return;
    const command = decodeCommand(entry.data);
    const result = this.machine.apply(command);
    const key = sessionKey(command.clientId, command.seq);
    const request = this.pendingWrites.get(key);
    if (request === undefined) return;
    this.pendingWrites.delete(key);
    if (result.kind === "ok") this.reply(request, "ok", request.value);
    else if (result.kind !== "stale-session") {
      this.reply(request, "fail", request.value, result.kind);
    }
  }

  private serveReads(): void {
    if (this.waitingReads.length === 0) return;
    const still: WaitingRead[] = [];
    for (const waiting of this.waitingReads) {
      if (waiting.index > this.applied) still.push(waiting);
      else this.reply(waiting.request, "ok", this.machine.get(waiting.request.key));
    }
    this.waitingReads = still;
  }

  private reply(request: ClientRequest, type: "ok" | "fail", value: KvValue, error?: string): void {
    const base = { opId: request.opId, client: request.client, type, value };
    this.options.host.replyToClient(this.index, error === undefined ? base : { ...base, error });
  }

  /** §7: snapshot the state machine now and then, and compact the log behind it. */
  private maybeCompact(): void {
    if (this.saving !== null || this.raft === null) return;
    const snapshotIndex = this.storage.snapshot().metadata.index;
    if (this.applied - snapshotIndex < this.options.snapshotEntries) return;
    if (this.applied > this.storage.lastIndex()) return;
    // The configuration as of the snapshot's index, not the latest in the log (§7, §4.1).
    const conf = this.options.bugs?.snapshotConfFromStorage === true
      ? this.storage.initialState().confState
      : this.appliedConf;
    this.storage.createSnapshotSync(logIndex(this.applied), conf, this.machine.snapshot());
    const compactTo = this.applied - this.options.compactLagEntries;
    if (compactTo > snapshotIndex) this.storage.compactSync(logIndex(compactTo));
    this.options.host.trace(`snapshot ${this.id} ${this.applied}`);
  }
}

function sessionKey(clientId: string, seq: number): string {
  return `${clientId}#${seq}`;
}

function toCommand(request: ClientRequest): KvCommand {
  const session = { clientId: request.clientId, seq: request.seq, key: request.key };
  if (request.f === "write") return { op: "write", ...session, value: request.value };
  const pair: readonly KvValue[] = Array.isArray(request.value)
    ? (request.value as readonly KvValue[])
    : [];
  return { op: "cas", ...session, from: pair[0] ?? null, to: pair[1] ?? null };
}

function batchOf(ready: Ready): SaveBatch {
  return { hardState: ready.hardState, entries: ready.entries, snapshot: ready.snapshot };
}
