/**
 * One key's operations, prepared for the search: values interned to ids, `fail` operations and
 * indeterminate reads removed (neither constrains anything), and three reductions that keep the
 * search small without changing its verdict, each argued where it is done:
 * - indeterminate writes whose value nobody could observe are removed
 *   (`dropUnobservedInfoWrites`);
 * - an indeterminate write that is the only writer of a value someone observed must have taken
 *   effect before that observer completed, so it gets that deadline (`imposeObservedDeadlines`);
 * - all values nobody observes are one state for the search (`mergeUnobservedValues`).
 */
import type { Operation } from "./operations.js";
import { ValueTable } from "./values.js";

export type KeyOpKind = "read" | "write" | "cas";

/** An operation of one key, in the shape the search uses. */
export interface KeyOp {
  /** Position in the key's op list: the op's bit in the search's linearized set. */
  readonly bit: number;
  readonly op: Operation;
  readonly kind: KeyOpKind;
  /** read: the value id returned; write: the value id written; cas: the `from` value id. */
  readonly argId: number;
  /** cas: the `to` value id; -1 otherwise. */
  readonly toId: number;
  /** `info` (or never completed): may take effect at any instant after its invocation, or never. */
  readonly optional: boolean;
  /**
   * The op must be linearized before this instant: its completion, or for an indeterminate op
   * that is the only writer of an observed value, the completion of its first observer.
   * null when optional.
   */
  readonly deadline: Instant | null;
  /** The observer whose completion is the deadline of an indeterminate op; null otherwise. */
  readonly deadlineBy: Operation | null;
}

/** A point in the history: a time, with ties broken by the event's position. */
export interface Instant {
  readonly time: number;
  readonly seq: number;
}

/** The state id standing for every value nobody observes (see `mergeUnobservedValues`). */
export const unobservedStateId = -2;

/** A key's history ready for the search, with what was left out and why. */
export interface KeyHistory {
  readonly key: string;
  readonly ops: readonly KeyOp[];
  /** Every operation of the key, including `fail` ones: explanations cite them. */
  readonly all: readonly Operation[];
  readonly values: ValueTable;
  /** Indeterminate writes and cas left out because their value could never be observed. */
  readonly droppedUnobserved: number;
}

type Draft = Omit<KeyOp, "bit">;

function casPair(value: unknown): readonly [unknown, unknown] {
  const pair = value as readonly unknown[];
  return [pair[0], pair[1]];
}

function toDraft(op: Operation, values: ValueTable): Draft {
  const optional = op.outcome !== "ok";
  const deadline =
    optional || op.completeTime === null ? null : { time: op.completeTime, seq: op.completeSeq };
  const common = { op, optional, deadline, deadlineBy: null };
  switch (op.f) {
    case "read":
    case "write":
      return { ...common, kind: op.f, argId: values.idOf(op.value), toId: -1 };
    case "cas": {
      const [from, to] = casPair(op.value);
      return { ...common, kind: "cas", argId: values.idOf(from), toId: values.idOf(to) };
    }
  }
}

/** The value id a draft would leave in the register, or -1 for a read. */
function writtenId(draft: Draft): number {
  return draft.kind === "write" ? draft.argId : draft.kind === "cas" ? draft.toId : -1;
}

/**
 * Removes indeterminate writes and cas whose written value v is never observed: no ok read
 * returned v and no remaining cas expects `from` = v. Sound, both ways:
 * - A linearization without the op is a linearization of the history with it (it may never
 *   have taken effect).
 * - In a linearization that includes it, the register holds v right after it, and only a
 *   write (or the end) can come next: a read would have to return v and a cas would have to
 *   expect v, and none does. Deleting the op leaves the next write to overwrite whatever was
 *   there, so the rest of the order stays valid.
 * Removing a cas removes its `from` observation, so this repeats (a worklist) until nothing
 * changes. These ops are the main blow-up of the search (each unique value doubles the state
 * space), and a timed-out write nobody read is the common case under faults.
 */
