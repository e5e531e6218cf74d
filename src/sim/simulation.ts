/**
 * One seeded simulation run: N real Raft nodes, a faulty network, a disk with latency and
 * faults, a nemesis, clients, and the checkers. One seed determines everything: every random
 * choice draws from a generator forked per concern from `SeededRng(seed)`, time is virtual, and
 * events at the same instant run in scheduling order (EventQueue), so a rerun of a seed replays
 * the same run and yields the same trace hash.
 *
 * A run has two phases. In the fault phase the clients issue `opsMax` operations while the
 * nemesis injects the plan's faults. Then the liveness phase heals everything, restarts crashed
 * and resumes paused nodes, and demands that within `livenessTicksMax` ticks a leader is elected,
 * every client operation is complete and every node has applied the leader's commit index.
 * Finally the history goes through the linearizability checker.
 *
 * Virtual time means what it means in production: one tick is 50 ms by default, so an election
 * timeout of 10-20 ticks is 500-1000 ms and a heartbeat every 3 ticks is 150 ms (the runtime's
 * defaults in src/node/config.ts: electionTimeoutMs 500-1000, heartbeatIntervalMs 50). Message
 * delay (0.1 ms to several ms) and fsync latency (0.05-5 ms) are real-world durations, and the
 * clients offer about 100 operations per virtual second (10 clients, a think time uniform in
 * 0-200 ms between an operation's completion and the next invoke).
 */
import { DEFAULT_CONFIG, type RaftConfig } from "../core/config.js";
import { EMPTY_CONF_STATE } from "../core/conf_change.js";
import type { ConfState, Entry, Message } from "../core/messages.js";
import { SeededRng } from "../core/rng.js";
import { AssertionError, nodeId, type NodeId } from "../core/types.js";
import { checkHistory, type CheckResult } from "../check/index.js";
import { EventQueue } from "./event_queue.js";
import { planFaults, TICK_NS_DEFAULT, type FaultPlan } from "./faults.js";
import { InvariantChecker, SimViolation } from "./invariants.js";
import { MembershipOps } from "./membership_ops.js";
import { NodeFaults } from "./node_faults.js";
import type { MembershipAction, MembershipView } from "./membership_nemesis.js";
import { Nemesis, type NemesisEvent } from "./nemesis.js";
import { SimNetwork } from "./network.js";
import { describeNodes, isConverged } from "./convergence.js";
import { SimNode } from "./sim_node.js";
import type { NodeEvent, SimEvent, SimOptions, SimResult } from "./sim_types.js";

