/**
 * Runs many seeds and summarises them, for `raftkv sim` and the tests: one line per seed, a
 * summary with totals and a hash over the per-seed trace hashes, and for every failing seed the
 * exact command that replays it.
 */
import type { TestingBugs } from "../core/config.js";
import type { SimRuntimeBugs } from "./sim_types.js";
import { formatFaults, type FaultSelection } from "./faults.js";
import type { MembershipCounts } from "./membership_ops.js";
import { runSimulation, type SimResult } from "./simulation.js";
import { combineHashes } from "./trace.js";

export interface SweepOptions {
  readonly seeds: readonly number[];
  readonly nodes: number;
  readonly opsMax: number;
  readonly faults: FaultSelection;
  readonly testingBugs?: TestingBugs;
  /** Deliberate bugs of the runtime (node/runtime_bugs.ts). */
  readonly runtimeBugs?: SimRuntimeBugs;
  /** A client's think time between operations is uniform below this (default 200 ms). */
  readonly thinkMaxNs?: number;
  /** Stop at the first failing seed. */
  readonly stopOnFailure?: boolean;
  /** Wall clock in ms, injected so the simulator itself never reads a clock. */
  readonly wallMs: () => number;
}

export interface SeedReport {
  readonly result: SimResult;
  readonly wallMs: number;
  readonly failed: boolean;
  readonly line: string;
  readonly reproduce: string | null;
}

export interface SweepSummary {
  readonly seeds: number;
  readonly ops: number;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  readonly violations: number;
  readonly unknown: number;
  readonly failedSeeds: readonly number[];
  readonly virtualNs: number;
  readonly wallMs: number;
  /** Membership changes, transfers, snapshot installs and wipes, summed over the seeds. */
  readonly membership: MembershipCounts;
  readonly hash: string;
  readonly line: string;
}

/** The command that replays one seed with the same settings. */
export function reproduceCommand(
  seed: number,
  options: Omit<SweepOptions, "seeds" | "wallMs">,
): string {
  const bugs = Object.entries({ ...options.testingBugs, ...options.runtimeBugs })
    .filter(([, on]) => on)
    .map(([name]) => name);
  const bugFlag = bugs.length === 0 ? "" : ` --bug ${bugs.join(",")}`;
  const think = options.thinkMaxNs;
  const thinkFlag = think === undefined ? "" : ` --think-max-ms ${think / 1e6}`;
  return `bin/raftkv sim --seed ${seed} --nodes ${options.nodes} --ops ${options.opsMax} ` +
    `--faults ${formatFaults(options.faults)}${bugFlag}${thinkFlag}`;
}

/**
 * A seed fails on an invariant, liveness or linearizability violation, and also when the checker
 * cannot decide (`unknown`): an undecided history proves nothing, so it must not pass silently.
 */
export async function runSeed(
  seed: number,
  options: Omit<SweepOptions, "seeds">,
): Promise<SeedReport> {
  const start = options.wallMs();
  const result = await runSimulation({
    seed, nodes: options.nodes, opsMax: options.opsMax, faults: options.faults,
    ...(options.testingBugs === undefined ? {} : { testingBugs: options.testingBugs }),
    ...(options.runtimeBugs === undefined ? {} : { runtimeBugs: options.runtimeBugs }),
    ...(options.thinkMaxNs === undefined ? {} : { thinkMaxNs: options.thinkMaxNs }),
  });
  const wallMs = options.wallMs() - start;
  const failed = result.violation !== null || result.verdict === "unknown";
  const verdict = result.violation !== null ? `VIOLATION ${result.violation.kind}` : result.verdict;
  const line =
    `seed ${seed}: ops ${result.ops} ok ${result.ok} fail ${result.fail} info ${result.info} ` +
    `elections ${result.elections} crashes ${result.crashes} ` +
    `${describeMembership(result.membership)}virtual ${(result.virtualNs / 1e9).toFixed(2)}s wall ${Math.round(wallMs)}ms ` +
    `faults [${result.plan.enabled.join(",")}] trace ${result.traceHash} ${verdict}`;
  const reproduce = failed ? reproduceCommand(seed, options) : null;
  return { result, wallMs, failed, line, reproduce };
}

export async function runSweep(
  options: SweepOptions,
  onSeed: (report: SeedReport) => void,
): Promise<SweepSummary> {
  const hashes: string[] = [];
  const failedSeeds: number[] = [];
  let membership = NO_MEMBERSHIP;
  let ops = 0, ok = 0, fail = 0, info = 0, violations = 0, unknown = 0, virtualNs = 0, wallMs = 0;
  for (const seed of options.seeds) {
    const report = await runSeed(seed, options);
    const r = report.result;
    hashes.push(r.traceHash);
    ops += r.ops; ok += r.ok; fail += r.fail; info += r.info;
    virtualNs += r.virtualNs; wallMs += report.wallMs;
    membership = addCounts(membership, r.membership);
    if (r.violation !== null) violations++;
    if (r.verdict === "unknown") unknown++;
    if (report.failed) failedSeeds.push(seed);
    onSeed(report);
    if (report.failed && options.stopOnFailure === true) break;
  }
  const hash = combineHashes(hashes);
  const ratio = wallMs > 0 ? virtualNs / 1e6 / wallMs : 0;
  // The speed only means something next to the rate it was measured at (operations completed
  // per virtual second, faults included): the cost is per event, and events grow with the rate.
  const rate = virtualNs > 0 ? ops / (virtualNs / 1e9) : 0;
  const line =
    `summary: seeds ${hashes.length} ops ${ops} ok ${ok} fail ${fail} info ${info} ` +
    `violations ${violations} unknown ${unknown} ${describeMembership(membership)}` +
    `virtual ${(virtualNs / 1e9).toFixed(1)}s ` +
    `wall ${Math.round(wallMs)}ms speed ${ratio.toFixed(0)}x at ${rate.toFixed(0)} ops/s ` +
    `trace ${hash}`;
  return {
    seeds: hashes.length, ops, ok, fail, info, violations, unknown, failedSeeds, virtualNs, wallMs,
    membership, hash, line,
  };
}

const NO_MEMBERSHIP: MembershipCounts = {
  changes: 0, refused: 0, committed: 0, transfers: 0, snapshotInstalls: 0, wipes: 0,
};

function addCounts(a: MembershipCounts, b: MembershipCounts): MembershipCounts {
  return {
    changes: a.changes + b.changes, refused: a.refused + b.refused,
    committed: a.committed + b.committed, transfers: a.transfers + b.transfers,
    snapshotInstalls: a.snapshotInstalls + b.snapshotInstalls, wipes: a.wipes + b.wipes,
  };
}

/** "conf 12/3 committed 14 transfers 4 snapshots 9 wipes 1 " (nothing when all are zero). */
function describeMembership(m: MembershipCounts): string {
  const any = m.changes + m.refused + m.transfers + m.snapshotInstalls + m.wipes > 0;
  if (!any) return "";
  return `conf ${m.changes} refused ${m.refused} committed ${m.committed} ` +
    `transfers ${m.transfers} snapshots ${m.snapshotInstalls} wipes ${m.wipes} `;
}

/**
 * Parses "42" or "1-500" into a list of seeds.
 * @throws RangeError on anything else.
 */
export function parseSeeds(spec: string): number[] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(spec.trim());
  if (match === null) throw new RangeError(`Invalid seeds "${spec}": expected N or FROM-TO`);
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  if (to < from || to - from > 10_000_000) throw new RangeError(`Invalid seed range "${spec}"`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
