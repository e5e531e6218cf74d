/**
 * The runner's options, with Maelstrom's flag names and defaults (docs/maelstrom.md §5), and
 * their validation. The CLI turns flags into `TestOptions`; tests build them directly.
 */
import type { LatencyDist } from "./latency.js";

export interface TestOptions {
  readonly workload: "lin-kv";
  /** Path of the node executable. */
  readonly bin: string;
  readonly binArgs: readonly string[];
  readonly nodeCount: number;
  /** Node ids are n<base> .. n<base + count - 1>: 0 with --node-count, 1 for Jepsen's default. */
  readonly nodeIdBase: 0 | 1;
  /** Number of client threads (the CLI resolves "4n" to 4 * nodeCount). */
  readonly concurrency: number;
  /** Client operations per second, over the whole client stream. */
  readonly rate: number;
  readonly timeLimitS: number;
  readonly nemesis: readonly "partition"[];
  readonly nemesisIntervalS: number;
  readonly latencyMs: number;
  readonly latencyDist: LatencyDist;
  readonly seed: number;
  /** "total" = 1; a fraction in [0, 1]; null = reported but unchecked. */
  readonly availability: number | null;
  /** §7.8: read_ok null and read error 20 both mean "key absent" (beyond Maelstrom). */
  readonly strictReads: boolean;
  /** Root of the store directory (results go to <store>/<test>/<timestamp>/). */
  readonly storeDir: string;
  readonly logStderr: boolean;
  /** Linearizability search steps per key before the verdict is unknown. */
  readonly checkBudget: number;
  /** Extra environment for the nodes (e.g. LOG_LEVEL). */
  readonly nodeEnv: Readonly<Record<string, string>>;
}

export const DEFAULT_TEST_OPTIONS = {
  workload: "lin-kv",
  binArgs: [],
  nodeCount: 5,
  nodeIdBase: 0,
  rate: 5,
  timeLimitS: 60,
  nemesis: [],
  nemesisIntervalS: 10,
  latencyMs: 0,
  latencyDist: "constant",
  availability: null,
  strictReads: false,
  storeDir: "store",
  logStderr: false,
  checkBudget: 2_000_000,
  nodeEnv: {},
} as const satisfies Partial<TestOptions>;

/** A flag value that cannot be used; `flag` names it. */
export class TestOptionsError extends Error {
  override readonly name = "TestOptionsError";
  readonly code = "MAELSTROM_OPTIONS";
  constructor(
    readonly flag: string,
    reason: string,
  ) {
    super(`Invalid ${flag}: ${reason}`);
  }
}

/** With --node-count K Maelstrom names nodes n0 .. n(K-1) [doc≠src]; without it, n1 .. n5. */
export function nodeIds(nodeCount: number, base: 0 | 1 = 0): string[] {
  return Array.from({ length: nodeCount }, (_, i) => `n${i + base}`);
}

/** Client timeout: max(10 * latency, 1000) ms (maelstrom.core). */
export function clientTimeoutMs(options: Pick<TestOptions, "latencyMs">): number {
  return Math.max(10 * options.latencyMs, 1000);
}

/**
 * Parses Maelstrom's --concurrency: an integer, or "<k>n" meaning k times the node count.
 * @throws TestOptionsError for anything else.
 */
export function parseConcurrency(text: string, nodeCount: number): number {
  const match = /^(\d+)(n?)$/.exec(text.trim());
  if (match === null) throw new TestOptionsError("--concurrency", `expected an integer or <k>n, got "${text}"`);
  const k = Number(match[1]);
  return match[2] === "n" ? k * nodeCount : k;
}

/** @throws TestOptionsError naming the first unusable option. */
export function validateTestOptions(options: TestOptions): TestOptions {
  const positiveInt = (value: number, flag: string): void => {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TestOptionsError(flag, `must be a positive integer, got ${value}`);
    }
  };
  positiveInt(options.nodeCount, "--node-count");
  positiveInt(options.concurrency, "--concurrency");
  // linearizable-register's generator asserts this: each key group is 2N threads.
  if (options.concurrency % (2 * options.nodeCount) !== 0) {
    throw new TestOptionsError("--concurrency", `must be a multiple of 2 x node-count ` +
      `(${2 * options.nodeCount}) for lin-kv, got ${options.concurrency}`);
  }
  for (const [value, flag] of [
    [options.rate, "--rate"],
    [options.timeLimitS, "--time-limit"],
    [options.nemesisIntervalS, "--nemesis-interval"],
    [options.latencyMs, "--latency"],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) throw new TestOptionsError(flag, `must be >= 0, got ${value}`);
  }
  if (options.availability !== null && !(options.availability >= 0 && options.availability <= 1)) {
    throw new TestOptionsError("--availability", `must be "total" or a fraction in [0, 1]`);
  }
  positiveInt(options.checkBudget, "--check-budget");
  if (!Number.isSafeInteger(options.seed)) throw new TestOptionsError("--seed", `must be an integer`);
  return options;
}