function dropUnobservedInfoWrites(drafts: readonly Draft[]): Draft[] {
  const observers = new Map<number, number>();
  const optionalWriters = new Map<number, number[]>();
  drafts.forEach((d, index) => {
    if (d.kind !== "write") observers.set(d.argId, (observers.get(d.argId) ?? 0) + 1);
    if (!d.optional || d.kind === "read") return;
    const writers = optionalWriters.get(writtenId(d));
    if (writers === undefined) optionalWriters.set(writtenId(d), [index]);
    else writers.push(index);
  });
  const dropped = new Uint8Array(drafts.length);
  const unobserved = [...optionalWriters.keys()].filter((id) => !observers.has(id));
  for (let id = unobserved.pop(); id !== undefined; id = unobserved.pop()) {
    for (const index of optionalWriters.get(id) ?? []) {
      const d = drafts[index];
      if (d === undefined || dropped[index] === 1) continue;
      dropped[index] = 1;
      if (d.kind !== "cas") continue;
      const left = (observers.get(d.argId) ?? 0) - 1;
      if (left > 0) observers.set(d.argId, left);
      else {
        observers.delete(d.argId);
        unobserved.push(d.argId);
      }
    }
  }
  return drafts.filter((_, index) => dropped[index] === 0);
}

function isBefore(a: Instant, b: Instant): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

interface Observation {
  readonly at: Instant;
  readonly by: Operation;
}

/** For each value, the earliest completion of an op proving the register held it. */
function earliestObservations(drafts: readonly Draft[]): Map<number, Observation> {
  const earliest = new Map<number, Observation>();
  for (const d of drafts) {
    // Ok reads prove their result was there, ok cas their `from`; writes prove nothing.
    if (d.optional || d.kind === "write" || d.deadline === null) continue;
    const seen = earliest.get(d.argId);
    if (seen === undefined || isBefore(d.deadline, seen.at)) {
      earliest.set(d.argId, { at: d.deadline, by: d.op });
    }
  }
  return earliest;
}

/**
 * An indeterminate write (or cas) that is the only op writing a value v, where an ok read
 * returned v or an ok cas expected v: every valid order must include it (v is in the register
 * only if it took effect; the initial null does not count, so v is never null here) and place it
 * before that observer's linearization point, hence before the observer completed. So it is no
 * longer optional: its deadline is the earliest such completion. Without this the search would
 * keep it pending to the end and explore every point where it could have been "wasted". Only
 * applied when the deadline is after the invocation; otherwise the observer itself is the op
 * that cannot be placed, and the search reports it.
 */
function imposeObservedDeadlines(drafts: readonly Draft[]): Draft[] {
  const writers = new Map<number, number>();
  for (const d of drafts) {
    const id = writtenId(d);
    if (id !== -1) writers.set(id, (writers.get(id) ?? 0) + 1);
  }
  const seen = earliestObservations(drafts);
  return drafts.map((d) => {
    const id = writtenId(d);
    const observed = seen.get(id);
    const unique = id !== ValueTable.absentId && writers.get(id) === 1;
    if (!d.optional || !unique || observed === undefined) return d;
    const invoked = { time: d.op.invokeTime, seq: d.op.invokeSeq };
    if (!isBefore(invoked, observed.at)) return d;
    return { ...d, optional: false, deadline: observed.at, deadlineBy: observed.by };
  });
}

/**
 * Values that no read returned and no cas expects behave identically in the register model:
 * from any of them, every read and cas is refused and every write leads to the same state. So
 * the search may treat them as one state, which lets the memo merge configurations that differ
 * only in which unobserved write came last.
 */
function mergeUnobservedValues(drafts: readonly Draft[]): Draft[] {
  const observed = new Set<number>();
  for (const d of drafts) if (d.kind !== "write") observed.add(d.argId);
  return drafts.map((d) => {
    if (d.kind === "write" && !observed.has(d.argId)) return { ...d, argId: unobservedStateId };
    if (d.kind === "cas" && !observed.has(d.toId)) return { ...d, toId: unobservedStateId };
    return d;
  });
}

/** Builds the search input of one key from its operations (any order). */
export function prepareKey(key: string, operations: readonly Operation[]): KeyHistory {
  const values = new ValueTable();
  const drafts: Draft[] = [];
  for (const op of operations) {
    if (op.outcome === "fail") continue; // definitely did not take effect
    if (op.f === "read" && op.outcome !== "ok") continue; // returned nothing: constrains nothing
    drafts.push(toDraft(op, values));
  }
  const kept = mergeUnobservedValues(imposeObservedDeadlines(dropUnobservedInfoWrites(drafts)));
  // Required ops take the low bits, in invocation order, so that the search's linearized set is
  // nearly a prefix and the memo stores it compactly (config_cache.ts).
  const ordered = [...kept.filter((d) => !d.optional), ...kept.filter((d) => d.optional)];
  const ops = ordered.map((d, bit): KeyOp => ({ ...d, bit }));
  return { key, ops, all: operations, values, droppedUnobserved: drafts.length - kept.length };
}
