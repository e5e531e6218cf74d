/**
 * One seeded simulation run: N nodes of the shipped runtime (`ReplicatedKv`, sim_node.ts) on a
 * faulty network, disks with latency and faults, a nemesis, clients, and the checkers. One seed
 * determines everything: every random choice draws from a generator forked per concern from
 * `SeededRng(seed)`, time is virtual, events at the same instant run in scheduling order
 * (EventQueue), and the runtime's promise reactions run between events (driver.ts), so a rerun
 * of a seed replays the same run and yields the same trace hash.
 *
 * A run has two phases. In the fault phase the clients issue `opsMax` operations while the
 * nemesis injects the plan's faults. Then the liveness phase heals everything, restarts crashed
 * and resumes paused nodes, and demands that within `livenessTicksMax` ticks a leader is elected,
 * every client operation is complete and every node has applied the leader's commit index.
 * Finally the history goes through the linearizability checker.
 *
 * Virtual time means what it means in production: one tick is 50 ms by default, so an election
 * timeout of 10-20 ticks is 500-1000 ms and a heartbeat every 3 ticks is 150 ms. Message delay
 * (0.1 ms to several ms) and fsync latency (0.05-5 ms) are real-world durations, and the clients
 * offer about 100 operations per virtual second (10 clients, a think time uniform in 0-200 ms
 * between an operation's completion and the next invoke). Half the runs serve reads from the
 * leader's lease (readMode "lease"), half by ReadIndex.
 */
import { DEFAULT_CONFIG } from "../core/config.js";
import { EMPTY_CONF_STATE } from "../core/conf_change.js";
import type { ConfState, Entry, Message } from "../core/messages.js";
import { SeededRng } from "../core/rng.js";
import { AssertionError, nodeId, type NodeId } from "../core/types.js";
import type { NodeLimitsInput } from "../node/config.js";
import { checkHistory, type CheckResult } from "../check/index.js";
import { drive } from "./driver.js";
import { EventQueue } from "./event_queue.js";
import { planFaults, TICK_NS_DEFAULT, type FaultPlan } from "./faults.js";
import { InvariantChecker, SimViolation } from "./invariants.js";
import { MembershipOps } from "./membership_ops.js";
import { NodeFaults } from "./node_faults.js";
import type { MembershipAction, MembershipView } from "./membership_nemesis.js";
import { Nemesis, type NemesisEvent } from "./nemesis.js";
import { SimNetwork } from "./network.js";
import { describeNodes, isConverged } from "./convergence.js";
import type { HostTask } from "./sim_host.js";
import { SimNode } from "./sim_node.js";
import type { NodeEvent, SimEvent, SimOptions, SimResult } from "./sim_types.js";
import { messageCode, TRACE, TraceHash } from "./trace.js";
import { Workload, type ClientReply, type ClientRequest } from "./workload.js";

export type { SimOptions, SimResult } from "./sim_types.js";

/** Half the register operations carry a command of the wider Redis mix (aux_commands.ts). */
const AUX_SHARE_DEFAULT = 0.5;
const MS = 1_000_000;

export class Simulation {
  private readonly queue = new EventQueue<SimEvent>();
  private readonly rng: SeededRng;
  readonly plan: FaultPlan;
  private readonly network: SimNetwork;
  private readonly checker: InvariantChecker;
  private readonly nodes: SimNode[];
  private readonly ids: NodeId[];
  private readonly indexOf = new Map<string, number>();
  private readonly workload: Workload;
  private readonly nemesis: Nemesis;
  private readonly membership: MembershipOps;
  private readonly clientNetRng: SeededRng;
  private readonly faults: NodeFaults;
  private readonly hash = new TraceHash();
  private readonly tickNs: number;
  private readonly eventsMax: number;
  private events = 0;
  /** Deferred host tasks (setImmediate): they run before the next queued event. */
  private deferred: NodeEvent[] = [];
  private deferredNext = 0;
  private firstViolation: SimViolation | null = null;

