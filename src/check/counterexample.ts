/**
 * Turns the deepest point of a failed search into a few operations and a sentence a person can
 * check by hand: the op that could not be placed, the writes of the value it needed, the write
 * that made that value stale (and, if needed, the op that proves it took effect), or a rival
 * cas that consumed the same value.
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
const listedWritesMax = 3;

/** True when `a` completed before `b` was invoked (real-time order). */
function precedes(a: Operation, b: Operation): boolean {
  if (a.completeTime === null) return false;
  if (a.completeTime !== b.invokeTime) return a.completeTime < b.invokeTime;
  return a.completeSeq < b.invokeSeq;
}

function overlaps(a: Operation, b: Operation): boolean {
  return !precedes(a, b) && !precedes(b, a);
}

function casValues(op: Operation): readonly [unknown, unknown] {
  const pair = op.value as readonly unknown[];
  return [pair[0], pair[1]];
}

/** One op in words: `write 5 (process 2, ok, t=100..250)`. */
export function describeOp(op: Operation): string {
  let what: string;
  if (op.f === "read") what = `read returning ${showValue(op.value)}`;
  else if (op.f === "write") what = `write ${canonicalJson(op.value)}`;
  else what = `cas ${casValues(op).map(canonicalJson).join("->")}`;
  const span = op.completeTime === null
    ? `invoked t=${op.invokeTime}, pending`
    : `t=${op.invokeTime}..${op.completeTime}`;
  return `${what} (process ${op.process}, ${op.outcome}, ${span})`;
}

function describeList(ops: readonly Operation[]): string {
  const listed = ops.slice(0, listedWritesMax).map(describeOp).join("; ");
  const more = ops.length - listedWritesMax;
  return more > 0 ? `${listed}; and ${more} more` : listed;
}

/** The canonical text of what each op writes and needs, computed once per counterexample. */
class ValueIndex {
  private readonly written = new Map<Operation, string>();
  private readonly needed = new Map<Operation, string>();
  private readonly writers = new Map<string, Operation[]>();

  constructor(readonly all: readonly Operation[]) {
    for (const op of all) {
      if (op.f !== "write") {
        this.needed.set(op, canonicalJson(op.f === "read" ? op.value : casValues(op)[0]));
      }
      if (op.f === "read") continue;
      const text = canonicalJson(op.f === "write" ? op.value : casValues(op)[1]);
      this.written.set(op, text);
      const list = this.writers.get(text);
      if (list === undefined) this.writers.set(text, [op]);
      else list.push(op);
    }
  }

  writtenText(op: Operation): string | undefined {
    return this.written.get(op);
  }

  neededText(op: Operation): string | undefined {
    return this.needed.get(op);
  }

  /** Every op that writes the value, whatever its outcome. */
  writersOf(text: string): readonly Operation[] {
    return this.writers.get(text) ?? [];
  }

  /** Ops that took effect and so prove the register held the value they needed. */
  isObserverOf(op: Operation, text: string): boolean {
    return op.outcome === "ok" && this.needed.get(op) === text;
  }

