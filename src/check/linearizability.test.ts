import { test } from "node:test";
import assert from "node:assert/strict";
import { checkHistory, type CheckResult } from "./linearizability.js";
import type { CompletionType, HistoryEvent } from "./history.js";

/**
 * One op for a hand-written history: `[process, f, value, invoke, complete?, outcome?, key?]`.
 * For a read, `value` is what it returned. No `complete` means the op never completed.
 */
type Spec = readonly [
  process: number,
  f: "read" | "write" | "cas",
  value: unknown,
  invoke: number,
  complete?: number,
  outcome?: CompletionType,
  key?: string,
];

function history(...specs: readonly Spec[]): HistoryEvent[] {
  const events: { event: HistoryEvent; order: number }[] = [];
  specs.forEach(([process, f, value, invoke, complete, outcome = "ok", key = "x"], i) => {
    const invoked = f === "read" ? null : value;
    const common = { process, f, key };
    events.push({ event: { ...common, type: "invoke", value: invoked, time: invoke }, order: i });
    if (complete === undefined) return;
    const completed = f === "read" && outcome !== "ok" ? null : value;
    const completion: HistoryEvent = { ...common, type: outcome, value: completed, time: complete };
    events.push({ event: completion, order: i });
  });
  events.sort((a, b) => a.event.time - b.event.time || a.order - b.order);
  return events.map((e) => e.event);
}

function assertLinearizable(result: CheckResult): void {
  assert.equal(result.verdict, "linearizable", JSON.stringify(result, null, 2));
}

function assertRejected(result: CheckResult, pattern: RegExp): void {
  if (result.verdict !== "not-linearizable") {
    assert.fail(`expected not-linearizable: ${JSON.stringify(result)}`);
  }
  assert.equal(result.key, "x");
  assert.match(result.counterexample.explanation, pattern);
  assert.ok(result.counterexample.ops.length >= 1 && result.counterexample.ops.length <= 8);
}

test("an empty history, and one with only nemesis and unknown ops, is linearizable", () => {
  assert.deepEqual(checkHistory([]), { verdict: "linearizable", keys: 0, ops: 0 });
  const events: HistoryEvent[] = [
    { process: "nemesis", type: "info", f: "start-partition", value: "majority", time: 1 },
    { process: 3, type: "invoke", f: "noop", time: 2 },
    { process: 3, type: "ok", f: "noop", time: 3 },
  ];
  assert.deepEqual(checkHistory(events), { verdict: "linearizable", keys: 0, ops: 0 });
});

test("a read of an absent key returns null", () => {
  const h = history([0, "read", null, 0, 1], [1, "write", 1, 2, 3], [0, "read", 1, 4, 5]);
  assertLinearizable(checkHistory(h));
});

test("concurrent writes may take effect in either order", () => {
  const h = history(
    [0, "write", 1, 0, 10],
    [1, "write", 2, 1, 11],
    [2, "read", 1, 12, 13],
    [2, "read", 1, 14, 15],
  );
  assertLinearizable(checkHistory(h));
  const other = history([0, "write", 1, 0, 10], [1, "write", 2, 1, 11], [2, "read", 2, 12, 13]);
  assertLinearizable(checkHistory(other));
});

test("reads overlapping a write may see the old or the new value, but not go back", () => {
  const ok = history(
    [0, "write", 1, 0, 1],
    [1, "write", 2, 2, 20],
    [2, "read", 1, 3, 4],
    [2, "read", 2, 5, 6],
    [3, "read", 2, 7, 8],
  );
  assertLinearizable(checkHistory(ok));
  const back = history(
    [0, "write", 1, 0, 1],
    [1, "write", 2, 2, 20],
    [2, "read", 2, 3, 4],
    [2, "read", 1, 5, 6],
  );
  assertRejected(checkHistory(back), /took effect before the read began: read returning 2/);
});

test("an info write observed later took effect; one never observed may not have", () => {
  const observed = history(
    [0, "write", 1, 0, 5, "info"],
    [1, "read", null, 1, 2],
    [1, "read", 1, 10, 11],
  );
  assertLinearizable(checkHistory(observed));
  const pending = history([0, "write", 1, 0], [1, "read", 1, 100, 101]);
  assertLinearizable(checkHistory(pending));
  const never = history(
    [0, "write", 1, 0, 1],
    [1, "write", 2, 2, 3, "info"],
    [2, "read", 1, 4, 5],
    [2, "read", 1, 10, 11],
  );
  assertLinearizable(checkHistory(never));
});

test("an info write may take effect long after its invocation, between two reads", () => {
  const h = history(
    [0, "write", 1, 0, 1],
    [1, "write", 2, 2, 3, "info"],
    [2, "read", 1, 4, 5],
    [2, "read", 2, 6, 7],
  );
  assertLinearizable(checkHistory(h));
});

test("an info write nobody read can still make a later cas succeed", () => {
  // Without write 7 taking effect, cas 7->8 could not have succeeded: pruning must keep it.
  const h = history(
    [0, "write", 0, 0, 1],
    [1, "write", 7, 2, 3, "info"],
    [2, "cas", [7, 8], 4, 5],
    [2, "read", 8, 6, 7],
  );
  assertLinearizable(checkHistory(h));
});

