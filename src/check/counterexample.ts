/**
 * Turns the deepest point of a failed search into a few operations and a sentence a person can
 * check by hand: the op that could not be placed, the writes of the value it needed, the write
 * that made that value stale, and the ops concurrent with it.
 */
import type { KeyHistory, KeyOp } from "./key_ops.js";
import type { Operation } from "./operations.js";
import type { DeepestPoint } from "./wgl_search.js";
import { canonicalJson, showValue } from "./values.js";

/** An operation as reported in a counterexample. */
export interface CheckedOp {
  readonly process: number;
  readonly f: "read" | "write" | "cas";
  readonly key: string;
  readonly value: unknown;
  readonly outcome: "ok" | "info";
  readonly invokeTime: number;
  /** null when the outcome is `info`: it stays pending to the end of the history. */
  readonly completeTime: number | null;
}

/** The few ops around the point where no order exists, and why in plain words. */
export interface Counterexample {
  readonly ops: readonly CheckedOp[];
  readonly explanation: string;
}

const concurrentOpsMax = 4;
const counterexampleOpsMax = 8;

/** True when `a` completed before `b` was invoked (real-time order). */
function precedes(a: Operation, b: Operation): boolean {
  if (a.completeTime === null) return false;
  return a.completeTime < b.invokeTime || (a.completeTime === b.invokeTime && a.completeSeq < b.invokeSeq);
}

function overlaps(a: Operation, b: Operation): boolean {
  return !precedes(a, b) && !precedes(b, a);
}

/** One op in words: `write 5 (process 2, ok, t=100..250)`. */
export function describeOp(op: Operation): string {
  const what =
    op.f === "read"
      ? `read returning ${showValue(op.value)}`
      : op.f === "write"
        ? `write ${canonicalJson(op.value)}`
        : `cas ${canonicalJson((op.value as unknown[])[0])}->${canonicalJson((op.value as unknown[])[1])}`;
  const span = op.completeTime === null ? `invoked t=${op.invokeTime}, pending` : `t=${op.invokeTime}..${op.completeTime}`;
  return `${what} (process ${op.process}, ${op.outcome}, ${span})`;
}

function writtenValue(op: Operation): { readonly value: unknown } | null {
  if (op.f === "write") return { value: op.value };
  if (op.f === "cas") return { value: (op.value as unknown[])[1] };
  return null;
}

/** The value the stuck op needed the register to hold: a read's result, a cas's `from`. */
function neededValue(op: Operation): { readonly value: unknown } | null {
  if (op.f === "read") return { value: op.value };
  if (op.f === "cas") return { value: (op.value as unknown[])[0] };
  return null;
}

function writersOf(all: readonly Operation[], value: unknown): Operation[] {
  const text = canonicalJson(value);
  return all.filter((op) => {
    const written = writtenValue(op);
    return written !== null && canonicalJson(written.value) === text;
  });
}

interface Story {
  readonly text: string;
  readonly cited: readonly Operation[];
}

/** A write of another value that took effect after every write of the needed value. */
interface Overwrite {
  readonly op: Operation;
  /** An op that observed the overwrite's value and completed before the stuck op began. */
  readonly witness: Operation | null;
}

function observes(op: Operation, text: string): boolean {
  const needed = op.outcome === "ok" ? neededValue(op) : null;
  return needed !== null && canonicalJson(needed.value) === text;
}

/**
 * Finds a write `o` of another value w such that every write of `value` completed before `o`
 * began, and `o` certainly took effect before `stuck` began: either `o` completed first, or `o`
 * is the only write of w and an op that observed w completed first.
 */
function findOverwrite(
  history: KeyHistory,
  stuck: Operation,
  value: unknown,
  writers: readonly Operation[],
): Overwrite | null {
  const text = canonicalJson(value);
  let witnessed: Overwrite | null = null;
  for (const op of history.all) {
    const written = writtenValue(op);
    if (op.outcome === "fail" || written === null) continue;
    const writtenText = canonicalJson(written.value);
    if (writtenText === text || !writers.every((w) => precedes(w, op))) continue;
    if (op.outcome === "ok" && precedes(op, stuck)) return { op, witness: null };
    if (witnessed !== null || written.value === null) continue;
    const sameValue = history.all.filter((other) => other.outcome !== "fail" &&
      canonicalJson(writtenValue(other)?.value ?? null) === writtenText && writtenValue(other) !== null);
    if (sameValue.length !== 1) continue;
    const witness = history.all.find((other) => observes(other, writtenText) && precedes(other, stuck));
    if (witness !== undefined) witnessed = { op, witness };
  }
  return witnessed;
}

