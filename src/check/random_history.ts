/**
 * Random histories that are linearizable by construction, for tests and benchmarks of checkers:
 * an actual sequential execution of per-key registers, each op given a linearization point, then
 * an invocation before and a completion after that point, so intervals overlap at random.
 */
import { SeededRng } from "../core/rng.js";
import type { CompletionType, HistoryEvent } from "./history.js";

export interface RandomHistoryOptions {
  readonly seed: number;
  readonly opsCount: number;
  readonly keysCount: number;
  /** Fraction of ops whose outcome is indeterminate (`info`, or no completion at all). */
  readonly infoRatio: number;
  /** Fraction of ops that definitely failed (they never take effect). */
  readonly failRatio: number;
  /** How far (in time units) an invocation may precede, and a completion follow, its point. */
  readonly spreadMax: number;
  /** Written values are drawn from [0, valuesMax) (Maelstrom uses 5); default: all unique. */
  readonly valuesMax?: number;
}

interface Timed {
  readonly event: HistoryEvent;
  readonly order: number;
}

function pickOutcome(rng: SeededRng, options: RandomHistoryOptions): CompletionType {
  const roll = rng.nextFloat();
  if (roll < options.infoRatio) return "info";
  return roll < options.infoRatio + options.failRatio ? "fail" : "ok";
}

/** Generates a history whose events are in time order. */
export function randomLinearizableHistory(options: RandomHistoryOptions): HistoryEvent[] {
  const rng = new SeededRng(options.seed);
  const state = new Map<string, unknown>();
  const timed: Timed[] = [];
  const spacing = 10;
  for (let i = 0; i < options.opsCount; i++) {
    const key = `k${rng.nextInt(options.keysCount)}`;
    const current = state.get(key) ?? null;
    let outcome = pickOutcome(rng, options);
    const kindRoll = rng.nextFloat();
    const f = kindRoll < 0.4 ? "read" : kindRoll < 0.8 ? "write" : "cas";
    // Indeterminate ops take effect half the time; definite failures never do.
    const takesEffect = outcome === "ok" || (outcome === "info" && rng.nextFloat() < 0.5);
    const written = options.valuesMax === undefined ? i + 1 : rng.nextInt(options.valuesMax);
    let invokeValue: unknown = null;
    let result: unknown = null;
    if (f === "read") {
      result = current;
    } else if (f === "write") {
      invokeValue = written;
      if (takesEffect) state.set(key, written);
    } else {
      const from = rng.nextFloat() < 0.7 ? current : rng.nextInt(options.valuesMax ?? i + 1);
      invokeValue = [from, written];
      const holds = from === current;
      if (outcome === "ok" && !holds) outcome = "fail"; // a cas whose precondition is false fails
      if (takesEffect && holds) state.set(key, written);
    }
    const point = i * spacing + spacing / 2;
    const invokeTime = point - rng.nextInt(options.spreadMax + 1);
    const completeTime = point + rng.nextInt(options.spreadMax + 1);
    const base = { process: i, f, key };
    const invoke: HistoryEvent = { ...base, type: "invoke", value: invokeValue, time: invokeTime };
    timed.push({ event: invoke, order: 2 * i });
    // Some indeterminate ops never complete at all; the rest report `info` at their completion.
    if (outcome === "info" && rng.nextFloat() < 0.3) continue;
    const value = f === "read" ? (outcome === "ok" ? result : null) : invokeValue;
    timed.push({ event: { ...base, type: outcome, value, time: completeTime }, order: 2 * i + 1 });
  }
  timed.sort((a, b) => a.event.time - b.event.time || a.order - b.order);
  return timed.map((t) => t.event);
}