export type { SimOptions, SimResult } from "./sim_types.js";
import { messageCode, TRACE, TraceHash } from "./trace.js";
import { Workload, type ClientReply, type ClientRequest } from "./workload.js";

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
  private readonly messageBytesMax: number;
  private readonly eventsMax: number;
  /** Per node tick period: the nominal one, stretched by clock skew. */
  private readonly tickPeriodsNs: number[];
  private events = 0;

  constructor(private readonly options: SimOptions) {
    this.rng = new SeededRng(options.seed);
    this.tickNs = options.tickNs ?? TICK_NS_DEFAULT;
    const planned = planFaults(options.faults, this.rng.fork(), this.tickNs);
    this.plan = { ...planned, ...options.planOverrides };
    this.eventsMax = options.eventsMax ?? 200_000 + 500 * options.opsMax;
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
    this.tickPeriodsNs = this.ids.map(
      () => Math.round(this.tickNs * (1 + skewRng.nextFloat() * (skewMax - 1))),
    );
    const nodeRng = this.rng.fork();
    // Half the runs use tiny AppendEntries (a few entries each) to exercise flow control and the
    // orderings, such as an entry acked without its successor, that Figure 8 is about.
    this.messageBytesMax = this.rng.nextFloat() < 0.5
      ? 100 + this.rng.nextInt(400)
      : DEFAULT_CONFIG.messageBytesMax;
    const snapshotEntries = this.plan.membership?.snapshotEntries ?? 20 + this.rng.nextInt(100);
    const compactLagEntries = this.rng.nextInt(30);
    this.nodes = this.ids.map((id, index) => new SimNode({
      index, config: this.configFor(id), rng: nodeRng.fork(), plan: this.plan,
      confState: index < options.nodes ? confState : EMPTY_CONF_STATE,
      checker: this.checker, host: this, snapshotEntries, compactLagEntries,
      ...(options.runtimeBugs === undefined ? {} : { bugs: options.runtimeBugs }),
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
      backoffNs: 100 * MS,
    }, this.rng.fork(), this);
  }

  private configFor(id: NodeId): RaftConfig {
    const base: RaftConfig = {
      ...DEFAULT_CONFIG, id,
      electionTimeoutTicksMin: 10, electionTimeoutTicksMax: 20, heartbeatIntervalTicks: 3,
      messageBytesMax: this.messageBytesMax, ...this.options.configOverrides,
    };
    const testingBugs = this.options.testingBugs;
    return testingBugs === undefined ? base : { ...base, testingBugs };
  }

  // ---- NodeHost and WorkloadHost -------------------------------------------------------------

  nowNs(): number {
    return this.queue.now;
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

  scheduleSaveDone(node: number, incarnation: number, atNs: number): void {
    this.queue.push(atNs, { kind: "saveDone", node, incarnation });
  }

  failStop(node: number): void {
    this.crashNode(node, "eio");
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

  applyMembership(action: MembershipAction): string | null {
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

  run(): SimResult {
    let violation: SimViolation | null = null;
    let check: CheckResult | null = null;
    try {
      this.startSchedules();
      this.runFaultPhase();
      this.runLivenessPhase();
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

  private startSchedules(): void {
    this.nodes.forEach((_, node) => {
      this.queue.push(this.rng.nextInt(this.tickNs), { kind: "tick", node });
    });
    this.workload.start();
    this.nemesis.start();
  }

  private runFaultPhase(): void {
    const limit = this.options.virtualTimeMaxNs ?? 3600_000 * MS;
    while (this.workload.issued < this.options.opsMax || this.workload.openCount > 0) {
      if (!this.step() || this.queue.now > limit) {
        const atS = this.queue.now / 1e9;
        const detail = `the fault phase did not finish by ${atS}s of virtual time`;
        throw new SimViolation("liveness", detail);
      }
    }
  }

  private runLivenessPhase(): void {
    this.nemesis.active = false;
    this.workload.stopped = true;
    this.network.heal();
    this.trace("heal-all");
    this.workload.recordNemesis("heal-all", "heal");
    this.nodes.forEach((node, i) => {
      if (node.paused) this.faults.resume(i);
      if (!node.up) this.faults.restart(i);
    });
    const deadline = this.queue.now + (this.options.livenessTicksMax ?? 400) * this.tickNs;
    // Convergence is checked at most once per virtual millisecond: it reads every node's status.
    let checkNs = 0;
    while (this.queue.now <= deadline) {
      if (this.workload.openCount === 0 && this.queue.now >= checkNs) {
        if (isConverged(this.nodes)) return;
        checkNs = this.queue.now + MS;
      }
      if (!this.step()) break;
    }
    const open = this.workload.openCount;
    throw new SimViolation(
      "liveness",
      `after healing, ${open} client operations were still open or the cluster had not converged ` +
        `within ${this.options.livenessTicksMax ?? 400} ticks (${describeNodes(this.nodes)})`,
    );
  }

  private step(): boolean {
    const event = this.queue.pop();
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

  private dispatch(event: SimEvent): void {
    switch (event.kind) {
      case "tick":
        this.queue.push(this.queue.now + (this.tickPeriodsNs[event.node] ?? this.tickNs), event);
        this.toNode(event);
        return;
      case "deliver":
      case "saveDone":
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
    }
  }

  private toNode(event: NodeEvent): void {
    const node = this.nodes[event.node];
    if (node === undefined || this.faults.queueIfPaused(event)) return;
    this.deliverToNode(node, event);
  }

  private deliverToNode(node: SimNode, event: NodeEvent): void {
    switch (event.kind) {
      case "tick":
        this.hash.record(TRACE.tick, this.queue.now, event.node);
        node.tick();
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
        node.step(m);
        return;
      }
      case "saveDone":
        node.handleSaveDone(event.incarnation);
        return;
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
export function runSimulation(options: SimOptions): SimResult {
  return new Simulation(options).run();
}
