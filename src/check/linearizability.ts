/**
 * The linearizability checker for raftkv's client histories: per-key read/write/cas registers,
 * every key initially absent (null).
 *
 * Linearizability is compositional (Herlihy & Wing, "P-compositionality" in Horn & Kroening):
 * a history is linearizable iff each key's sub-history is, so every key is searched on its own,
 * which keeps the search small. The verdicts merge as Jepsen's do: a non-linearizable key beats
 * an unknown one, which beats linearizable.
 */
import { buildCounterexample, type Counterexample } from "./counterexample.js";
import type { HistoryEvent } from "./history.js";
import { prepareKey } from "./key_ops.js";
import { collectOperations, type Operation } from "./operations.js";
import { searchLinearization } from "./wgl_search.js";

export type { CheckedOp, Counterexample } from "./counterexample.js";

export interface CheckOptions {
  /** Search steps allowed per key before the verdict is `unknown`. Default 2,000,000. */
  readonly budget?: number;
}

/** `ops` counts the history's client operations (read, write, cas invocations). */
export type CheckResult =
  | { readonly verdict: "linearizable"; readonly keys: number; readonly ops: number }
  | {
      readonly verdict: "not-linearizable";
      readonly key: string;
      readonly counterexample: Counterexample;
      readonly ops: number;
    }
  | {
      readonly verdict: "unknown";
      readonly key: string;
      readonly reason: string;
      readonly ops: number;
    };

export const defaultBudgetSteps = 2_000_000;

function groupByKey(operations: readonly Operation[]): Map<string, Operation[]> {
  const byKey = new Map<string, Operation[]>();
  for (const op of operations) {
    const list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, [op]);
    else list.push(op);
  }
  return byKey;
}

/**
 * Checks that a history is linearizable. Keys are checked in order of first appearance; the
 * first non-linearizable key is reported, else the first key whose search ran out of budget.
 * @throws HistoryFormatError when the events do not pair up (its `line` is the 1-based position
 *   among `events`): a process with two invocations open, a completion with no invocation.
 * @throws RangeError when `options.budget` is not a positive integer.
 */
export function checkHistory(
  events: readonly HistoryEvent[],
  options: CheckOptions = {},
): CheckResult {
  const budget = options.budget ?? defaultBudgetSteps;
  if (!Number.isSafeInteger(budget) || budget < 1) {
    throw new RangeError(`budget must be a positive integer, got ${budget}`);
  }
  const operations = collectOperations(events);
  const ops = operations.length;
  const byKey = groupByKey(operations);
  let unknown: CheckResult | null = null;
  for (const [key, keyOperations] of byKey) {
    const history = prepareKey(key, keyOperations);
    const outcome = searchLinearization(history.ops, budget);
    switch (outcome.kind) {
      case "linearizable":
        break;
      case "not-linearizable":
        return {
          verdict: "not-linearizable",
          key,
          counterexample: buildCounterexample(history, outcome.deepest),
          ops,
        };
      case "unknown": {
        const placed = outcome.deepest === null ? 0 : outcome.deepest.order.length;
        const reason = `search budget of ${budget} steps exhausted on key ${JSON.stringify(key)} ` +
          `(${history.ops.length} ops to order, at most ${placed} placed); ` +
          "retry with a larger budget";
        unknown ??= { verdict: "unknown", key, reason, ops };
        break;
      }
    }
  }
  return unknown ?? { verdict: "linearizable", keys: byKey.size, ops };
}
