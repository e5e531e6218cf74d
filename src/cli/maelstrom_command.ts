/**
 * `raftkv maelstrom test`: the local Maelstrom-compatible runner, with Maelstrom's flag names and
 * defaults (docs/maelstrom.md §5). Runs `--test-count` tests, stopping at the first that is
 * not valid, and exits as Maelstrom does: 0 valid, 1 invalid, 2 unknown.
 */
import { randomInt } from "node:crypto";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  DEFAULT_TEST_OPTIONS,
  isLatencyDist,
  latencyDists,
  parseConcurrency,
  runTest,
  TestOptionsError,
  type TestOptions,
} from "../maelstrom/index.js";

interface RawOptions {
  readonly workload: string;
  readonly bin: string;
  readonly nodeCount?: number;
  readonly concurrency: string;
  readonly rate: number;
  readonly timeLimit: number;
  readonly nemesis?: string;
  readonly nemesisInterval: number;
  readonly latency: number;
  readonly latencyDist: string;
  readonly testCount: number;
  readonly seed?: number;
  readonly availability?: string;
  readonly strictReads: boolean;
  readonly store: string;
  readonly logStderr: boolean;
  readonly checkBudget: number;
}

function nonNegativeNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError("expected a non-negative number");
  }
  return value;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError("expected a positive integer");
  }
  return value;
}

function integer(text: string): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) throw new InvalidArgumentError("expected an integer");
  return value;
}

function availabilityOf(text: string | undefined): number | null {
  if (text === undefined) return null;
  if (text === "total") return 1;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new TestOptionsError("--availability", `expected "total" or a fraction in [0, 1], got "${text}"`);
  }
  return value;
}

function nemesisOf(text: string | undefined): "partition"[] {
  if (text === undefined || text === "") return [];
  const faults = text.split(",").map((fault) => fault.trim());
  for (const fault of faults) {
    if (fault !== "partition") {
      throw new TestOptionsError("--nemesis", `lin-kv supports only "partition", got "${fault}"`);
    }
  }
  return ["partition"];
}

/** @throws TestOptionsError for a flag the runner cannot honour. */
export function toTestOptions(raw: RawOptions, seed: number): TestOptions {
  if (raw.workload !== "lin-kv") {
    throw new TestOptionsError("--workload", `only lin-kv is implemented, got "${raw.workload}"`);
  }
  if (!isLatencyDist(raw.latencyDist)) {
    throw new TestOptionsError("--latency-dist", `expected one of ${latencyDists.join(", ")}`);
  }
  // Without --node-count Maelstrom uses Jepsen's default nodes, n1..n5 [doc≠src].
  const nodeCount = raw.nodeCount ?? DEFAULT_TEST_OPTIONS.nodeCount;
  return {
    ...DEFAULT_TEST_OPTIONS,
    workload: "lin-kv",
    bin: raw.bin,
    nodeCount,
    nodeIdBase: raw.nodeCount === undefined ? 1 : 0,
    concurrency: parseConcurrency(raw.concurrency, nodeCount),
    rate: raw.rate,
    timeLimitS: raw.timeLimit,
    nemesis: nemesisOf(raw.nemesis),
    nemesisIntervalS: raw.nemesisInterval,
    latencyMs: raw.latency,
    latencyDist: raw.latencyDist,
    seed,
    availability: availabilityOf(raw.availability),
    strictReads: raw.strictReads,
    storeDir: raw.store,
    logStderr: raw.logStderr,
    checkBudget: raw.checkBudget,
  };
}

async function runTests(raw: RawOptions): Promise<number> {
  const baseSeed = raw.seed ?? randomInt(2 ** 31);
  let exitCode = 0;
  for (let i = 0; i < raw.testCount; i++) {
    const options = toTestOptions(raw, baseSeed + i);
    process.stderr.write(`Running test ${i + 1}/${raw.testCount} (seed ${options.seed})...\n`);
    const run = await runTest(options);
    process.stdout.write(run.summary + "\n");
    exitCode = run.exitCode;
    if (exitCode !== 0) break;
  }
  return exitCode;
}

/** Adds `raftkv maelstrom test`. */
export function registerMaelstromCommand(program: Command): void {
  const maelstrom = program
    .command("maelstrom")
    .description("Maelstrom support: a local Maelstrom-compatible test runner for any node binary");
  maelstrom
    .command("test")
    .description("Run Maelstrom's lin-kv workload against --bin; exit 0 valid, 1 invalid, 2 unknown")
    .addOption(new Option("-w, --workload <name>", "workload").default("lin-kv"))
    .requiredOption("--bin <path>", "the node executable (speaks Maelstrom's protocol on stdin/stdout)")
    .option("--node-count <n>", "number of nodes, named n0.. (default: n1..n5)", positiveInteger)
    .option("--concurrency <c>", "client threads: an integer or <k>n (k x node count)", "1n")
    .option("--rate <r>", "client operations per second, whole stream", nonNegativeNumber, 5)
    .option("--time-limit <s>", "seconds of client operations", nonNegativeNumber, 60)
    .option("--nemesis <faults>", "faults to inject: partition")
    .option("--nemesis-interval <s>", "mean seconds between nemesis operations", nonNegativeNumber, 10)
    .option("--latency <ms>", "mean inter-node message latency in ms", nonNegativeNumber, 0)
    .option("--latency-dist <d>", `latency distribution: ${latencyDists.join("|")}`, "constant")
    .option("--test-count <k>", "tests to run; stops at the first that is not valid", positiveInteger, 1)
    .option("--seed <x>", "random seed of the first test (test i uses x + i)", integer)
    .option("--availability <a>", "require this fraction of operations to succeed: total or 0..1")
    .option("--strict-reads", "read_ok null and read error 20 mean \"key absent\" (beyond Maelstrom)", false)
    .option("--store <dir>", "where results are written", "store")
    .option("--log-stderr", "copy node stderr to this process's stderr", false)
    .option("--check-budget <steps>", "linearizability search steps per key", positiveInteger, 2_000_000)
    .action(async (raw: RawOptions) => {
      try {
        process.exitCode = await runTests(raw);
      } catch (error: unknown) {
        if (!(error instanceof TestOptionsError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 254;
      }
    });
}
