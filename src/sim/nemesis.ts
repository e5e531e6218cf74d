/**
 * The nemesis: when to partition, crash and pause nodes. Scheduled faults (partitions of
 * Maelstrom's shapes, crashes, pauses) fire at seeded random intervals; the leader chase
 * (`chase`, faults.ts) reacts to what leaders do, as an adversarial scheduler would. Every
 * choice draws from the nemesis's own generator, so a seed replays the same faults. The
 * simulation applies the faults (the `NemesisHost`); the core runs unchanged.
 */
import type { Entry } from "../core/messages.js";
import type { SeededRng } from "../core/rng.js";
import type { FaultPlan } from "./faults.js";
import {
  chooseMembershipAction, removeNode, VOTERS_MIN, type MembershipAction, type MembershipView,
} from "./membership_nemesis.js";
import type { SimNetwork } from "./network.js";
import {
  describeGrudge, linkMatrix, partitionGrudge, type PartitionShape,
} from "../check/partitions.js";

export type NemesisEvent =
  | { readonly kind: "nemesis"; readonly start: boolean }
  | { readonly kind: "crash" }
  | { readonly kind: "pause" }
  | { readonly kind: "chaseHeal"; readonly generation: number }
  | { readonly kind: "chaseKick" }
  | { readonly kind: "membership" }
  | {
    readonly kind: "membershipReact";
    readonly node: number;
    /** The previous leader, which the reaction removes if it can. */
    readonly target: number | null;
    readonly tries: number;
  };

export interface NemesisHost {
  nowNs(): number;
  schedule(atNs: number, event: NemesisEvent): void;
  /** The index of a node that believes it leads, or -1. */
  leaderIndex(): number;
  crashNode(index: number, why: string): void;
  /** Pauses a node that is up and running; false when it cannot be paused now. */
  pauseNode(index: number): boolean;
  trace(line: string): void;
  recordNemesis(f: string, value: string): void;
  /** The newest leader's view for a membership action, or null when there is no leader. */
  membershipView(): MembershipView | null;
  /** Carries out a membership action on the newest leader; resolves with the refusal's code. */
  applyMembership(action: MembershipAction): Promise<string | null>;
}

/** What the chase knows about one node's current leadership. */
interface ChaseState {
  term: number;
  /** The index of the first entry of its own term (its no-op), once seen. */
  firstIndex: number | null;
}

export class Nemesis {
  /** False once the liveness phase began: no new faults. */
  active = true;
  private readonly chaseStates: ChaseState[];
  private chaseGeneration = 0;
  /** The newest leader seen by the membership reaction, and its term. */
  private reactLeader: number | null = null;
  private reactTerm = -1;

  constructor(
    private readonly plan: FaultPlan,
    private readonly rng: SeededRng,
    private readonly host: NemesisHost,
    private readonly network: SimNetwork,
    private readonly names: readonly string[],
  ) {
    this.chaseStates = names.map(() => ({ term: 0, firstIndex: null }));
  }

  /** Schedules the first action of every periodic fault of the plan. */
  start(): void {
    const plan = this.plan;
    if (plan.partitionIntervalNs !== null) {
      this.host.schedule(this.gap(plan.partitionIntervalNs), { kind: "nemesis", start: true });
    }
    if (plan.crashIntervalNs !== null) {
      this.host.schedule(this.gap(plan.crashIntervalNs), { kind: "crash" });
    }
    if (plan.pauseIntervalNs !== null) {
      this.host.schedule(this.gap(plan.pauseIntervalNs), { kind: "pause" });
    }
    if (plan.chase !== null) {
      this.host.schedule(this.gap(plan.chase.healMeanNs), { kind: "chaseKick" });
    }
    if (plan.membership !== null) {
      this.host.schedule(this.gap(plan.membership.intervalNs), { kind: "membership" });
    }
  }

  /** The delay before a node restarts after a crash. */
  downtimeNs(): number {
    return 1 + this.rng.nextInt(this.plan.downtimeMaxNs);
  }

