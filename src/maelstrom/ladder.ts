#!/usr/bin/env node
/**
 * `npm run test:maelstrom`: the full Maelstrom ladder against raftkv's node (docs/maelstrom.md
 * §5): the tutorial's final command 10 times, then the aggressive rungs 5 times each,
 * run through the real command line (`bin/raftkv maelstrom test ...`). Prints availability and
 * latency percentiles per rung (pooled over its tests) and exits 1 on any verdict that is not
 * valid. Takes about 25 minutes.
 *
 * Options: --bin PATH (default bin/raftkv-maelstrom); --time-limit S and --test-count K override
 * every rung (to smoke-test this script); --store DIR (default store/ladder).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { percentiles } from "./runner/results.js";

interface Rung {
  readonly name: string;
  readonly flags: readonly string[];
  readonly testCount: number;
}

const partitions = ["--nemesis", "partition"];
export const LADDER: readonly Rung[] = [
  {
    name: "tutorial final: 3 nodes, 4n, rate 30, interval 10",
    flags: ["--node-count", "3", "--concurrency", "4n", "--rate", "30", ...partitions, "--nemesis-interval", "10"],
    testCount: 10,
  },
  {
    name: "3 nodes, 10n, rate 100, interval 3",
    flags: ["--node-count", "3", "--concurrency", "10n", "--rate", "100", ...partitions, "--nemesis-interval", "3"],
    testCount: 5,
  },
  {
    name: "5 nodes, 4n, rate 100, interval 3",
    flags: ["--node-count", "5", "--concurrency", "4n", "--rate", "100", ...partitions, "--nemesis-interval", "3"],
    testCount: 5,
  },
  {
    name: "5 nodes, 4n, rate 100, interval 3, latency 10 exponential",
    flags: [
      "--node-count", "5", "--concurrency", "4n", "--rate", "100", ...partitions, "--nemesis-interval", "3",
      "--latency", "10", "--latency-dist", "exponential",
    ],
    testCount: 5,
  },
];

interface RunResult {
  readonly valid: unknown;
  readonly count: number;
  readonly okCount: number;
  readonly okLatenciesMs: number[];
}

function readRun(dir: string): RunResult {
  const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as {
    "valid?": unknown;
    stats: { count: number; "ok-count": number };
  };
  const invokes = new Map<unknown, number>();
  const okLatenciesMs: number[] = [];
  for (const line of readFileSync(join(dir, "history.jsonl"), "utf8").split("\n")) {
    if (line === "") continue;
    const event = JSON.parse(line) as { process: unknown; type: string; time: number; maelstrom_type?: string };
    if (event.process === "nemesis") continue;
    if (event.type === "invoke") {
      invokes.set(event.process, event.time);
    } else {
      const invokedAt = invokes.get(event.process);
      if (invokedAt !== undefined && (event.maelstrom_type ?? event.type) === "ok") {
        okLatenciesMs.push((event.time - invokedAt) / 1e6);
      }
    }
  }
  return { valid: results["valid?"], count: results.stats.count, okCount: results.stats["ok-count"], okLatenciesMs };
}

function runDirs(root: string): string[] {
  const base = join(root, "lin-kv");
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((name) => name !== "latest")
    .map((name) => join(base, name))
    .filter((dir) => existsSync(join(dir, "results.json")))
    .sort();
}

function main(): number {
  const { values } = parseArgs({
    options: {
      bin: { type: "string", default: "bin/raftkv-maelstrom" },
      "time-limit": { type: "string", default: "60" },
      "test-count": { type: "string" },
      store: { type: "string", default: "store/ladder" },
    },
  });
  const stamp = new Date().toISOString().replace(/[-:]/g, "");
  const rows: string[] = [];
  let failed = false;
  for (const [i, rung] of LADDER.entries()) {
    const store = join(values.store, stamp, `rung-${i + 1}`);
    const testCount = values["test-count"] ?? String(rung.testCount);
    const args = [
      resolve("bin/raftkv"), "maelstrom", "test", "-w", "lin-kv", "--bin", values.bin, ...rung.flags,
      "--time-limit", values["time-limit"], "--test-count", testCount, "--store", store,
    ];
    process.stdout.write(`\n== ${rung.name}\n$ raftkv ${args.slice(1).join(" ")}\n`);
    const status = spawnSync(process.execPath, args, { stdio: "inherit" }).status;
    const runs = runDirs(store).map(readRun);
    const valid = runs.filter((run) => run.valid === true).length;
    const count = runs.reduce((sum, run) => sum + run.count, 0);
    const ok = runs.reduce((sum, run) => sum + run.okCount, 0);
    const p = percentiles(runs.flatMap((run) => run.okLatenciesMs));
    const availability = count === 0 ? 0 : (100 * ok) / count;
    rows.push(`| ${rung.name} | ${valid}/${testCount} | ${count} | ${availability.toFixed(1)}% | ` +
      `${p.p50} | ${p.p90} | ${p.p99} | ${p.max} |`);
    if (status !== 0 || valid !== Number(testCount)) failed = true;
  }
  process.stdout.write("\n| rung | valid | ops | ok (availability) | p50 ms | p90 ms | p99 ms | max ms |\n");
  process.stdout.write("|---|---|---|---|---|---|---|---|\n" + rows.join("\n") + "\n");
  process.stdout.write(failed ? "\nLADDER FAILED: some test was not valid\n" : "\nLadder: every test valid\n");
  return failed ? 1 : 0;
}

process.exitCode = main();