  constructor(private readonly options: SimOptions) {
    this.rng = new SeededRng(options.seed);
    this.tickNs = options.tickNs ?? TICK_NS_DEFAULT;
    const planned = planFaults(options.faults, this.rng.fork(), this.tickNs);
    this.plan = { ...planned, ...options.planOverrides };
    this.eventsMax = options.eventsMax ?? 200_000 + 800 * options.opsMax;
    // The pool: the initial voters, then spare ids that membership changes may add.
    const poolSize = options.nodes + (this.plan.membership?.sparesCount ?? 0);
    this.ids = Array.from({ length: poolSize }, (_, i) => nodeId(`n${i + 1}`));
    this.ids.forEach((id, i) => this.indexOf.set(id, i));
    this.network = new SimNetwork(poolSize, this.plan, this.rng.fork());
    this.nemesis = new Nemesis(this.plan, this.rng.fork(), this, this.network, this.ids);
    this.clientNetRng = this.rng.fork();
    const confState: ConfState = {
      voters: this.ids.slice(0, options.nodes), learners: [], votersOutgoing: [],
    };
    this.checker = new InvariantChecker(this.ids, confState);
    const skewRng = this.rng.fork();
    const skewMax = this.plan.clockSkewMax;
    const stretches = this.ids.map(() => 1 + skewRng.nextFloat() * (skewMax - 1));
    const nodeRng = this.rng.fork();
    const limits = this.limits();
    this.nodes = this.ids.map((id, index) => new SimNode({
      index, id, rng: nodeRng.fork(), plan: this.plan, checker: this.checker, host: this, limits,
      confState: index < options.nodes ? confState : EMPTY_CONF_STATE,
      timerStretch: stretches[index] ?? 1,
      testingBugs: { core: options.testingBugs ?? {}, runtime: options.runtimeBugs ?? {} },
    }));
    this.membership = new MembershipOps(this.nodes, this.checker, this);
    this.faults = new NodeFaults(this.nodes, this.ids, this.indexOf, {
      nowNs: () => this.queue.now,
      push: (atNs, event) => { this.queue.push(atNs, event); },
      trace: (line) => { this.trace(line); },
      recordNemesis: (f, value) => { this.workload.recordNemesis(f, value); },
      downtimeNs: () => this.nemesis.downtimeNs(),
      pauseNs: () => this.nemesis.pauseNs(),
      deliverToNode: (node, event) => { this.deliverToNode(node, event); },
    }, options.runtimeBugs?.wipedNodeKeepsId === true);
    this.workload = new Workload({
      clients: options.nodes * (options.clientsPerNode ?? 2), nodes: poolSize,
      opsMax: options.opsMax, keys: options.keys ?? 3,
      timeoutNs: options.clientTimeoutNs ?? 3000 * MS, thinkMaxNs: options.thinkMaxNs ?? 200 * MS,
      backoffNs: 100 * MS, auxShare: options.auxShare ?? AUX_SHARE_DEFAULT,
    }, this.rng.fork(), this);
  }

  /** The runtime's limits in this run: the core's timing in ticks as before, in milliseconds. */
  private limits(): NodeLimitsInput {
    const tickMs = this.tickNs / MS;
    const overrides = this.options.configOverrides ?? {};
    // Half the runs use tiny AppendEntries (a few entries each) to exercise flow control and the
    // orderings, such as an entry acked without its successor, that Figure 8 is about.
    const messageBytesMax = this.rng.nextFloat() < 0.5
      ? 100 + this.rng.nextInt(400)
      : DEFAULT_CONFIG.messageBytesMax;
    const snapshotEntries = this.plan.membership?.snapshotEntries ?? 20 + this.rng.nextInt(100);
    const catchUpEntries = this.rng.nextInt(30);
    const leaseDrawn = this.rng.nextFloat() < 0.5 ? "lease" : "index";
    const readMode = this.options.readMode ?? (overrides.checkQuorum === false ? "index" : leaseDrawn);
    const clientTimeoutMs = Math.round((this.options.clientTimeoutNs ?? 3000 * MS) / MS);
    return {
      tickMs, electionTimeoutMs: { min: 10 * tickMs, max: 20 * tickMs },
      heartbeatIntervalMs: 3 * tickMs, proposalTimeoutMs: clientTimeoutMs,
      readTimeoutMs: clientTimeoutMs, snapshotEntriesMin: snapshotEntries,
      snapshotBytesMin: Number.MAX_SAFE_INTEGER, snapshotCatchUpEntries: catchUpEntries,
      readMode, leaseClockDriftMs: tickMs, raft: { messageBytesMax, ...overrides },
    };
  }

  // ---- the nodes' host, and the workload's ----------------------------------------------------

  nowNs(): number {
    return this.queue.now;
  }

  push(node: number, atNs: number, task: HostTask): void {
    this.queue.push(atNs, { kind: "host", node, task });
  }

  defer(node: number, task: HostTask): void {
    this.deferred.push({ kind: "host", node, task });
  }