  /** How long a paused node stays paused. */
  pauseNs(): number {
    return 1 + this.rng.nextInt(this.plan.pauseMaxNs);
  }

  handle(event: NemesisEvent): void {
    if (!this.active) return;
    switch (event.kind) {
      case "nemesis":
        this.handlePartition(event.start);
        return;
      case "crash":
        this.handleCrash();
        return;
      case "pause":
        this.handlePause();
        return;
      case "chaseHeal":
        this.handleChaseHeal(event.generation);
        return;
      case "chaseKick":
        this.handleChaseKick();
        return;
      case "membership":
        this.handleMembership();
        return;
      case "membershipReact":
        this.handleMembershipReact(event.node, event.target, event.tries);
        return;
    }
  }

  private gap(meanNs: number): number {
    return this.host.nowNs() + this.rng.nextInt(2 * meanNs);
  }

  private handlePartition(start: boolean): void {
    const interval = this.plan.partitionIntervalNs;
    if (interval === null) return;
    if (start) {
      const shapes: PartitionShape[] = [];
      if (this.plan.partitionShapes) shapes.push("one", "majority", "majorities-ring");
      if (this.plan.onewayShapes) shapes.push("one-way");
      const shape = shapes[this.rng.nextInt(shapes.length)] ?? "one";
      // Half the time the nemesis aims at the leader (alone, or in the minority half), as
      // Jepsen's "primaries" targeting does: stale leaders are where reads and commits go wrong.
      const leader = this.host.leaderIndex();
      const target = leader >= 0 && this.rng.nextFloat() < 0.5 ? leader : null;
      this.partition(shape, target);
    } else {
      this.network.heal();
      this.host.trace("heal");
      this.host.recordNemesis("stop-partition", "healed");
    }
    this.host.schedule(this.gap(interval), { kind: "nemesis", start: !start });
  }

  private partition(shape: PartitionShape, target: number | null): void {
    const aim = target === null ? null : (this.names[target] ?? null);
    const grudge = partitionGrudge(shape, this.names, this.rng, { target: aim });
    this.network.setGrudge(linkMatrix(grudge, this.names));
    const description = `${shape} ${describeGrudge(grudge, this.names)}`;
    this.host.trace(`partition ${description}`);
    this.host.recordNemesis("start-partition", description);
  }

  private handleCrash(): void {
    const interval = this.plan.crashIntervalNs;
    if (interval === null) return;
    this.host.crashNode(this.rng.nextInt(this.names.length), "crash");
    this.host.schedule(this.gap(interval), { kind: "crash" });
  }

  private handleMembership(): void {
    const membership = this.plan.membership;
    if (membership === null) return;
    const view = this.host.membershipView();
    const action = view === null ? null : chooseMembershipAction(this.rng, view);
    if (action !== null) void this.host.applyMembership(action);
    this.host.schedule(this.gap(membership.intervalNs), { kind: "membership" });
  }

  /**
   * A new leader was seen: an operator (or a controller) reacts at once, as to a failover,
   * removing the previous leader if that keeps enough voters. The core must refuse until the
   * leader committed an entry of its term (the single-server change bug); retried until then.
   */
  private handleMembershipReact(node: number, target: number | null, tries: number): void {
    const view = this.host.membershipView();
    if (view === null || view.leader !== this.names[node]) return;
    const conf = view.conf;
    const old = target === null ? undefined : conf.voters.find((id) => id === this.names[target]);
    const removable = old !== undefined && old !== view.leader
      && conf.votersOutgoing.length === 0 && conf.voters.length > VOTERS_MIN;
    const action: MembershipAction | null = removable
      ? { kind: "change", what: `remove-old-leader ${old}`, change: [removeNode(old)] }
      : chooseMembershipAction(this.rng, view);
    if (action === null) return;
    void this.host.applyMembership(action).then((refusal) => {
      if (refusal === null || tries >= 20) return;
      const at = this.host.nowNs() + 1 + this.rng.nextInt(5_000_000);
      this.host.schedule(at, { kind: "membershipReact", node, target, tries: tries + 1 });
    });
  }

