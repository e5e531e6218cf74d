/**
 * Random schedules for the core's property tests: the actions a schedule is made of and a runner
 * that applies them to a TestNetwork while a SafetyMonitor checks Raft's safety properties after
 * every action, plus a read check (§6.4): a ReadState's index is at least the highest index
 * applied anywhere when the read was asked. Storage is injected to keep the core pure; the
 * fast-check generators live in the test file.
 */
import type { ConfChange } from "../conf_change.js";
import type { RaftConfig } from "../config.js";
import { RaftError } from "../errors.js";
import type { ConfState, Snapshot } from "../messages.js";
import { TestNetwork, type SyncStorage } from "./testing_network.js";
import { SafetyMonitor } from "./testing_invariants.js";
import { assert, logIndex, type LogIndex, type NodeId } from "../types.js";

/** A storage whose log can be compacted, as MemoryStorage can. */
export interface CompactableStorage extends SyncStorage {
  createSnapshotSync(index: LogIndex, confState: ConfState, data: Uint8Array): Snapshot;
  compactSync(index: LogIndex): void;
}

export type Action =
  | { readonly t: "tick"; readonly node: number; readonly times: number }
  | { readonly t: "tickAll"; readonly times: number }
  | { readonly t: "deliver"; readonly pos: number; readonly count: number }
  | { readonly t: "drop"; readonly pos: number }
  | { readonly t: "dup"; readonly pos: number }
  | { readonly t: "propose"; readonly node: number; readonly count: number }
  | { readonly t: "read"; readonly node: number }
  | { readonly t: "crash"; readonly node: number }
  | { readonly t: "compact"; readonly node: number }
  | { readonly t: "isolate"; readonly node: number }
  | { readonly t: "heal" }
  /** `rounds` rounds of: tick every node once, then deliver everything queued (bounded). */
  | { readonly t: "settle"; readonly rounds: number }
  /**
   * A membership change on the leader of the highest term (else on `node`): op 0 add voter a,
   * 1 add learner a, 2 remove a, 3 replace b by a (joint), 4 add voters a and b (joint).
   */
  | { readonly t: "conf"; readonly node: number; readonly op: number; readonly a: number;
    readonly b: number }
  /** A leadership transfer on the leader (else `node`) to `to`, or to the most caught-up. */
  | { readonly t: "transfer"; readonly node: number; readonly to: number | null };

export interface ScheduleOptions {
  readonly storage: (confState: ConfState) => CompactableStorage;
  readonly config?: Partial<Omit<RaftConfig, "id">>;
  /** How many of the nodes start outside the configuration (the last ones), to be added. */
  readonly spares?: number;
}

const enc = new TextEncoder();

/** Runs `run`, absorbing the core's expected (typed) errors; returns whether it succeeded. */
function ignoreExpected(run: () => void): boolean {
  try {
    run();
    return true;
  } catch (error: unknown) {
    if (!(error instanceof RaftError)) throw error;
    return false;
  }
}

export class Schedule {
  readonly net: TestNetwork<CompactableStorage>;
  readonly monitor = new SafetyMonitor();
  /** Per read context: the highest index applied anywhere when it was asked. */
  private readonly readFloor = new Map<string, number>();
  private readonly readCursor = new Map<NodeId, number>();
  private proposals = 0;
  private reads = 0;
  readsServed = 0;

  constructor(size: number, options: ScheduleOptions & { readonly seed: number }) {
    const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
    this.net = new TestNetwork({
      ids, storage: options.storage, seed: options.seed,
      spares: ids.slice(size - (options.spares ?? 0)),
      config: {
        electionTimeoutTicksMin: 5, electionTimeoutTicksMax: 10, messageBytesMax: 64,
        inflightMessagesMax: 4, ...options.config,
      },
    });
  }

  /** Applies actions until one breaks a property; returns the violations. */
  run(actions: readonly Action[]): readonly string[] {
    for (const a of actions) {
      this.apply(a);
      if (this.check().length > 0) break;
    }
    return this.monitor.violations;
  }

  check(): readonly string[] {
    this.monitor.check(this.net);
    for (const id of this.net.ids) {
      const states = this.net.readStates.get(id) ?? [];
      for (const state of states.slice(this.readCursor.get(id) ?? 0)) {
        this.readsServed++;
        const floor = this.readFloor.get(state.context) ?? 0;
        if (state.index < floor) {
          this.monitor.violations.push(
            `${id} read ${state.context} at ${state.index}, below ${floor} applied before it`);
        }
      }
      this.readCursor.set(id, states.length);
    }
    return this.monitor.violations;
  }

  private pick(n: number): NodeId {
    const id = this.net.ids[n % this.net.ids.length];
    assert(id !== undefined, "no nodes");
    return id;
  }