  /**
   * The earliest op that took effect needing a value no operation ever wrote (not absence):
   * no order can place it, whatever else the search ran into first.
   */
  unwrittenNeeder(): Operation | null {
    let found: Operation | null = null;
    for (const [op, text] of this.needed) {
      if (op.outcome !== "ok" || text === "null" || this.writers.has(text)) continue;
      if (found === null || op.invokeTime < found.invokeTime) found = op;
    }
    return found;
  }
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

/**
 * Finds a write `o` of another value w such that every write of the needed value completed
 * before `o` began, and `o` certainly took effect before `stuck` began: either `o` completed
 * first, or `o` is the only write of w and an op that observed w completed first.
 */
function findOverwrite(
  index: ValueIndex,
  stuck: Operation,
  text: string,
  writers: readonly Operation[],
): Overwrite | null {
  let witnessed: Overwrite | null = null;
  for (const op of index.all) {
    const written = index.writtenText(op);
    if (op.outcome === "fail" || written === undefined || written === text) continue;
    if (!writers.every((w) => precedes(w, op))) continue;
    if (op.outcome === "ok" && precedes(op, stuck)) return { op, witness: null };
    if (witnessed !== null || written === "null") continue;
    const live = index.writersOf(written).filter((other) => other.outcome !== "fail");
    if (live.length !== 1) continue;
    const witness = index.all.find(
      (other) => index.isObserverOf(other, written) && precedes(other, stuck),
    );
    if (witness !== undefined) witnessed = { op, witness };
  }
  return witnessed;
}

function explainOverwrite(
  head: string,
  stuck: Operation,
  live: readonly Operation[],
  o: Overwrite,
): Story {
  const before = live.length === 0
    ? `the key was absent only until ${describeOp(o.op)}`
    : `every write of it (${describeList(live)}) completed before ${describeOp(o.op)} began`;
  const after = o.witness === null
    ? `which completed before the ${stuck.f} began`
    : `which took effect before the ${stuck.f} began: ${describeOp(o.witness)} completed first ` +
      "and observed it";
  const cited = [...live.slice(0, listedWritesMax), o.op];
  if (o.witness !== null) cited.push(o.witness);
  return { text: `${head}, but ${before}, ${after}`, cited };
}

/** Two successful cas from one value that only one write (or the initial null) provided. */
function explainLostUpdate(
  index: ValueIndex,
  head: string,
  stuck: Operation,
  text: string,
  live: readonly Operation[],
): Story | null {
  if (stuck.f !== "cas") return null;
  const rival = index.all.find(
    (op) => op !== stuck && op.f === "cas" && index.isObserverOf(op, text),
  );
  const providers = live.length + (text === "null" ? 1 : 0);
  if (rival === undefined || providers !== 1) return null;
  const provider = live[0] === undefined ? "the initial absent state" : describeOp(live[0]);
  return {
    text: `${head}, but ${describeOp(rival)} also succeeded from that value, ` +
      `and only ${provider} provided it: a lost update`,
    cited: [...live, rival],
  };
}

function explainNeededValue(index: ValueIndex, key: string, stuck: Operation): Story | null {
  const text = index.neededText(stuck);
  if (text === undefined) return null;
  const shown = showValue(JSON.parse(text));
  const all = index.writersOf(text);
  const live = all.filter((op) => op.outcome !== "fail");
  const needs = text === "null" ? "needs the key to be absent" : `needs ${shown}`;
  const head = `${describeOp(stuck)} on key ${JSON.stringify(key)} ${needs}`;
  if (live.length === 0 && text !== "null") {
    if (all.length === 0) {
      return { text: `${head}, but no operation ever wrote ${shown}`, cited: [] };
    }
    return {
      text: `${head}, but every write of ${shown} failed, so it never took effect: ` +
        describeList(all),
      cited: all.slice(0, listedWritesMax),
    };
  }
  const overwrite = findOverwrite(index, stuck, text, live);
  if (overwrite !== null) return explainOverwrite(head, stuck, live, overwrite);
  return explainLostUpdate(index, head, stuck, text, live);
}

/** What the register holds after `order`, and the op that wrote it. */
function stateAt(order: readonly KeyOp[]): { held: unknown; setBy: Operation | null } {
  let setBy: Operation | null = null;
  let held: unknown = null;
  for (const { op } of order) {
    if (op.f === "read") continue;
    setBy = op;
    held = op.f === "write" ? op.value : casValues(op)[1];
  }
  return { held, setBy };
}

/** When no simple story fits: where the longest valid order ended, and who wrote the value. */
function explainGenerically(
  index: ValueIndex,
  history: KeyHistory,
  stuck: Operation,
  deepest: DeepestPoint,
): Story {
  const { held, setBy } = stateAt(deepest.order);
  let text = `no order of the operations on key ${JSON.stringify(history.key)} places ` +
    `${describeOp(stuck)} before it completed. The longest valid order found places ` +
    `${deepest.order.length} of ${history.ops.length} ops and leaves the key holding ` +
    showValue(held) + (setBy === null ? " (never written)" : ` (set by ${describeOp(setBy)})`);
  const needed = index.neededText(stuck);
  const writers = needed === undefined
    ? []
    : index.writersOf(needed).filter((op) => op.outcome !== "fail");
  if (needed !== undefined && writers.length > 0) {
    text += `; the writes of ${showValue(JSON.parse(needed))}: ${describeList(writers)}`;
  }
  const cited = writers.slice(0, listedWritesMax);
  return { text, cited: setBy === null ? cited : [setBy, ...cited] };
}

/** An unlinearized op that needed the value the search could not keep (the earliest). */
function strandedNeeder(history: KeyHistory, deepest: DeepestPoint): Operation | null {
  if (deepest.strandedId === null) return null;
  const placed = new Set(deepest.order);
  let needer: Operation | null = null;
  for (const op of history.ops) {
    const needs = op.deadline !== null && op.kind !== "write" && op.argId === deepest.strandedId;
    if (!needs || placed.has(op)) continue;
    if (needer === null || op.op.invokeTime < needer.invokeTime) needer = op.op;
  }
  return needer;
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

/**
 * Builds the counterexample for a key whose search found no linearization. The op to blame is
 * one that needed a value no operation wrote, if any; else the one that reached its deadline
 * unplaced (for an indeterminate op given a deadline, the
 * observer that set it), or, when no simple story explains that one, an op that needed a value
 * the search could not keep in the register.
 */
export function buildCounterexample(history: KeyHistory, deepest: DeepestPoint): Counterexample {
  const index = new ValueIndex(history.all);
  // A value nobody wrote is the plainest cause; the op the search stopped at may be another.
  let stuck = index.unwrittenNeeder() ?? deepest.stuck.deadlineBy ?? deepest.stuck.op;
  let story = explainNeededValue(index, history.key, stuck);
  const needer = story === null ? strandedNeeder(history, deepest) : null;
  if (needer !== null) {
    stuck = needer;
    story = explainNeededValue(index, history.key, needer);
  }
  const explanation = story ?? explainGenerically(index, history, stuck, deepest);
  const concurrent = history.ops.map((op) => op.op)
    .filter((op) => op !== stuck && overlaps(op, stuck))
    .slice(0, concurrentOpsMax);
  const cited = [...new Set([stuck, ...explanation.cited, ...concurrent])]
    .filter((op) => op.outcome !== "fail")
    .slice(0, counterexampleOpsMax)
    .sort((a, b) => a.invokeTime - b.invokeTime || a.invokeSeq - b.invokeSeq);
  const text = explanation.text;
  return { ops: cited.map(toChecked), explanation: text.charAt(0).toUpperCase() + text.slice(1) };
}
