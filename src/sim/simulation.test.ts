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

test("the same seed gives the same trace hash and history; different seeds differ", async () => {
  const options = { nodes: 5, opsMax: 200, faults: parseFaults("all") };
  const a = await runSimulation({ seed: 7, ...options });
  const b = await runSimulation({ seed: 7, ...options });
  const c = await runSimulation({ seed: 8, ...options });
  assert.equal(a.traceHash, b.traceHash);
  assert.deepEqual(a.history, b.history);
  assert.notEqual(a.traceHash, c.traceHash);
});

test("a short sweep with every fault kind passes every invariant and the linearizability check", async () => {
  const failures: string[] = [];
  let elections = 0;
  let crashes = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const r = await runSimulation({ seed, nodes: 5, opsMax: 300, faults: parseFaults("all") });
    elections += r.elections;
    crashes += r.crashes;
    if (r.violation !== null || r.verdict !== "linearizable") {
      failures.push(`seed ${seed}: ${r.violation?.message ?? r.verdict}`);
    }
  }
  assert.deepEqual(failures, []);
  const bite = `faults must bite: ${elections} elections, ${crashes} crashes`;
  assert.ok(elections > 20 && crashes > 10, bite);
});

/**
 * The bug hunts run at the pre-change calibration: 10 ms ticks (elections of 100-200 ms) and
 * busy clients, so their fault intervals below stay short in ticks and each seed is cheap.
 */
const HUNT = { tickNs: 10 * MS, thinkMaxNs: 5 * MS } as const;

interface Found {
  readonly seed: number;
  readonly kind: string;
}

/** Runs seeds until one reports a violation; returns the seed and the violation's kind. */
async function findBug(
  bug: keyof TestingBugs,
  seedsMax: number,
  options: Omit<SimOptions, "seed" | "testingBugs">,
): Promise<Found | null> {
  for (let seed = 1; seed <= seedsMax; seed++) {
    const r = await runSimulation({ seed, ...HUNT, ...options, testingBugs: { [bug]: true } });
    if (r.violation !== null) {
      console.log(`${bug}: found by seed ${seed}: ${r.violation.message.split("\n")[0] ?? ""}`);
      return { seed, kind: r.violation.kind };
    }
  }
  return null;
}

const plan = (over: Partial<FaultPlan>): Partial<FaultPlan> => over;

test("skipPersistVote (Figure 2): frequent crashes make a node vote twice in a term: two leaders", async () => {
  // The leader chase keeps elections going, so crashes often land between a vote and its save.
  const found = await findBug("skipPersistVote", 20, {
    nodes: 5, opsMax: 300, faults: parseFaults("crash,chase"), keys: 2,
    planOverrides: plan({
      crashIntervalNs: 40 * MS, downtimeMaxNs: 30 * MS,
      chase: { newLeaderRate: 0.5, oldCommitRate: 0.5, healMeanNs: 200 * MS },
    }),
  });
  assert.notEqual(found, null);
});

test("readWithoutQuorum (§6.4): a partitioned leader serves a stale read", async () => {
  // With check-quorum the stale leader steps down about when a new one is elected, which hides
  // the bug behind timing; without it (a supported setting) the stale window is wide open.
  // (Found by seed 55 since followers elect at once when their leader's link drops.)
  const found = await findBug("readWithoutQuorum", 60, {
    nodes: 5, opsMax: 500, faults: parseFaults("partition"), keys: 2, clientTimeoutNs: 1500 * MS,
    planOverrides: plan({ partitionIntervalNs: 400 * MS }), configOverrides: { checkQuorum: false },
  });
  assert.equal(found?.kind, "linearizability");
});

test("truncateOnStaleAppend (§5.3): a reordered stale append drops committed entries", async () => {
  // With duplication alone the bug mostly shows as an append/reject storm (reported as a
  // livelock); crashes and partitions turn it into a lost committed entry.
  const found = await findBug("truncateOnStaleAppend", 30, {
    nodes: 5, opsMax: 300, faults: parseFaults("crash,partition,reorder"), keys: 2,
  });
  const kinds = ["leader-completeness", "state-machine-safety", "log-matching", "linearizability"];
  assert.ok(found !== null && kinds.includes(found.kind), found?.kind ?? "not found");
});

/**
 * Figure 8 (§5.4.2) needs a precise interleaving: a leader's tail reaching no one, a rival
 * appending at the same index, the first leader returning, committing its old-term entry on a
 * bare majority and vanishing before its own no-op is replicated, and the rival winning again.
 * The leader chase (nemesis.ts) drives exactly those partitions; one entry per AppendEntries
 * and one message in flight keep the old entry and the new no-op in separate round trips.
 */
const FIGURE8: Omit<SimOptions, "seed" | "testingBugs"> = {
  nodes: 5, opsMax: 300, faults: parseFaults("chase"), keys: 2,
  planOverrides: plan({ chase: { newLeaderRate: 0.5, oldCommitRate: 0.7, healMeanNs: 300 * MS } }),
  configOverrides: { messageBytesMax: 1, inflightMessagesMax: 1 },
};
const FIGURE8_SEEDS_MAX = 20;

test("commitPreviousTermByCount (Figure 8): a leader commits an old-term entry that is overwritten", async () => {
  const found = await findBug("commitPreviousTermByCount", FIGURE8_SEEDS_MAX, FIGURE8);
  assert.ok(found !== null, "not found");
  assert.ok(["leader-completeness", "state-machine-safety"].includes(found.kind), found.kind);
  // The control: the same nemesis against the correct core passes every seed up to the one that
  // found the bug, so what was caught is the bug, not an artefact of the nemesis.
  for (let seed = 1; seed <= found.seed; seed++) {
    const r = await runSimulation({ seed, ...HUNT, ...FIGURE8 });
    assert.equal(r.violation?.message ?? r.verdict, "linearizable", `seed ${seed} without the bug`);
    assert.ok(r.elections >= 5, `seed ${seed}: the chase must churn leaders (${r.elections})`);
  }
});

