/**
 * One Maelstrom lin-kv test, start to verdict (docs/maelstrom.md §7): spawn the nodes, init
 * them, run the client workload and the partition nemesis against the simulated network until the
 * time limit, heal, stop the nodes, check the history for linearizability, and write
 * `<store>/lin-kv/<timestamp>/` with history.jsonl, results.json, summary.txt and node-logs/.
 */
import {
  accessSync, constants, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { checkHistory, formatHistory, type CheckResult } from "../../check/index.js";
import { SeededRng } from "../../core/rng.js";
import { Cluster } from "./cluster.js";
import { healPartition, runPartitionNemesis, type NemesisSummary } from "./nemesis.js";
import { Network } from "./network.js";
import { nodeIds, TestOptionsError, validateTestOptions, type TestOptions } from "./options.js";
import { Clock, Recorder } from "./recorder.js";
import {
  availabilityOf,
  exceptionsOf,
  exitCodeOf,
  mergeValidity,
  netOf,
  perfOf,
  statsOf,
  workloadOf,
  type Availability,
  type Percentiles,
  type Validity,
} from "./results.js";
import { summarize } from "./summary.js";
import { Workload } from "./workload.js";

/** results.json: results.edn's parts, plus what the run itself went through. */
export interface TestResults {
  readonly "valid?": Validity;
  readonly workload: { "valid?": Validity; [field: string]: unknown };
  readonly stats: ReturnType<typeof statsOf>;
  readonly availability: Availability;
  readonly perf: Record<string, Percentiles>;
  readonly net: Record<string, unknown>;
  readonly exceptions: Record<string, unknown>;
  readonly nemesis: NemesisSummary;
  /** A protocol violation, node exit or init failure that stopped the run; null otherwise. */
  readonly error: { readonly type: string; readonly message: string } | null;
  readonly test: TestOptions;
}

export interface TestRun {
  readonly results: TestResults;
  readonly dir: string;
  readonly summary: string;
  readonly exitCode: 0 | 1 | 2;
}

function timestampDir(root: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "");
  for (let attempt = 0; ; attempt++) {
    const dir = join(root, attempt === 0 ? stamp : `${stamp}-${attempt}`);
    try {
      mkdirSync(dir, { recursive: false });
      return dir;
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

function linkLatest(root: string, dir: string): void {
  const link = join(root, "latest");
  try {
    rmSync(link, { force: true });
    symlinkSync(resolve(dir), link);
  } catch {
    // A convenience only.
  }
}

/**
 * Runs one test.
 * @throws TestOptionsError for unusable options or a --bin that is not executable.
 */
export async function runTest(input: TestOptions): Promise<TestRun> {
  const options = validateTestOptions(input);
  const bin = resolve(options.bin);
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new TestOptionsError("--bin", `${bin} is not an executable file`);
  }
  const root = join(options.storeDir, options.workload);
  mkdirSync(root, { recursive: true });
  const dir = timestampDir(root);
  const logDir = join(dir, "node-logs");
  mkdirSync(logDir);
  const cwd = mkdtempSync(join(tmpdir(), "raftkv-maelstrom-"));
  const nodes = nodeIds(options.nodeCount, options.nodeIdBase);
  const rng = new SeededRng(options.seed);
  const clock = new Clock();
  const recorder = new Recorder(clock);
  const network = new Network({
    latencyMs: options.latencyMs,
    latencyDist: options.latencyDist,
    rng: rng.fork(),
    nowMs: () => clock.nowMs(),
  });
  const abort = new AbortController();
  // A holder, not a `let`: it is set from callbacks the type checker cannot see.
  const failure: { error: Error | null } = { error: null };
  const onFatal = (error: Error): void => {
    failure.error ??= error;
    abort.abort();
  };
  let clientIds = 0;
  const newClientId = (): string => `c${clientIds++}`;
  const cluster = new Cluster({ options, bin, nodes, network, cwd, logDir, onFatal, newClientId });
  let nemesis: NemesisSummary = { partitions: 0, shapes: {} };
  const workloadRng = rng.fork();
  const nemesisRng = rng.fork();
  try {
    cluster.start();
    await Promise.race([
      cluster.init(),
      new Promise((done) => {
        abort.signal.addEventListener("abort", done);
      }),
    ]);
    if (failure.error === null) {
      const endMs = clock.nowMs() + options.timeLimitS * 1000;
      const workload = new Workload({
        options, nodes, network, rng: workloadRng, clock, recorder, signal: abort.signal, newClientId,
      });
      const partitions = options.nemesis.includes("partition");
      const deps = { nodes, network, rng: nemesisRng, clock, recorder, signal: abort.signal };
      const [, summary] = await Promise.all([
        workload.run(endMs),
        partitions ? runPartitionNemesis({ ...deps, intervalS: options.nemesisIntervalS }, endMs) : nemesis,
      ]);
      nemesis = summary;
      if (partitions) healPartition(network, recorder);
      workload.close();
    }
  } catch (error: unknown) {
    onFatal(error instanceof Error ? error : new Error(String(error)));
  } finally {
    await cluster.stop();
    network.close();
    rmSync(cwd, { recursive: true, force: true });
  }
  const results = analyse(options, recorder, network, nemesis, failure.error);
  writeFileSync(join(dir, "history.jsonl"), formatHistory(recorder.events));
  writeFileSync(join(dir, "results.json"), JSON.stringify(results, null, 2) + "\n");
  const summary = summarize(options, results, dir);
  writeFileSync(join(dir, "summary.txt"), summary);
  linkLatest(root, dir);
  linkLatest(options.storeDir, dir);
  return { results, dir, summary, exitCode: exitCodeOf(results["valid?"]) };
}

type CheckOutcome = CheckResult | { readonly verdict: "error"; readonly reason: string };

function check(options: TestOptions, recorder: Recorder): CheckOutcome {
  try {
    return checkHistory(recorder.events, { budget: options.checkBudget });
  } catch (error: unknown) {
    return { verdict: "error", reason: error instanceof Error ? error.message : String(error) };
  }
}

function analyse(
  options: TestOptions,
  recorder: Recorder,
  network: Network,
  nemesis: NemesisSummary,
  fatal: Error | null,
): TestResults {
  const ops = recorder.ops;
  const workload = workloadOf(check(options, recorder));
  const stats = statsOf(ops);
  const availability = availabilityOf(ops, options.availability);
  const parts: Validity[] = [workload["valid?"], stats["valid?"], availability["valid?"]];
  // Louder than Maelstrom: a protocol mistake, a node exit or a failed init fails the run.
  if (fatal !== null) parts.push(false);
  return {
    "valid?": mergeValidity(parts),
    workload,
    stats,
    availability,
    perf: perfOf(ops),
    net: netOf(network.stats, ops.length),
    exceptions: exceptionsOf(ops),
    nemesis,
    error: fatal === null ? null : { type: fatal.name, message: fatal.message },
    test: options,
  };
}
