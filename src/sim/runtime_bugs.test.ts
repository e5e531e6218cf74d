/**
 * The deliberate runtime bugs (node/runtime_bugs.ts): the simulator, running the shipped
 * runtime, must catch each within a bounded number of seeds, and the same seeds must pass with
 * the bug switched off, so what was caught is the bug, not an artefact of the fault mix.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { RuntimeBugs } from "../node/runtime_bugs.js";
import { parseFaults, type FaultPlan } from "./faults.js";
import { runSimulation, type SimOptions } from "./simulation.js";

const MS = 1_000_000;
/** 10 ms ticks (elections of 100-200 ms) and busy clients: each seed is cheap. */
const HUNT = { tickNs: 10 * MS, thinkMaxNs: 5 * MS } as const;
type HuntOptions = Omit<SimOptions, "seed" | "runtimeBugs">;

const plan = (over: Partial<FaultPlan>): Partial<FaultPlan> => over;

/**
 * Runs seeds with `bug` until one reports a violation of one of `kinds`, then the same seeds
 * without it; returns the seed that found it.
 */
async function huntAndControl(
  bug: keyof RuntimeBugs,
  seedsMax: number,
  options: HuntOptions,
  kinds: readonly string[],
): Promise<number> {
  let found: number | null = null;
  for (let seed = 1; seed <= seedsMax && found === null; seed++) {
    const r = await runSimulation({ seed, ...HUNT, ...options, runtimeBugs: { [bug]: true } });
    if (r.violation === null) continue;
    assert.ok(kinds.includes(r.violation.kind), r.violation.message);
    console.log(`${bug}: found by seed ${seed}: ${r.violation.message.split("\n")[0] ?? ""}`);
    found = seed;
  }
  assert.notEqual(found, null, `${bug} not found in ${seedsMax} seeds`);
  for (let seed = 1; seed <= (found ?? 0); seed++) {
    const r = await runSimulation({ seed, ...HUNT, ...options });
    assert.equal(r.violation?.message ?? r.verdict, "linearizable", `seed ${seed} without ${bug}`);
  }
  return found ?? 0;
}

const SAFETY = [
  "election-safety", "leader-completeness", "state-machine-safety", "log-matching",
  "linearizability",
];

test("applyBeforeCommit: an entry applied before it is committed is caught at once", async () => {
  await huntAndControl("applyBeforeCommit", 3, {
    nodes: 3, opsMax: 100, keys: 2, faults: parseFaults("none"),
  }, ["state-machine-safety"]);
});

test("storeClockInApply: a store that reads its own clock while applying is caught as divergence",
  async () => {
    // Replicas apply the same entry at different moments; a store that runs it at its own
    // clock rather than the entry's stamp holds a different state at the same index.
    await huntAndControl("storeClockInApply", 5, {
      nodes: 3, opsMax: 100, keys: 2, faults: parseFaults("none"),
    }, ["replica-divergence"]);
  });

test("ackBeforeDurable: a leader acknowledging before its own fsync loses acknowledged writes",
  async () => {
    // Three nodes, so the leader's unsynced copy and one follower's make a majority; slow fsyncs
    // and frequent crashes that tear the leader's unsynced tail.
    await huntAndControl("ackBeforeDurable", 20, {
      // Register operations only: the seeds that find it were chosen with that mix.
      nodes: 3, opsMax: 300, keys: 2, faults: parseFaults("crash,torn"), auxShare: 0,
      planOverrides: plan({
        crashIntervalNs: 60 * MS, downtimeMaxNs: 30 * MS, tornRate: 1,
        fsyncMinNs: 5 * MS, fsyncMaxNs: 40 * MS,
      }),
    }, SAFETY);
  });

test("resolveOnWrongEntry: a proposal resolved by another entry at its index is caught",
  async () => {
    // Leaders isolated right after they append lose their uncommitted tail to the next leader.
    // The wrong entry is often another client's command: then its result does not even have
    // the right kind, and the store's own check reports it (an "assertion" violation).
    await huntAndControl("resolveOnWrongEntry", 20, {
      nodes: 5, opsMax: 300, keys: 2, faults: parseFaults("chase"),
      planOverrides: plan({ chase: { newLeaderRate: 0.6, oldCommitRate: 0.3, healMeanNs: 200 * MS } }),
    }, ["linearizability", "assertion"]);
  });

test("leaseReadAfterExpiry: an isolated leader serving lease reads after expiry is caught",
  async () => {
    // The chase isolates new leaders; until check-quorum steps it down, the isolated leader
    // still believes it leads while the others elect a new one and commit writes. One key and
    // busy clients make a read of it there likely.
    await huntAndControl("leaseReadAfterExpiry", 20, {
      nodes: 3, opsMax: 500, keys: 1, clientsPerNode: 4, faults: parseFaults("chase"),
      readMode: "lease", clientTimeoutNs: 1500 * MS,
      planOverrides: plan({ chase: { newLeaderRate: 0.8, oldCommitRate: 0, healMeanNs: 500 * MS } }),
    }, ["linearizability"]);
  });