test("fail ops are ignored", () => {
  const h = history(
    [0, "write", 1, 0, 1],
    [1, "write", 2, 2, 3, "fail"],
    [2, "read", 1, 4, 5],
    [3, "read", 7, 6, 7, "fail"],
    [4, "cas", [5, 6], 8, 9, "fail"],
  );
  assertLinearizable(checkHistory(h));
});

test("cas succeeds only from the current value; info cas may or may not happen", () => {
  const h = history(
    [0, "write", 0, 0, 1],
    [1, "cas", [0, 1], 2, 3],
    [2, "cas", [0, 2], 4, 5, "fail"],
    [3, "read", 1, 6, 7],
    [4, "cas", [1, 3], 8, 9, "info"],
    [5, "read", 3, 10, 11],
  );
  assertLinearizable(checkHistory(h));
  const skipped = history(
    [0, "write", 0, 0, 1],
    [4, "cas", [0, 3], 2, 3, "info"],
    [5, "read", 0, 10, 11],
  );
  assertLinearizable(checkHistory(skipped));
});

test("values compare by JSON structure, not identity or key order", () => {
  const h = history(
    [0, "write", { a: 1, b: [1, 2] }, 0, 1],
    [1, "read", { b: [1, 2], a: 1 }, 2, 3],
    [2, "cas", [{ b: [1, 2], a: 1 }, "s"], 4, 5],
    [1, "read", "s", 6, 7],
  );
  assertLinearizable(checkHistory(h));
});

test("keys are independent registers", () => {
  const h = history(
    [0, "write", 1, 0, 1, "ok", "a"],
    [1, "write", 2, 0, 1, "ok", "b"],
    [2, "read", 1, 2, 3, "ok", "a"],
    [3, "read", 2, 2, 3, "ok", "b"],
    [4, "read", null, 2, 3, "ok", "c"],
  );
  assert.deepEqual(checkHistory(h), { verdict: "linearizable", keys: 3, ops: 5 });
});

test("rejects a stale read: an old value after a newer write completed", () => {
  const h = history([0, "write", 1, 0, 1], [0, "write", 2, 2, 3], [1, "read", 1, 4, 5]);
  assertRejected(checkHistory(h), /every write of it .* completed before write 2 .* began/);
});

test("rejects a lost update: two successful cas from the same value", () => {
  const h = history([0, "write", 0, 0, 1], [1, "cas", [0, 1], 2, 5], [2, "cas", [0, 2], 3, 6]);
  assertRejected(checkHistory(h), /lost update/);
});

test("rejects a read of a value whose only write failed", () => {
  const h = history([0, "write", 1, 0, 1], [1, "write", 2, 2, 3, "fail"], [2, "read", 2, 4, 5]);
  assertRejected(checkHistory(h), /every write of 2 failed/);
});

test("rejects a read of a value never written", () => {
  const h = history([0, "write", 1, 0, 1], [1, "read", 9, 2, 3]);
  assertRejected(checkHistory(h), /no operation ever wrote 9/);
});

test("rejects a read of null after a completed write", () => {
  const h = history([0, "write", 1, 0, 1], [1, "read", null, 2, 3]);
  assertRejected(checkHistory(h), /absent only until write 1/);
});

test("rejects an info cas that must have happened but whose precondition never held", () => {
  const h = history([0, "write", 0, 0, 1], [1, "cas", [5, 6], 2, 3, "info"], [2, "read", 6, 4, 5]);
  assertRejected(checkHistory(h), /the writes of 6: cas 5->6/);
});

test("reports the first failing key and beats an unknown key", () => {
  const bad = history([0, "write", 1, 0, 1, "ok", "b"], [1, "read", 9, 2, 3, "ok", "b"]);
  const result = checkHistory([...history([5, "read", null, 0, 1, "ok", "a"]), ...bad]);
  assert.equal(result.verdict === "not-linearizable" ? result.key : result.verdict, "b");
});

test("an exhausted budget gives unknown, not a wrong verdict", () => {
  const h = history(
    [0, "write", 1, 0, 10],
    [1, "write", 2, 1, 11],
    [2, "write", 3, 2, 12],
    [3, "read", 2, 3, 9],
    [4, "read", 3, 3, 9],
    [5, "read", 1, 13, 14],
  );
  const result = checkHistory(h, { budget: 3 });
  if (result.verdict !== "unknown") assert.fail(`expected unknown: ${JSON.stringify(result)}`);
  assert.equal(result.key, "x");
  assert.match(result.reason, /budget of 3 steps exhausted/);
  assertLinearizable(checkHistory(h));
  assert.throws(() => checkHistory(h, { budget: 0 }), RangeError);
});

test("the checker rejects events that do not pair up", () => {
  const open: HistoryEvent[] = [
    { process: 0, type: "invoke", f: "read", key: "x", time: 1 },
    { process: 0, type: "invoke", f: "read", key: "x", time: 2 },
  ];
  assert.throws(() => checkHistory(open), { code: "HISTORY_FORMAT", line: 2 });
  const orphan: HistoryEvent[] = [
    { process: 0, type: "ok", f: "write", key: "x", value: 1, time: 1 },
  ];
  assert.throws(() => checkHistory(orphan), { code: "HISTORY_FORMAT", line: 1 });
});
