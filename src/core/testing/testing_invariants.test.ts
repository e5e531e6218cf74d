/** The test checkers must be able to fail (STYLE.md rule 14): each gets known-bad input. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { logMatchingViolation, SafetyMonitor } from "./testing_invariants.js";
import { entriesWithTerms } from "./testing_storage.js";
import { nodeId } from "../types.js";

test("Log Matching checker accepts agreeing or diverging-tail logs and flags a broken prefix", () => {
  assert.equal(
    logMatchingViolation({ first: 0, terms: [0, 1, 1, 2] }, { first: 0, terms: [0, 1, 1, 3, 3] }),
    null,
  );
  assert.equal(
    logMatchingViolation({ first: 2, terms: [1, 2] }, { first: 0, terms: [0, 1, 1, 2, 5] }),
    null,
  );
  assert.match(
    logMatchingViolation(
      { first: 0, terms: [0, 1, 2, 3] },
      { first: 0, terms: [0, 1, 1, 3] },
    ) ?? "",
    /logs agree at 3 but differ at 2/,
  );
});

test("Election Safety checker flags two leaders in one term", () => {
  const monitor = new SafetyMonitor();
  monitor.observeLeader(nodeId("a"), 3);
  monitor.observeLeader(nodeId("a"), 3);
  monitor.observeLeader(nodeId("b"), 4);
  assert.deepEqual(monitor.violations, []);
  monitor.observeLeader(nodeId("c"), 3);
  assert.match(monitor.violations.join(), /two leaders in term 3/);
});

test("State Machine Safety checker flags different entries applied at one index", () => {
  const monitor = new SafetyMonitor();
  const [one] = entriesWithTerms([1]);
  const [other] = entriesWithTerms([2]);
  monitor.observeApplied(nodeId("a"), one!);
  monitor.observeApplied(nodeId("b"), one!);
  assert.deepEqual(monitor.violations, []);
  monitor.observeApplied(nodeId("c"), other!);
  assert.match(monitor.violations.join(), /applied .* at 1/);
});

test("monotonicity checker flags a commit or applied index going back, except across restarts", () => {
  const monitor = new SafetyMonitor();
  monitor.observeProgress(nodeId("a"), 5, 4);
  monitor.forgetProgress(nodeId("a"));
  monitor.observeProgress(nodeId("a"), 5, 0);
  assert.deepEqual(monitor.violations, []);
  monitor.observeProgress(nodeId("a"), 4, 0);
  assert.match(monitor.violations.join(), /commit went back/);
});