  /** Rare events (faults, role changes) go into the trace as text. */
  trace(line: string): void {
    this.hash.record(TRACE.text, this.queue.now);
    this.hash.mixString(line);
    this.options.onTrace?.(this.queue.now, line);
  }

  sendMessage(from: number, message: Message): void {
    const to = this.indexOf.get(message.to);
    if (to === undefined) return;
    const copies = this.network.route(this.queue.now, from, to);
    for (let c = 0; c < copies; c++) {
      const at = this.network.arrivalsNs[c] ?? 0;
      this.queue.push(at, { kind: "deliver", from, node: to, message });
    }
  }

  replyToClient(_node: number, reply: ClientReply): void {
    this.queue.push(this.queue.now + this.clientDelayNs(), { kind: "reply", reply });
  }

  failStop(node: number): void {
    this.crashNode(node, "eio");
  }

  halted(node: number): void {
    const incarnation = this.nodes[node]?.incarnation ?? -1;
    this.queue.push(this.queue.now, { kind: "halted", node, incarnation });
  }

  violation(violation: SimViolation): void {
    this.firstViolation ??= violation;
  }

  observeLeaderReady(
    node: number,
    term: number,
    entries: readonly Entry[],
    commitBefore: number,
    commitAfter: number,
  ): void {
    this.nemesis.observeLeaderReady(node, term, entries, commitBefore, commitAfter);
  }

  // ---- NemesisHost ---------------------------------------------------------------------------

  schedule(atNs: number, event: NemesisEvent): void {
    this.queue.push(atNs, event);
  }

  leaderIndex(): number {
    return this.nodes.findIndex((n) => n.leader);
  }

  recordNemesis(f: string, value: string): void {
    this.workload.recordNemesis(f, value);
  }

  membershipView(): MembershipView | null {
    return this.membership.view();
  }

  applyMembership(action: MembershipAction): Promise<string | null> {
    return this.membership.apply(action);
  }

  wipeNode(index: number): void {
    this.faults.wipe(index);
  }

  sendRequest(node: number, request: ClientRequest): void {
    this.queue.push(this.queue.now + this.clientDelayNs(), { kind: "request", node, request });
  }

  scheduleClient(client: number, atNs: number, opId: number | null): void {
    this.queue.push(atNs, { kind: "client", client, opId });
  }

  private clientDelayNs(): number {
    return 50_000 + this.clientNetRng.nextInt(200_000);
  }

  // ---- the run -------------------------------------------------------------------------------

  async run(): Promise<SimResult> {
    let violation: SimViolation | null = null;
    let check: CheckResult | null = null;
    try {
      this.workload.start();
      this.nemesis.start();
      await this.runFaultPhase();
      await this.runLivenessPhase();
      const budget = this.options.checkBudget;
      check = checkHistory(this.workload.history, budget === undefined ? {} : { budget });
      if (check.verdict === "not-linearizable") {
        const explanation = check.counterexample.explanation;
        violation = new SimViolation("linearizability", `key ${check.key}: ${explanation}`);
      }
    } catch (error: unknown) {
      if (error instanceof SimViolation) violation = error;
      else if (error instanceof AssertionError) {
        violation = new SimViolation("assertion", `${error.message}\n${error.stack ?? ""}`);
      } else throw error;
    }
    this.stopAll();
    const w = this.workload;
    return {
      seed: this.options.seed, plan: this.plan, ops: w.issued, ok: w.ok, fail: w.fail, info: w.info,
      elections: this.checker.elections, crashes: this.nodes.reduce((sum, n) => sum + n.crashes, 0),
      virtualNs: this.queue.now, traceHash: this.hash.hex(), events: this.events, violation,
      membership: this.membership.counts(),
      verdict: check?.verdict ?? "skipped",
      unknownReason: check?.verdict === "unknown" ? check.reason : null,
      history: w.history,
    };
  }

  /** The run is over: every node's process ends, so nothing of it lingers. */
  private stopAll(): void {
    for (const node of this.nodes) node.kill();
  }

  private runFaultPhase(): Promise<void> {
    const limit = this.options.virtualTimeMaxNs ?? 3600_000 * MS;
    return drive(() => {
      if (this.workload.issued >= this.options.opsMax && this.workload.openCount === 0) return false;
      if (!this.step() || this.queue.now > limit) {
        const atS = this.queue.now / 1e9;
        throw new SimViolation("liveness", `the fault phase did not finish by ${atS}s of virtual time`);
      }
      return true;
    });
  }

