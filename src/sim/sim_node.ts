/**
 * One simulated server: the shipped `ReplicatedKv` (ClusterNode + StoreMachine) on a simulated
 * host (sim_host.ts), transport (sim_transport.ts) and disk (sim_disk.ts). The simulator owns
 * only the process's life: start, crash, wipe, restart. Everything a server does between those
 * (the Ready loop, proposals, forwarding, reads, leases, membership admin, snapshots) is the
 * runtime's own code, observed through its hooks (ready_observer.ts).
 *
 * A crash kills the incarnation: its host drops every timer, its transport goes deaf, its disk
 * loses (or tears) what was not synced, and its promises never settle. Only `durable` survives.
 */
import { decodeConfEntry, EMPTY_CONF_STATE, type ConfChange } from "../core/conf_change.js";
import { RaftError } from "../core/errors.js";
import type { ConfState, Message } from "../core/messages.js";
import type { Status } from "../core/ready.js";
import type { SeededRng } from "../core/rng.js";
import { logIndex, type NodeId } from "../core/types.js";
import { ReplicatedKv } from "../kv/binary_store/replicated_kv.js";
import type { NodeLimitsInput } from "../node/config.js";
import type { NodeTestingBugs } from "../node/runtime_bugs.js";
import { DiskFailedError } from "../storage/errors.js";
import { MemoryStorage } from "../storage/memory_storage.js";
import { runAuxCommand, runClientOp } from "./client_ops.js";
import { storeHash } from "./store_hash.js";
import type { FaultPlan } from "./faults.js";
import { SimViolation, type InvariantChecker } from "./invariants.js";
import { ReadyObserver, type ReadyObserverHost } from "./ready_observer.js";
import { SimDisk } from "./sim_disk.js";
import { SimHost, type HostQueue } from "./sim_host.js";
import { SimTransport } from "./sim_transport.js";
import type { ClientReply, ClientRequest } from "./workload.js";

export interface SimNodeHost extends ReadyObserverHost, HostQueue {
  sendMessage(from: number, message: Message): void;
  replyToClient(node: number, reply: ClientReply): void;
  /** The node failed on its own (EIO): the host crashes it now and restarts it later. */
  failStop(node: number): void;
  /** The node stopped itself (removed from the cluster); an operator restarts it later. */
  halted(node: number): void;
  /** The runtime failed in a way only a bug explains. */
  violation(violation: SimViolation): void;
}

export interface SimNodeOptions {
  readonly index: number;
  readonly id: NodeId;
  readonly confState: ConfState;
  readonly rng: SeededRng;
  readonly plan: FaultPlan;
  readonly checker: InvariantChecker;
  readonly host: SimNodeHost;
  readonly limits: NodeLimitsInput;
  /** Repeating timers fire this many times late (clock skew). */
  readonly timerStretch: number;
  readonly testingBugs?: NodeTestingBugs;
}

export class SimNode {
  readonly index: number;
  /** The node's identity; a wiped node rejoins under a new one (see `wipe`). */
  id: NodeId;
  /** The platter: what survives a crash. Replaced by an empty one when the node is wiped. */
  storage: MemoryStorage;
  incarnation = 0;
  paused = false;
  crashes = 0;
  wipes = 0;
  private kv: ReplicatedKv | null = null;
  private running = false;
  private host: SimHost | null = null;
  private transport: SimTransport | null = null;
  private disk: SimDisk | null = null;
  private readonly diskRng: SeededRng;
  private readonly observer: ReadyObserver;

  constructor(private readonly options: SimNodeOptions) {
    this.index = options.index;
    this.id = options.id;
    this.diskRng = options.rng.fork();
    this.storage = new MemoryStorage(options.confState);
    this.observer = new ReadyObserver(this.index, () => this.id, options.checker, options.host,
      options.confState, () => (this.kv === null ? null : storeHash(this.kv.machine)));
    this.start();
  }

  /** Up: the process runs (it may still be starting, or halted after its removal). */
  get up(): boolean {
    return this.running;
  }

  get leader(): boolean {
    return this.running && this.observer.isLeader;
  }

  get appliedIndex(): number {
    return this.observer.applied;
  }

  /** The configuration in effect as the last Ready reported it. */
  get confState(): ConfState {
    return this.observer.conf;
  }

  get snapshotInstalls(): number {
    return this.observer.snapshotInstalls;
  }

  /** Whether the node's disk holds anything (a fresh or wiped node's does not). */
  hasData(): boolean {
    return this.storage.lastIndex() > 0;
  }

  status(): Status | null {
    return this.running ? this.kv?.status() ?? null : null;
  }

