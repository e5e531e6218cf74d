/**
 * One key's operations, prepared for the search: values interned to ids, `fail` operations and
 * indeterminate reads removed (neither constrains anything), and indeterminate writes whose value
 * nobody could have observed removed (see `dropUnobservedInfoWrites` for why that is sound).
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
}

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

interface Draft {
  readonly op: Operation;
  readonly kind: KeyOpKind;
  readonly argId: number;
  readonly toId: number;
  readonly optional: boolean;
}

function casPair(value: unknown): readonly [unknown, unknown] {
  const pair = value as readonly unknown[];
  return [pair[0], pair[1]];
}

function toDraft(op: Operation, values: ValueTable): Draft {
  const optional = op.outcome !== "ok";
  switch (op.f) {
    case "read":
    case "write":
      return { op, kind: op.f, argId: values.idOf(op.value), toId: -1, optional };
    case "cas": {
      const [from, to] = casPair(op.value);
      return { op, kind: "cas", argId: values.idOf(from), toId: values.idOf(to), optional };
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
 * Removing a cas removes its `from` observation, so this repeats until nothing changes. These
 * ops are the main blow-up of the search (each unique value doubles the state space), and a
 * timed-out write nobody read is the common case under faults.
 */
function dropUnobservedInfoWrites(drafts: readonly Draft[]): Draft[] {
  let kept = drafts.slice();
  for (;;) {
    const observed = new Set<number>();
    for (const d of kept) {
      if (d.kind === "read" || d.kind === "cas") observed.add(d.argId);
    }
    const next = kept.filter((d) => !(d.optional && d.kind !== "read" && !observed.has(writtenId(d))));
    if (next.length === kept.length) return kept;
    kept = next;
  }
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
  const kept = dropUnobservedInfoWrites(drafts);
  const ops = kept.map((d, bit): KeyOp => ({ ...d, bit }));
  return { key, ops, all: operations, values, droppedUnobserved: drafts.length - kept.length };
}
