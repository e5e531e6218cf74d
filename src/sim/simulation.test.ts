/**
 * End-to-end runs of the simulator: determinism, a short passing sweep, and the deliberate core
 * bugs (config.testingBugs) that the simulator must catch within a bounded number of seeds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TestingBugs } from "../core/config.js";
import { parseFaults, type FaultPlan } from "./faults.js";
import { runSimulation, type SimOptions } from "./simulation.js";

const MS = 1_000_000;

test("the same seed gives the same trace hash and history; different seeds differ", () => {
  const options = { nodes: 5, opsMax: 200, faults: parseFaults("all") };
  const a = runSimulation({ seed: 7, ...options });
  const b = runSimulation({ seed: 7, ...options });
  const c = runSimulation({ seed: 8, ...options });
  assert.equal(a.traceHash, b.traceHash);
  assert.deepEqual(a.history, b.history);
  assert.notEqual(a.traceHash, c.traceHash);
});

test("a short sweep with every fault kind passes every invariant and the linearizability check", () => {
  const failures: string[] = [];
  let elections = 0;
  let crashes = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const r = runSimulation({ seed, nodes: 5, opsMax: 300, faults: parseFaults("all") });
    elections += r.elections;
    crashes += r.crashes;
    if (r.violation !== null || r.verdict !== "linearizable") {
      failures.push(`seed ${seed}: ${r.violation?.message ?? r.verdict}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(elections > 20 && crashes > 10, `faults must bite: ${elections} elections, ${crashes} crashes`);
});

/** Runs seeds until one reports a violation; returns the seed and the violation's kind. */
function findBug(bug: keyof TestingBugs, seedsMax: number, options: Omit<SimOptions, "seed" | "testingBugs">): string {
  for (let seed = 1; seed <= seedsMax; seed++) {
    const r = runSimulation({ seed, ...options, testingBugs: { [bug]: true } });
    if (r.violation !== null) {
      console.log(`${bug}: found by seed ${seed}: ${r.violation.message.split("\n")[0] ?? ""}`);
      return r.violation.kind;
    }
  }
  return "not found";
}

const plan = (over: Partial<FaultPlan>): Partial<FaultPlan> => over;

test("skipPersistVote (Figure 2): frequent crashes make a node vote twice in a term: two leaders", () => {
  const kind = findBug("skipPersistVote", 50, {
    nodes: 5, opsMax: 300, faults: parseFaults("crash"), keys: 2,
    planOverrides: plan({ crashIntervalNs: 40 * MS, downtimeMaxNs: 30 * MS }),
  });
  assert.notEqual(kind, "not found");
});

test("readWithoutQuorum (§6.4): a partitioned leader serves a stale read", () => {
  // With check-quorum the stale leader steps down about when a new one is elected, which hides
  // the bug behind timing; without it (a supported setting) the stale window is wide open.
  const kind = findBug("readWithoutQuorum", 30, {
    nodes: 5, opsMax: 500, faults: parseFaults("partition"), keys: 2,
    planOverrides: plan({ partitionIntervalNs: 400 * MS }), configOverrides: { checkQuorum: false },
  });
  assert.equal(kind, "linearizability");
});

test("truncateOnStaleAppend (§5.3): a reordered stale append makes a follower drop committed entries", () => {
  // With duplication alone the bug mostly shows as an append/reject storm (reported as a
  // livelock); crashes and partitions turn it into a lost committed entry.
  const kind = findBug("truncateOnStaleAppend", 30, {
    nodes: 5, opsMax: 300, faults: parseFaults("crash,partition,reorder"), keys: 2,
  });
  assert.ok(["leader-completeness", "state-machine-safety", "log-matching", "linearizability"].includes(kind), kind);
});

test("commitPreviousTermByCount (Figure 8): leader churn with tiny appends commits an entry later overwritten", {
  todo: "not yet provoked within 50 seeds: the no-op at each term start makes Figure 8 rare; see the report",
}, () => {
  const kind = findBug("commitPreviousTermByCount", 50, {
    nodes: 5, opsMax: 300, faults: parseFaults("crash,partition,loss"), keys: 2,
    planOverrides: plan({ crashIntervalNs: 60 * MS, downtimeMaxNs: 100 * MS, partitionIntervalNs: 200 * MS }),
    configOverrides: { messageBytesMax: 100 },
  });
  assert.notEqual(kind, "not found");
});
