/** The short human summary of one test (summary.txt, and what the CLI prints). */
import type { TestOptions } from "./options.js";
import type { Percentiles } from "./results.js";
import { verdictLine } from "./results.js";
import type { TestResults } from "./run_test.js";

function pct(p: Percentiles | undefined): string {
  if (p === undefined || p.count === 0) return "none";
  return `p50 ${p.p50}  p90 ${p.p90}  p95 ${p.p95}  p99 ${p.p99}  max ${p.max}`;
}

export function summarize(options: TestOptions, results: TestResults, dir: string): string {
  const { stats, availability, perf, workload, nemesis, net, error } = results;
  const nemesisText = options.nemesis.length === 0
    ? "none"
    : `partition every ~${options.nemesisIntervalS} s`;
  const target = availability.target === null ? "" : ` (target ${availability.target})`;
  const shapes = Object.keys(nemesis.shapes).length === 0 ? "" : ` ${JSON.stringify(nemesis.shapes)}`;
  const servers = net.servers as Record<string, number> | undefined;
  const statsText = stats["valid?"] ? "valid" : "INVALID (some f never succeeded)";
  const lines = [
    `lin-kv: ${options.nodeCount} nodes, concurrency ${options.concurrency}, ` +
      `rate ${options.rate}/s, ${options.timeLimitS} s, nemesis ${nemesisText}, ` +
      `latency ${options.latencyMs} ms ${options.latencyDist}, seed ${options.seed}`,
    `ops: ${stats.count} (ok ${stats["ok-count"]}, fail ${stats["fail-count"]}, ` +
      `info ${stats["info-count"]}); ` +
      `availability ${(availability["ok-fraction"] * 100).toFixed(1)}% ok${target}`,
    `latency ms of ok ops: ${pct(perf["ok-all"])}`,
    `partitions: ${nemesis.partitions}${shapes}; ` +
      `inter-node messages ${String(servers?.["send-count"] ?? 0)}, ` +
      `${String(net["msgs-per-op"])} per op`,
    `stats: ${statsText}; workload: ${describeWorkload(workload)}`,
  ];
  if (error !== null) lines.push(`ERROR: ${error.message}`);
  lines.push(`results in ${dir}`, verdictLine(results["valid?"]));
  return lines.join("\n") + "\n";
}

function describeWorkload(workload: TestResults["workload"]): string {
  const verdict = String(workload.verdict);
  if (workload.verdict === "not-linearizable") {
    const counterexample = workload.counterexample as { explanation?: unknown } | undefined;
    const explanation = counterexample?.explanation;
    if (typeof explanation !== "string") return `NOT linearizable on key ${String(workload.key)}`;
    return `NOT linearizable on key ${String(workload.key)}: ${explanation}`;
  }
  if (workload.verdict === "unknown" || workload.verdict === "error") {
    return `${verdict}: ${String(workload.reason)}`;
  }
  return `${verdict} (${String(workload.ops)} ops, ${String(workload.keys)} keys)`;
}
