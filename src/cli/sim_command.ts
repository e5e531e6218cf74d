/**
 * `raftkv sim`: runs the deterministic simulator for one seed or a sweep of seeds and exits
 * non-zero if any seed broke an invariant or produced a non-linearizable (or undecidable)
 * history. Each failing seed prints the command that replays it exactly.
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type { Command } from "commander";
import type { TestingBugs } from "../core/config.js";
import { formatHistory } from "../check/index.js";
import {
  FAULT_NAMES, parseFaults, parseSeeds, runSweep, type SimRuntimeBugs,
} from "../sim/index.js";

interface SimFlags {
  readonly seed?: string;
  readonly seeds?: string;
  readonly nodes: string;
  readonly ops: string;
  readonly faults: string;
  readonly history?: string;
  readonly bug?: string;
  readonly stopOnFailure?: boolean;
  readonly thinkMaxMs?: string;
}

const CORE_BUGS = [
  "commitPreviousTermByCount", "skipPersistVote", "readWithoutQuorum", "truncateOnStaleAppend",
  "confChangeBeforeTermCommit", "leaseFromAckReceive",
] as const;
const RUNTIME_BUGS = [
  "ackBeforeDurable", "applyBeforeCommit", "resolveOnWrongEntry", "leaseReadAfterExpiry",
  "snapshotConfFromStorage", "wipedNodeKeepsId", "storeClockInApply",
] as const;

interface Bugs {
  readonly testingBugs?: TestingBugs;
  readonly runtimeBugs?: SimRuntimeBugs;
}

function parseBugs(spec: string | undefined): Bugs {
  if (spec === undefined) return {};
  const core: Record<string, boolean> = {};
  const runtime: Record<string, boolean> = {};
  for (const name of spec.split(",").map((s) => s.trim())) {
    if ((CORE_BUGS as readonly string[]).includes(name)) core[name] = true;
    else if ((RUNTIME_BUGS as readonly string[]).includes(name)) runtime[name] = true;
    else {
      throw new RangeError(
        `Unknown bug "${name}": expected ${[...CORE_BUGS, ...RUNTIME_BUGS].join(", ")}`);
    }
  }
  return {
    ...(Object.keys(core).length === 0 ? {} : { testingBugs: core }),
    ...(Object.keys(runtime).length === 0 ? {} : { runtimeBugs: runtime }),
  };
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new RangeError(`${flag} must be a positive integer, got "${value}"`);
  }
  return n;
}

async function runSimCommand(flags: SimFlags): Promise<void> {
  const seeds = parseSeeds(flags.seeds ?? flags.seed ?? "1");
  const bugs = parseBugs(flags.bug);
  const options = {
    seeds, nodes: positive(flags.nodes, "--nodes"), opsMax: positive(flags.ops, "--ops"),
    faults: parseFaults(flags.faults),
    stopOnFailure: flags.stopOnFailure === true, wallMs: () => performance.now(),
    ...bugs,
    ...(flags.thinkMaxMs === undefined
      ? {}
      : { thinkMaxNs: positive(flags.thinkMaxMs, "--think-max-ms") * 1e6 }),
  };
  const historyPath = flags.history;
  const summary = await runSweep(options, (report) => {
    console.log(report.line);
    const { violation, unknownReason } = report.result;
    if (violation !== null) console.log(`  ${violation.message.split("\n")[0] ?? ""}`);
    if (unknownReason !== null) console.log(`  checker could not decide: ${unknownReason}`);
    if (report.reproduce !== null) console.log(`  reproduce: ${report.reproduce}`);
    if (historyPath !== undefined && (seeds.length === 1 || report.failed)) {
      const path = seeds.length === 1 ? historyPath : `${historyPath}.seed-${report.result.seed}`;
      writeFileSync(path, formatHistory(report.result.history));
    }
  });
  console.log(summary.line);
  if (summary.failedSeeds.length > 0) {
    console.log(`failing seeds: ${summary.failedSeeds.join(" ")}`);
    process.exitCode = 1;
  }
}

export function registerSimCommand(program: Command): void {
  program
    .command("sim")
    .description(
      "Run the seeded deterministic simulator: the shipped store on simulated hosts, network " +
        "and disks, faults, invariant and linearizability checks",
    )
    .option("--seed <n>", "one seed to run")
    .option("--seeds <range>", "a sweep of seeds, e.g. 1-500")
    .option("--nodes <n>", "cluster size", "5")
    .option("--ops <n>", "client operations per seed", "1000")
    .option("--faults <spec>", `all | none | comma list of ${FAULT_NAMES.join(",")}`, "all")
    .option(
      "--history <path>",
      "write the client history (JSONL); in a sweep, for failing seeds as PATH.seed-N",
    )
    .option("--bug <names>",
      `switch on deliberate bugs (testing): ${[...CORE_BUGS, ...RUNTIME_BUGS].join(",")}`)
    .option("--stop-on-failure", "stop a sweep at the first failing seed")
    .option("--think-max-ms <ms>", "client think time between operations, uniform below this (200)")
    .action((flags: SimFlags) => runSimCommand(flags));
}
