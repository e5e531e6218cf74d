/**
 * Which faults a run injects, and how hard. `--faults all` is swarm testing: each fault is
 * switched on with some probability and its rate drawn from the seed, so different seeds explore
 * different fault mixes (a run with fewer fault kinds often reaches deeper states). A list turns
 * on exactly the named faults, still with seeded rates; `none` leaves only message delay and disk
 * latency, which every run has.
 */
import type { SeededRng } from "../core/rng.js";

export const FAULT_NAMES = [
  "loss", // a message is dropped
  "duplicate", // a message is delivered twice
  "reorder", // delays are independent, so a link does not keep FIFO order
  "partition", // Maelstrom's shapes: one node, halves, majorities ring
  "oneway", // random asymmetric (one-way) links
  "crash", // a node crashes, losing unsaved state, and restarts later
  "pause", // a node processes nothing for a while, then resumes with what queued up
  "torn", // a crash tears the in-flight save: a prefix of its records persists
  "eio", // a save fails (EIO): fail-stop, the node crashes and restarts later
  "skew", // node clocks run at different rates (ticks drift), as timers on loaded hosts do
  "chase", // isolate new leaders after their no-op, and leaders whose commit passes older terms
  "membership", // add, promote, remove (the leader too), replace, transfer; wipe removed nodes
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

/** An unknown fault name in `--faults`. */
export class FaultSpecError extends Error {
  override readonly name = "FaultSpecError";
  readonly code = "SIM_FAULT_SPEC_INVALID";
}

export type FaultSelection =
  | { readonly mode: "all" }
  | { readonly mode: "list"; readonly names: readonly FaultName[] };

/**
 * Parses `all`, `none` or a comma-separated list of fault names.
 * @throws FaultSpecError naming the unknown fault.
 */
export function parseFaults(spec: string): FaultSelection {
  const trimmed = spec.trim();
  if (trimmed === "all") return { mode: "all" };
  if (trimmed === "none" || trimmed === "") return { mode: "list", names: [] };
  const names: FaultName[] = [];
  for (const part of trimmed.split(",")) {
    const name = part.trim();
    const known = FAULT_NAMES.find((n) => n === name);
    if (known === undefined) {
      throw new FaultSpecError(
        `Unknown fault "${name}": expected all, none or a list of ${FAULT_NAMES.join(", ")}`,
      );
    }
    if (!names.includes(known)) names.push(known);
  }
  return { mode: "list", names };
}

export function formatFaults(selection: FaultSelection): string {
  if (selection.mode === "all") return "all";
  return selection.names.length === 0 ? "none" : selection.names.join(",");
}

const MS = 1_000_000;
/** The tick the plan's fault intervals are scaled to by default (see simulation.ts). */
export const TICK_NS_DEFAULT = 50 * MS;

/** The concrete fault parameters of one run (all times in virtual nanoseconds). */
export interface FaultPlan {
  readonly enabled: readonly FaultName[];
  readonly delay: {
    readonly dist: "uniform" | "exponential";
    readonly minNs: number;
    readonly meanNs: number;
  };
  readonly lossRate: number;
  readonly duplicateRate: number;
  readonly reorder: boolean;
  /** Mean gap between nemesis actions (start / heal), or null when no partition kind is on. */
  readonly partitionIntervalNs: number | null;
  readonly partitionShapes: boolean;
  readonly onewayShapes: boolean;
  readonly crashIntervalNs: number | null;
  readonly downtimeMaxNs: number;
  readonly pauseIntervalNs: number | null;
  readonly pauseMaxNs: number;
  /** Probability that a crash tears the in-flight save rather than losing all of it. */
  readonly tornRate: number;
  /** Probability that one save fails with EIO. */
  readonly eioRate: number;
  /** Each node's tick period is the nominal one times a factor drawn in [1, clockSkewMax]. */
  readonly clockSkewMax: number;
  readonly fsyncMinNs: number;
  readonly fsyncMaxNs: number;
  /** The leader-chasing nemesis (nemesis.ts), or null when `chase` is off. */
  readonly chase: ChasePlan | null;
  /** Membership changes and transfers (membership_nemesis.ts), or null when off. */
  readonly membership: MembershipPlan | null;
}

/**
 * Cluster operations as faults: the nemesis proposes random valid membership changes and
 * leadership transfers on the leader, and wipes nodes whose removal is committed (a fresh disk),
 * so they can rejoin as new members. The pool holds `sparesCount` ids beyond the initial voters.
 */
export interface MembershipPlan {
  /** Mean gap between membership actions. */
  readonly intervalNs: number;
  readonly sparesCount: number;
  /** A low snapshot threshold (entries), so snapshots are installed often; null: the default. */
  readonly snapshotEntries: number | null;
  /**
   * Probability that a new leader gets a change at once (retried while refused), preferably
   * removing the previous leader: an operator replacing the machine that just failed.
   */
  readonly reactRate: number;
  /** With `chase`: probability of isolating a leader right after it appends a config entry. */
  readonly configChaseRate: number;
}

/**
 * An adversarial scheduler aimed at Figure 8 (§5.4.2): it isolates a leader right after it
 * appends the no-op of its term (so its tail reaches no one), and a leader whose commit index
 * moves over an entry of an older term (so the entry it just committed, and what it applied,
 * are left on the smallest possible majority). It only decides when to partition; the core runs
 * unchanged.
 */
export interface ChasePlan {
  /** Probability of isolating a leader right after it appends its first entry of a term. */
  readonly newLeaderRate: number;
  /** Probability of isolating a leader whose commit index passes an older term's entry. */
  readonly oldCommitRate: number;
  /** Mean time after which the isolation heals if no later one replaced it. */
  readonly healMeanNs: number;
}

function between(rng: SeededRng, lo: number, hi: number): number {
  return lo + rng.nextFloat() * (hi - lo);
}

/**
 * Draws a plan: for `all`, each fault is on with probability 0.6. Fault intervals are counted in
 * ticks (an election timeout is 10-20 ticks), so a faster tick scales them with it; message
 * delay and disk latency are real-world durations and do not scale.
 */
export function planFaults(
  selection: FaultSelection,
  rng: SeededRng,
  tickNs: number = TICK_NS_DEFAULT,
): FaultPlan {
  const enabled = selection.mode === "all"
    ? FAULT_NAMES.filter(() => rng.nextFloat() < 0.6)
    : [...selection.names];
  const on = (name: FaultName): boolean => enabled.includes(name);
  const exponential = rng.nextFloat() < 0.5;
  const meanNs = Math.round(between(rng, 0.5, 8) * MS);
  const partitionOn = on("partition") || on("oneway");
  const ticks = (lo: number, hi: number): number => Math.round(between(rng, lo, hi) * tickNs);
  return {
    enabled,
    delay: { dist: exponential ? "exponential" : "uniform", minNs: Math.round(0.1 * MS), meanNs },
    lossRate: on("loss") ? between(rng, 0.001, 0.1) : 0,
    duplicateRate: on("duplicate") ? between(rng, 0.001, 0.1) : 0,
    reorder: on("reorder"),
    partitionIntervalNs: partitionOn ? ticks(15, 100) : null,
    partitionShapes: on("partition"),
    onewayShapes: on("oneway"),
    crashIntervalNs: on("crash") ? ticks(15, 200) : null,
    downtimeMaxNs: ticks(2, 80),
    pauseIntervalNs: on("pause") ? ticks(20, 200) : null,
    pauseMaxNs: ticks(2, 60),
    tornRate: on("torn") ? between(rng, 0.3, 1) : 0,
    eioRate: on("eio") ? between(rng, 0.0005, 0.01) : 0,
    clockSkewMax: on("skew") ? between(rng, 1.2, 3) : 1,
    fsyncMinNs: Math.round(0.05 * MS),
    fsyncMaxNs: Math.round(between(rng, 0.2, 5) * MS),
    chase: on("chase")
      ? { newLeaderRate: between(rng, 0.2, 0.7), oldCommitRate: between(rng, 0.3, 0.8),
        healMeanNs: ticks(50, 200) }
      : null,
    membership: on("membership")
      ? {
        intervalNs: ticks(4, 30), sparesCount: 2,
        snapshotEntries: rng.nextFloat() < 0.4 ? 3 + rng.nextInt(15) : null,
        reactRate: rng.nextFloat() < 0.5 ? between(rng, 0.3, 0.9) : 0,
        configChaseRate: rng.nextFloat() < 0.5 ? between(rng, 0.2, 0.7) : 0,
      }
      : null,
  };
}
