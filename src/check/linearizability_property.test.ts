import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkHistory } from "./linearizability.js";
import type { HistoryEvent } from "./history.js";
import { randomLinearizableHistory, type RandomHistoryOptions } from "./random_history.js";

const optionsArbitrary: fc.Arbitrary<RandomHistoryOptions> = fc.record({
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  opsCount: fc.integer({ min: 1, max: 60 }),
  keysCount: fc.integer({ min: 1, max: 3 }),
  infoRatio: fc.double({ min: 0, max: 0.3, noNaN: true }),
  failRatio: fc.double({ min: 0, max: 0.2, noNaN: true }),
  spreadMax: fc.integer({ min: 0, max: 60 }),
});

/** Replaces the value returned by the `nth` ok read (mod their count); null if there is none. */
function corruptRead(events: readonly HistoryEvent[], nth: number): HistoryEvent[] | null {
  const okReads = events.flatMap((e, i) => (e.f === "read" && e.type === "ok" ? [i] : []));
  const target = okReads[nth % Math.max(okReads.length, 1)];
  if (target === undefined) return null;
  return events.map((e, i) => (i === target ? { ...e, value: "never-written" } : e));
}

test("accepts every history generated from a sequential register execution", () => {
  fc.assert(
    fc.property(optionsArbitrary, (options) => {
      const result = checkHistory(randomLinearizableHistory(options));
      assert.equal(result.verdict, "linearizable", JSON.stringify({ options, result }));
    }),
    { numRuns: 200 },
  );
});

test("rejects the same histories once a read returns a value never written", () => {
  fc.assert(
    fc.property(optionsArbitrary, fc.nat(), (options, nth) => {
      const corrupted = corruptRead(randomLinearizableHistory(options), nth);
      if (corrupted === null) return; // no ok read to corrupt
      const result = checkHistory(corrupted);
      if (result.verdict !== "not-linearizable") {
        assert.fail(JSON.stringify({ options, nth, result }));
      }
      assert.match(result.counterexample.explanation, /no operation ever wrote "never-written"/);
    }),
    { numRuns: 200 },
  );
});

test("10k ops over 50 keys with 10% info are judged linearizable within the default budget", () => {
  const events = randomLinearizableHistory({
    seed: 42, opsCount: 10_000, keysCount: 50, infoRatio: 0.1, failRatio: 0.05, spreadMax: 100,
  });
  const result = checkHistory(events);
  assert.equal(result.verdict, "linearizable", JSON.stringify(result).slice(0, 2000));
  assert.equal(result.ops, 10_000);
});

test("heavy indeterminacy (20% info, wide overlaps) on few keys is still judged", () => {
  const events = randomLinearizableHistory({
    seed: 7, opsCount: 3_000, keysCount: 10, infoRatio: 0.2, failRatio: 0.05, spreadMax: 200,
  });
  assert.equal(checkHistory(events).verdict, "linearizable");
});

test("Maelstrom-like values (0-4, repeated) on one busy key are still judged", () => {
  const events = randomLinearizableHistory({
    seed: 11, opsCount: 2_000, keysCount: 1, infoRatio: 0.05, failRatio: 0.05, spreadMax: 50,
    valuesMax: 5,
  });
  assert.equal(checkHistory(events).verdict, "linearizable");
});

test("a read of a value never written is blamed even when the search stops at another op first", () => {
  // fast-check found this one: the search's deepest point was a read of 25 on the same key.
  const options = { seed: 85106822, opsCount: 30, keysCount: 2, infoRatio: 0, failRatio: 0, spreadMax: 50 };
  const corrupted = corruptRead(randomLinearizableHistory(options), 1738176729);
  assert.ok(corrupted !== null);
  const result = checkHistory(corrupted);
  assert.equal(result.verdict, "not-linearizable");
  assert.match(result.counterexample.explanation, /no operation ever wrote "never-written"/);
});