  private start(): void {
    const { options } = this;
    const incarnation = this.incarnation;
    const live = (): boolean => this.incarnation === incarnation;
    const host = new SimHost(this.index, options.host, options.rng.fork(), options.timerStretch);
    const transport = new SimTransport(this.id, (message) => {
      options.host.sendMessage(this.index, message);
    }, () => {
      if (live()) options.host.halted(this.index);
    });
    const disk = new SimDisk(this.id, this.storage, host, this.diskRng, options.plan, {
      durable: (hardState) => {
        if (hardState !== null) options.checker.observeHardState(this.index, hardState, true);
      },
      trace: (line) => { options.host.trace(line); },
    });
    this.host = host;
    this.transport = transport;
    this.disk = disk;
    this.running = true;
    this.observeRestart();
    ReplicatedKv.start({
      id: this.id, peers: [], storage: disk, transport, host, limits: options.limits,
      observer: this.observer.hooks(live), seed: host.drawInt(2 ** 31),
      ...(options.testingBugs === undefined ? {} : { testingBugs: options.testingBugs }),
    }).then((kv) => {
      if (!live()) return;
      this.kv = kv;
      kv.node.on("fatal", ({ error }) => {
        if (live()) this.onFatal(error);
      });
      kv.node.on("snapshot", ({ index }) => {
        if (live()) options.host.trace(`snapshot ${this.id} ${index}`);
      });
      kv.node.on("removed", () => {
        if (live()) options.host.trace(`removed ${this.id}`);
      });
    }, (error: unknown) => {
      if (live()) this.onFatal(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private observeRestart(): void {
    const { storage } = this;
    const snapshot = storage.snapshot();
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    const entries = first <= last
      ? storage.entries(first, logIndex(last + 1), { bytesMax: Infinity })
      : [];
    const { hardState } = storage.initialState();
    // The configuration in effect is the log's last config entry's (§4.1), else the snapshot's.
    const lastConfig = entries.findLast((entry) => entry.kind === "config");
    const conf = lastConfig === undefined
      ? snapshot.metadata.confState
      : decodeConfEntry(lastConfig.data).confState;
    this.observer.restarted(snapshot.metadata.index, hardState.commit, conf);
    this.options.checker.observeRestart(this.index, snapshot.metadata, entries, hardState);
    this.options.checker.observeConfState(this.index, this.observer.conf);
  }

  private onFatal(error: Error): void {
    if (error instanceof DiskFailedError) this.options.host.failStop(this.index);
    else if (error instanceof SimViolation) this.options.host.violation(error);
    else {
      const detail = `${this.id} failed: ${error.message}\n${error.stack ?? ""}`;
      this.options.host.violation(new SimViolation("assertion", detail));
    }
  }

  /** Whether a running incarnation stopped itself (removed from the cluster, §4.2.2). */
  get halted(): boolean {
    return this.running && this.kv?.node.status().state === "stopped";
  }

  /** Crash: lose all volatile state; unsynced writes are lost or torn. */
  crash(): void {
    if (!this.running) return;
    this.kill();
    this.crashes++;
  }

  /** The end of the run: the process ends (no fault; nothing of it lingers). */
  kill(): void {
    if (!this.running) return;
    this.incarnation++; // first: nothing of this incarnation reports any more
    this.host?.kill();
    this.disk?.crash();
    void this.transport?.close();
    this.kv = null;
    this.host = null;
    this.transport = null;
    this.disk = null;
    this.running = false;
    this.paused = false;
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
    this.wipes++;
    this.options.checker.observeWipe(this.index, id);
  }

  restart(): void {
    if (this.running) return;
    this.start();
  }

  /** A message arrived through the network. */
  deliver(message: Message): void {
    this.transport?.deliver(message);
  }

  /** A client request arrived; a down or starting node never answers (the client times out). */
  handleRequest(request: ClientRequest): void {
    const kv = this.kv;
    if (kv === null || !this.running) return;
    const incarnation = this.incarnation;
    const threw = (error: unknown): void => {
      if (incarnation !== this.incarnation) return;
      const detail = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
      this.options.host.violation(new SimViolation("assertion", `a client operation threw: ${detail}`));
    };
    if (request.aux !== undefined) runAuxCommand(kv, request.aux).catch(threw);
    runClientOp(kv, request).then((reply) => {
      if (incarnation === this.incarnation) this.options.host.replyToClient(this.index, reply);
    }, threw);
  }

  /**
   * A membership change through the node's admin API, as an operator's tool would make it;
   * resolves with the code of the refusal, or null once the change was accepted (it may still
   * fail later; the checkers judge the log, not the call).
   */
  changeMembership(change: ConfChange): Promise<string | null> {
    return this.admin((kv) => kv.node.changeMembership(change, { once: true }), changeRefusals);
  }

  /** A leadership transfer through the admin API; resolves as `changeMembership`. */
  transferLeader(to: NodeId | null): Promise<string | null> {
    return this.admin((kv) => kv.node.transferLeader(to), transferRefusals);
  }

  private admin(
    call: (kv: ReplicatedKv) => Promise<unknown>,
    refusals: ReadonlySet<string>,
  ): Promise<string | null> {
    const kv = this.kv;
    if (kv === null) return Promise.resolve("DOWN");
    return call(kv).then(() => null, (error: unknown) => {
      if (!(error instanceof RaftError)) throw error;
      return refusals.has(error.code) ? error.code : null;
    });
  }
}

/** The errors that mean "not accepted"; anything else happened after the change was appended. */
const changeRefusals: ReadonlySet<string> = new Set(["NOT_LEADER", "CONF_CHANGE_REFUSED", "NODE_STOPPED"]);
const transferRefusals: ReadonlySet<string> = new Set(["NOT_LEADER", "PROPOSAL_DROPPED", "NODE_STOPPED"]);