  private runLivenessPhase(): Promise<void> {
    this.nemesis.active = false;
    this.workload.stopped = true;
    this.network.heal();
    this.trace("heal-all");
    this.workload.recordNemesis("heal-all", "heal");
    this.nodes.forEach((node, i) => {
      if (node.paused) this.faults.resume(i);
      if (!node.up) this.faults.restart(i);
    });
    const ticksMax = this.options.livenessTicksMax ?? 400;
    const deadline = this.queue.now + ticksMax * this.tickNs;
    // Convergence is checked at most once per virtual millisecond: it reads every node's status.
    let checkNs = 0;
    return drive(() => {
      if (this.workload.openCount === 0 && this.queue.now >= checkNs) {
        if (isConverged(this.nodes)) return false;
        checkNs = this.queue.now + MS;
      }
      if (this.queue.now <= deadline && this.step()) return true;
      throw new SimViolation(
        "liveness",
        `after healing, ${this.workload.openCount} client operations were still open or the ` +
          `cluster had not converged within ${ticksMax} ticks (${describeNodes(this.nodes)})`,
      );
    });
  }

  private step(): boolean {
    if (this.firstViolation !== null) throw this.firstViolation;
    const event = this.nextDeferred() ?? this.queue.pop();
    if (event === undefined) return false;
    this.events++;
    if (this.events > this.eventsMax) {
      throw new SimViolation(
        "liveness",
        `livelock: ${this.events} events by ${(this.queue.now / 1e9).toFixed(3)}s ` +
          `of virtual time (${describeNodes(this.nodes)})`,
      );
    }
    this.dispatch(event);
    return true;
  }

  private nextDeferred(): NodeEvent | undefined {
    if (this.deferredNext < this.deferred.length) return this.deferred[this.deferredNext++];
    if (this.deferredNext > 0) {
      this.deferred = [];
      this.deferredNext = 0;
    }
    return undefined;
  }

  private dispatch(event: SimEvent): void {
    switch (event.kind) {
      case "host":
      case "deliver":
      case "request":
        this.toNode(event);
        return;
      case "reply":
        {
          const ok = event.reply.type === "ok" ? 1 : 0;
          this.hash.record(TRACE.reply, this.queue.now, event.reply.opId, ok);
        }
        this.workload.handleReply(event.reply);
        return;
      case "client":
        this.hash.record(TRACE.client, this.queue.now, event.client, event.opId ?? 0);
        this.workload.handleTimer(event.client, event.opId);
        return;
      case "nemesis":
      case "crash":
      case "pause":
      case "chaseHeal":
      case "chaseKick":
      case "membership":
      case "membershipReact":
        this.nemesis.handle(event);
        return;
      case "restart":
        if (this.nodes[event.node]?.incarnation === event.incarnation) {
          this.faults.restart(event.node);
        }
        return;
      case "resume":
        if (this.nodes[event.node]?.incarnation === event.incarnation) {
          this.faults.resume(event.node);
        }
        return;
      case "halted":
        // A removed node stopped its Raft activity; an operator restarts the process later.
        if (this.nodes[event.node]?.incarnation === event.incarnation) {
          this.faults.crash(event.node, "halt");
        }
        return;
    }
  }

  private toNode(event: NodeEvent): void {
    const node = this.nodes[event.node];
    if (node === undefined || this.faults.queueIfPaused(event)) return;
    this.deliverToNode(node, event);
  }

  private deliverToNode(node: SimNode, event: NodeEvent): void {
    switch (event.kind) {
      case "host":
        if (!event.task.live) return;
        this.hash.record(TRACE.tick, this.queue.now, event.node);
        event.task.run();
        return;
      case "deliver": {
        if (!node.up) return;
        const m = event.message;
        const link = event.from * 1024 + event.node;
        if (this.network.isBlocked(event.from, event.node)) {
          this.hash.record(TRACE.drop, this.queue.now, link, messageCode(m.type), m.term);
          return;
        }
        this.hash.record(TRACE.deliver, this.queue.now, link, messageCode(m.type), m.term);
        node.deliver(m);
        return;
      }
      case "request":
        this.hash.record(TRACE.request, this.queue.now, event.request.opId, event.node);
        node.handleRequest(event.request);
        return;
    }
  }

  // ---- faults the nemesis asks for ------------------------------------------------------------

  crashNode(index: number, why: string): void {
    this.faults.crash(index, why);
  }

  pauseNode(index: number): boolean {
    return this.faults.pause(index);
  }
}

/** Runs one seed. */
export function runSimulation(options: SimOptions): Promise<SimResult> {
  return new Simulation(options).run();
}
