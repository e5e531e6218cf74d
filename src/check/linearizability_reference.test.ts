/**
 * Differential test: the checker, with all its reductions, agrees with a brute-force search that
 * tries every order of every subset, on small random histories that are often not linearizable
 * (few distinct values, so writes repeat values; every outcome, including no completion).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkHistory } from "./linearizability.js";
import type { HistoryEvent } from "./history.js";

interface SpecOp {
  readonly f: "read" | "write" | "cas";
  /** read: returned value; write: value; cas: [from, to]. */
  readonly value: unknown;
  readonly outcome: "ok" | "info" | "fail" | "none";
  readonly invoke: number;
  readonly complete: number;
}

const valueArbitrary = fc.constantFrom(null, 1, 2, 3);
type DraftOp = Omit<SpecOp, "invoke" | "complete"> & { start: number; length: number };

const opArbitrary: fc.Arbitrary<DraftOp> = fc.record({
  f: fc.constantFrom("read" as const, "write" as const, "cas" as const),
  read: valueArbitrary,
  written: fc.constantFrom(1, 2, 3),
  from: valueArbitrary,
  outcome: fc.constantFrom(...(["ok", "ok", "info", "fail", "none"] as const)),
  start: fc.integer({ min: 0, max: 30 }),
  length: fc.integer({ min: 0, max: 20 }),
}).map(({ f, read, written, from, outcome, start, length }) => ({
  f,
  value: f === "read" ? read : f === "write" ? written : [from, written],
  outcome,
  start,
  length,
}));

// Distinct times: no ties, so both checkers read real-time order the same way.
const historyArbitrary: fc.Arbitrary<SpecOp[]> = fc
  .array(opArbitrary, { minLength: 1, maxLength: 7 })
  .map((ops) => ops.map((op, i) => ({
    ...op,
    invoke: op.start * 32 + 2 * i,
    complete: (op.start + op.length) * 32 + 2 * i + 1,
  })));

function toEvents(ops: readonly SpecOp[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  ops.forEach((op, process) => {
    const invoked = op.f === "read" ? null : op.value;
    events.push({ process, type: "invoke", f: op.f, key: "x", value: invoked, time: op.invoke });
    if (op.outcome === "none") return;
    const value = op.f === "read" && op.outcome !== "ok" ? null : op.value;
    events.push({ process, type: op.outcome, f: op.f, key: "x", value, time: op.complete });
  });
  return events.sort((a, b) => a.time - b.time);
}

/** Tries every order of every subset of the optional ops, respecting real time and the model. */
function bruteForceLinearizable(ops: readonly SpecOp[]): boolean {
  const live = ops.filter(
    (op) => op.outcome !== "fail" && !(op.f === "read" && op.outcome !== "ok"),
  );
  const required = (op: SpecOp): boolean => op.outcome === "ok";
  const placed = new Array<boolean>(live.length).fill(false);
  const search = (state: unknown): boolean => {
    if (live.every((op, i) => placed[i] === true || !required(op))) return true;
    for (let i = 0; i < live.length; i++) {
      const op = live[i];
      if (op === undefined || placed[i] === true) continue;
      // Every required op that completed before this one was invoked must already be placed.
      const blocked = live.some(
        (p, j) => placed[j] !== true && required(p) && p.complete < op.invoke,
      );
      if (blocked) continue;
      let next: unknown;
      if (op.f === "read") {
        if (op.value !== state) continue;
        next = state;
      } else if (op.f === "write") {
        next = op.value;
      } else {
        const [from, to] = op.value as readonly unknown[];
        if (from !== state) continue;
        next = to;
      }
      placed[i] = true;
      const found = search(next);
      placed[i] = false;
      if (found) return true;
    }
    return false;
  };
  return search(null);
}

test("agrees with a brute-force search on small random histories", () => {
  let rejected = 0;
  fc.assert(
    fc.property(historyArbitrary, (ops) => {
      const expected = bruteForceLinearizable(ops);
      const result = checkHistory(toEvents(ops));
      if (!expected) rejected++;
      const verdict = expected ? "linearizable" : "not-linearizable";
      assert.equal(result.verdict, verdict, JSON.stringify(ops));
    }),
    { numRuns: 3000 },
  );
  assert.ok(rejected > 300, `too few non-linearizable cases (${rejected}) to test rejection`);
});