  apply(a: Action): void {
    const net = this.net;
    const q = net.queue;
    switch (a.t) {
      case "tick":
        for (let i = 0; i < a.times; i++) net.tick(this.pick(a.node));
        return;
      case "tickAll":
        net.tickAll(a.times);
        return;
      case "deliver":
        for (let i = 0; i < a.count && q.length > 0; i++) net.deliver((a.pos + i) % q.length);
        return;
      case "drop":
        if (q.length > 0) q.splice(a.pos % q.length, 1);
        return;
      case "dup": {
        const m = q[a.pos % Math.max(q.length, 1)];
        if (m !== undefined) q.push(m);
        return;
      }
      case "propose":
        for (let i = 0; i < a.count; i++) this.propose(this.pick(a.node));
        return;
      case "read":
        this.read(this.pick(a.node));
        return;
      case "crash":
        net.start(this.pick(a.node));
        this.monitor.forgetProgress(this.pick(a.node));
        net.processReady(this.pick(a.node));
        return;
      case "compact":
        this.compact(this.pick(a.node));
        return;
      case "isolate":
        net.isolate(this.pick(a.node));
        return;
      case "heal":
        net.heal();
        return;
      case "settle":
        for (let i = 0; i < a.rounds; i++) {
          net.tickAll();
          for (let k = 0; k < 10_000 && q.length > 0; k++) net.deliver();
        }
        return;
      case "conf":
        this.confChange(net.leader() ?? this.pick(a.node), a);
        return;
      case "transfer": {
        const to = a.to === null ? null : this.pick(a.to);
        const id = net.leader() ?? this.pick(a.node);
        ignoreExpected(() => { net.node(id).transferLeader(to); });
        net.processReady(id);
        return;
      }
    }
  }

  private propose(id: NodeId): void {
    ignoreExpected(() => { this.net.node(id).propose(enc.encode(`p${this.proposals++}`)); });
    this.net.processReady(id);
  }

  private confChange(id: NodeId, a: { op: number; a: number; b: number }): void {
    const x = this.pick(a.a);
    const y = this.pick(a.b);
    const ops: ConfChange[] = [
      [{ type: "addVoter", nodeId: x }],
      [{ type: "addLearner", nodeId: x }],
      [{ type: "removeNode", nodeId: x }],
      [{ type: "addVoter", nodeId: x }, { type: "removeNode", nodeId: y }],
      [{ type: "addVoter", nodeId: x }, { type: "addVoter", nodeId: y }],
    ];
    const change = ops[a.op % ops.length] ?? [];
    ignoreExpected(() => { this.net.node(id).proposeConfChange(change); });
    this.net.processReady(id);
  }

  private read(id: NodeId): void {
    const context = `r${this.reads++}`;
    this.readFloor.set(context, Math.max(0, ...this.monitor.appliedAt.keys()));
    ignoreExpected(() => { this.net.node(id).readIndex(context); });
    this.net.processReady(id);
  }

  private compact(id: NodeId): void {
    const storage = this.net.storage(id);
    const applied = this.net.node(id).status().applied;
    if (applied > storage.snapshot().metadata.index) {
      const confState = this.net.appliedConfState(id);
      storage.createSnapshotSync(applied, confState, new Uint8Array(0));
      storage.compactSync(logIndex(applied));
    }
  }

  /**
   * Heals everything and checks that the cluster makes progress: within a bounded number of
   * rounds, some proposal made to the current leader is applied on every node. A proposal may be
   * lost when its leader is deposed (without pre-vote a rejoining node can do that), so a fresh
   * one is made whenever the leader changes.
   */
  /** The members (voters of both halves and learners) of `id`'s configuration. */
  members(id: NodeId): readonly NodeId[] {
    const { voters, votersOutgoing, learners } = this.net.node(id).status().confState;
    const members = new Set([...voters, ...votersOutgoing, ...learners]);
    return this.net.ids.filter((member) => members.has(member));
  }

  checkLiveness(roundsMax = 300): void {
    const net = this.net;
    net.heal();
    net.queue = [];
    const decoder = new TextDecoder();
    let proposedBy: string | null = null;
    for (let round = 0; round < roundsMax; round++) {
      net.tickAll();
      net.settle();
      const leader = net.leader();
      if (leader !== null) {
        const tag = `${leader}@${net.node(leader).status().term}`;
        if (tag !== proposedBy) {
          // Refused during a leadership transfer (§3.10): try again next round.
          const proposed = ignoreExpected(() => {
            net.node(leader).propose(enc.encode(`final ${tag}`));
          });
          if (proposed) proposedBy = tag;
          net.processReady(leader);
        }
      }
      // Removed nodes and nodes never added need not apply it.
      const members = leader === null ? net.ids : this.members(leader);
      const appliedEverywhere = members.every((id) => (net.applied.get(id) ?? [])
        .some((e) => decoder.decode(e.data).startsWith("final ")));
      if (appliedEverywhere && this.check().length === 0) return;
    }
    const statuses = net.ids.map((id) => {
      const { role, term, commit, applied, lastIndex } = net.node(id).status();
      return `${id}:${role}@${term} commit ${commit} applied ${applied} last ${lastIndex}`;
    });
    assert(false,
      `no proposal was applied on every node within ${roundsMax} rounds: ${statuses.join(" ")}`);
  }
}