function explainNeededValue(history: KeyHistory, stuck: Operation, value: unknown): Story | null {
  const key = history.key;
  const all = writersOf(history.all, value);
  const live = all.filter((op) => op.outcome !== "fail");
  const head = `${describeOp(stuck)} on key ${JSON.stringify(key)} needs ${showValue(value)}`;
  if (live.length === 0 && value !== null) {
    if (all.length > 0) {
      return { text: `${head}, but every write of ${showValue(value)} failed, so it never took effect: ` +
        all.map(describeOp).join("; "), cited: all };
    }
    return { text: `${head}, but no operation ever wrote ${showValue(value)}`, cited: [] };
  }
  const overwrite = findOverwrite(history, stuck, value, live);
  if (overwrite !== null) {
    const before = value === null
      ? `the key was absent only until ${describeOp(overwrite.op)}`
      : `every write of it (${live.map(describeOp).join("; ")}) completed before ${describeOp(overwrite.op)} began`;
    const after = overwrite.witness === null
      ? `which completed before the ${stuck.f} began`
      : `which took effect before the ${stuck.f} began: ${describeOp(overwrite.witness)} completed first and observed it`;
    const cited = [...live, overwrite.op, ...(overwrite.witness === null ? [] : [overwrite.witness])];
    return { text: `${head}, but ${before}, ${after}`, cited };
  }
  if (stuck.f === "cas") {
    const rivals = history.all.filter((op) => op !== stuck && op.f === "cas" && op.outcome === "ok" &&
      canonicalJson((op.value as unknown[])[0]) === canonicalJson(value));
    if (rivals.length > 0 && live.length + (value === null ? 1 : 0) <= rivals.length) {
      return { text: `${head}, but ${describeOp(rivals[0] ?? stuck)} also succeeded from ${showValue(value)} ` +
        `and only ${live.length + (value === null ? 1 : 0)} operation(s) set it (${live.map(describeOp).join("; ") || "initial"}): ` +
        `a lost update`, cited: [...live, ...rivals] };
    }
  }
  return null;
}

function stateAt(order: readonly KeyOp[]): { readonly value: unknown; readonly setBy: Operation | null } {
  let setBy: Operation | null = null;
  let value: unknown = null;
  for (const op of order) {
    const written = writtenValue(op.op);
    if (written !== null) {
      setBy = op.op;
      value = written.value;
    }
  }
  return { value, setBy };
}

function toChecked(op: Operation): CheckedOp {
  return {
    process: op.process,
    f: op.f,
    key: op.key,
    value: op.value,
    outcome: op.outcome === "ok" ? "ok" : "info",
    invokeTime: op.invokeTime,
    completeTime: op.completeTime,
  };
}

/** An unlinearized op that needed the value the search could not keep (the earliest). */
function strandedNeeder(history: KeyHistory, deepest: DeepestPoint): Operation | null {
  if (deepest.strandedId === null) return null;
  const placed = new Set(deepest.order);
  const needers = history.ops.filter((op) => !placed.has(op) && op.deadline !== null && op.kind !== "write" &&
    op.argId === deepest.strandedId);
  needers.sort((a, b) => a.op.invokeTime - b.op.invokeTime || a.op.invokeSeq - b.op.invokeSeq);
  return needers[0]?.op ?? null;
}

function storyOf(history: KeyHistory, op: Operation): Story | null {
  const needed = neededValue(op);
  return needed === null ? null : explainNeededValue(history, op, needed.value);
}

/**
 * Builds the counterexample for a key whose search found no linearization. The op to blame is
 * the one that reached its deadline unplaced (for an indeterminate op given a deadline, the
 * observer that set it), or, when no simple story explains that one, an op that needed a value
 * the search could not keep in the register.
 */
export function buildCounterexample(history: KeyHistory, deepest: DeepestPoint): Counterexample {
  let stuck = deepest.stuck.deadlineBy ?? deepest.stuck.op;
  let story = storyOf(history, stuck);
  const needer = story === null ? strandedNeeder(history, deepest) : null;
  if (needer !== null) {
    stuck = needer;
    story = storyOf(history, needer);
  }
  const explanation = story ?? explainGenerically(history, stuck, deepest);
  const concurrent = history.ops.map((op) => op.op).filter((op) => op !== stuck && overlaps(op, stuck))
    .slice(0, concurrentOpsMax);
  const cited = [stuck, ...explanation.cited, ...concurrent];
  const unique = [...new Set(cited)].filter((op) => op.outcome !== "fail").slice(0, counterexampleOpsMax);
  unique.sort((a, b) => a.invokeTime - b.invokeTime || a.invokeSeq - b.invokeSeq);
  return { ops: unique.map(toChecked), explanation: capitalize(explanation.text) };
}

/** When no simple story fits: where the longest valid order ended, and who wrote the value needed. */
function explainGenerically(history: KeyHistory, stuck: Operation, deepest: DeepestPoint): Story {
  const { value: held, setBy } = stateAt(deepest.order);
  let text = `no order of the operations on key ${JSON.stringify(history.key)} places ` +
    `${describeOp(stuck)} before it completed. The longest valid order found places ` +
    `${deepest.order.length} of ${history.ops.length} ops and leaves the key holding ${showValue(held)}` +
    (setBy === null ? " (never written)" : ` (set by ${describeOp(setBy)})`);
  const needed = neededValue(stuck);
  const writers = needed === null ? [] : writersOf(history.all, needed.value).filter((op) => op.outcome !== "fail");
  if (needed !== null && writers.length > 0) {
    text += `; the only writes of ${showValue(needed.value)}: ${writers.slice(0, 3).map(describeOp).join("; ")}`;
  }
  return { text, cited: [...(setBy === null ? [] : [setBy]), ...writers.slice(0, 3)] };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