  /** Membership's view of a leader's Ready: react to a new leader, chase a config append. */
  private observeForMembership(index: number, term: number, entries: readonly Entry[]): void {
    const membership = this.plan.membership;
    if (membership === null) return;
    if (term > this.reactTerm) {
      const target = this.reactLeader;
      this.reactLeader = index;
      this.reactTerm = term;
      if (membership.reactRate > 0 && this.rng.nextFloat() < membership.reactRate) {
        const at = this.host.nowNs() + 1 + this.rng.nextInt(2_000_000);
        this.host.schedule(at, { kind: "membershipReact", node: index, target, tries: 0 });
      }
    }
    const chase = this.plan.chase;
    if (chase === null || membership.configChaseRate === 0) return;
    const appended = entries.some((e) => e.kind === "config" && e.term === term);
    if (appended && this.rng.nextFloat() < membership.configChaseRate) {
      this.isolate(index, "config-append", chase.healMeanNs);
    }
  }

  private handlePause(): void {
    const interval = this.plan.pauseIntervalNs;
    if (interval === null) return;
    this.host.pauseNode(this.rng.nextInt(this.names.length));
    this.host.schedule(this.gap(interval), { kind: "pause" });
  }

  /**
   * A leader's Ready, seen before it is persisted or sent (sim_node.ts). Isolating the leader
   * now drops every message of this Ready at delivery, so what it just appended stays on it
   * alone, and what it just committed stays on the bare majority that acknowledged it.
   */
  observeLeaderReady(
    index: number,
    term: number,
    entries: readonly Entry[],
    commitBefore: number,
    commitAfter: number,
  ): void {
    if (!this.active) return;
    this.observeForMembership(index, term, entries);
    const chase = this.plan.chase;
    const state = this.chaseStates[index];
    if (chase === null || state === undefined) return;
    if (state.term !== term) {
      state.term = term;
      state.firstIndex = null;
    }
    if (state.firstIndex === null) {
      const own = entries.find((e) => e.term === term);
      if (own === undefined) return;
      state.firstIndex = own.index;
      if (this.rng.nextFloat() < chase.newLeaderRate) {
        this.isolate(index, "new-leader", chase.healMeanNs);
      }
      return;
    }
    // Everything before the first entry of its term is from older terms (§5.4.2, Figure 8).
    const passesOlder = commitAfter > commitBefore && commitBefore + 1 < state.firstIndex;
    if (passesOlder && this.rng.nextFloat() < chase.oldCommitRate) {
      this.isolate(index, "old-commit", chase.healMeanNs);
    }
  }

  /** The last isolation healed: a while later the chase starts over by isolating the leader. */
  private handleChaseHeal(generation: number): void {
    const chase = this.plan.chase;
    if (generation !== this.chaseGeneration || chase === null) return;
    this.network.heal();
    this.host.trace("chase-heal");
    this.host.recordNemesis("stop-partition", "healed");
    this.host.schedule(this.gap(chase.healMeanNs), { kind: "chaseKick" });
  }

  private handleChaseKick(): void {
    const chase = this.plan.chase;
    if (chase === null) return;
    const leader = this.host.leaderIndex();
    if (leader >= 0) this.isolate(leader, "kick", chase.healMeanNs);
    else this.host.schedule(this.gap(chase.healMeanNs), { kind: "chaseKick" });
  }

  private isolate(index: number, why: string, healMeanNs: number): void {
    this.host.trace(`chase ${why}`);
    this.partition("one", index);
    this.chaseGeneration++;
    const at = this.host.nowNs() + 1 + this.rng.nextInt(2 * healMeanNs);
    this.host.schedule(at, { kind: "chaseHeal", generation: this.chaseGeneration });
  }
}