test("membership faults: changes, transfers, snapshot installs and wipes happen, and pass", async () => {
  const failures: string[] = [];
  const total = { changes: 0, committed: 0, transfers: 0, snapshotInstalls: 0, wipes: 0 };
  for (let seed = 1; seed <= 8; seed++) {
    const faults = parseFaults("membership,crash");
    const r = await runSimulation({ seed, nodes: 5, opsMax: 400, faults });
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += r.membership[key];
    if (r.violation !== null || r.verdict !== "linearizable") {
      failures.push(`seed ${seed}: ${r.violation?.message ?? r.verdict}`);
    }
  }
  assert.deepEqual(failures, []);
  const bite = JSON.stringify(total);
  assert.ok(total.changes >= 20 && total.committed >= total.changes / 2, bite);
  assert.ok(total.transfers >= 4 && total.snapshotInstalls >= 4 && total.wipes >= 2, bite);
});

test("a runtime whose snapshots record a stale configuration is caught (Snapshot Config)", async () => {
  const faults = parseFaults("membership");
  let found: number | null = null;
  for (let seed = 1; seed <= 10 && found === null; seed++) {
    const bugs = { snapshotConfFromStorage: true };
    const r = await runSimulation({ seed, nodes: 5, opsMax: 300, faults, runtimeBugs: bugs });
    if (r.violation !== null) {
      assert.equal(r.violation.kind, "snapshot-config", r.violation.message);
      found = seed;
    }
  }
  assert.notEqual(found, null, "not found in 10 seeds");
  // The control: the correct runtime passes the same seeds.
  for (let seed = 1; seed <= (found ?? 0); seed++) {
    const r = await runSimulation({ seed, nodes: 5, opsMax: 300, faults });
    assert.equal(r.violation?.message ?? r.verdict, "linearizable", `seed ${seed}`);
  }
});

test("a wiped node rejoining under its old id lets a stale removed node win an election", async () => {
  // A node removed while cut off never learns of it and keeps its old configuration; empty
  // nodes answering to ids in it grant its votes. Frequent membership actions make it likely.
  const options: Omit<SimOptions, "seed"> = {
    ...HUNT, nodes: 5, opsMax: 300, faults: parseFaults("membership,partition,crash,chase"),
    planOverrides: plan({
      membership: {
        intervalNs: 100 * MS, sparesCount: 2, snapshotEntries: 10, reactRate: 0, configChaseRate: 0,
      },
    }),
  };
  // Rare by nature (about one seed in twenty-five with this mix; the first is seed 42 with the
  // core of c16acac), so the bound is generous; the control below runs the same seeds.
  let found: number | null = null;
  for (let seed = 1; seed <= 80 && found === null; seed++) {
    const r = await runSimulation({ seed, ...options, runtimeBugs: { wipedNodeKeepsId: true } });
    if (r.violation !== null) {
      // Two leaders of one term can also leave two different logs behind (log-matching).
      const kinds = ["election-safety", "leader-completeness", "state-machine-safety", "log-matching"];
      assert.ok(kinds.includes(r.violation.kind), r.violation.message);
      found = seed;
    }
  }
  assert.notEqual(found, null, "not found in 80 seeds");
  for (let seed = 1; seed <= (found ?? 0); seed++) {
    const r = await runSimulation({ seed, ...options });
    assert.equal(r.violation?.message ?? r.verdict, "linearizable", `seed ${seed} with new ids`);
  }
});

test("confChangeBeforeTermCommit (§4.1): a new leader's change at once forms disjoint majorities", async () => {
  // Four voters (even, so one addition and one removal from them can have disjoint majorities).
  // A leader is isolated right after appending a change; the new leader gets a change at once,
  // as an operator replacing the failed machine would; crashes keep a voter's log behind.
  const options: Omit<SimOptions, "seed" | "testingBugs"> = {
    ...HUNT, nodes: 4, opsMax: 300, keys: 2, faults: parseFaults("membership,chase,crash"),
    planOverrides: plan({
      crashIntervalNs: 150 * MS, downtimeMaxNs: 200 * MS,
      chase: { newLeaderRate: 0.3, oldCommitRate: 0, healMeanNs: 150 * MS },
      membership: {
        intervalNs: 100 * MS, sparesCount: 2, snapshotEntries: null, reactRate: 1,
        configChaseRate: 0.7,
      },
    }),
  };
  // Found by seed 17 (also 18, 20, 21, 25, 28 of 1-30). The controls include seed 2, where a
  // restarted node's loaded config entry was truncated before its first Ready and the Ready did
  // not report the fallback (config-follows-log; fixed in RaftNode).
  const found = await findBug("confChangeBeforeTermCommit", 30, options);
  const kinds = ["election-safety", "leader-completeness", "state-machine-safety", "log-matching"];
  assert.ok(found !== null && kinds.includes(found.kind), found?.kind ?? "not found");
  for (let seed = 1; seed <= found.seed; seed++) {
    const r = await runSimulation({ seed, ...options });
    assert.equal(r.violation?.message ?? r.verdict, "linearizable", `seed ${seed} without the bug`);
    assert.ok(r.membership.refused > 0, `seed ${seed}: the core must refuse early changes`);
  }
});
