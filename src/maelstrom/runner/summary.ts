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
  const lines = [
    `lin-kv: ${options.nodeCount} nodes, concurrency ${options.concurrency}, rate ${options.rate}/s, ` +
      `${options.timeLimitS} s, nemesis ${options.nemesis.length === 0 ? "none" : `partition every ~${options.nemesisIntervalS} s`}, ` +
      `latency ${options.latencyMs} ms ${options.latencyDist}, seed ${options.seed}`,
    `ops: ${stats.count} (ok ${stats["ok-count"]}, fail ${stats["fail-count"]}, info ${stats["info-count"]}); ` +
      `availability ${(availability["ok-fraction"] * 100).toFixed(1)}% ok` +
      (availability.target === null ? "" : ` (target ${availability.target})`),
    `latency ms of ok ops: ${pct(perf["ok-all"])}`,
    `partitions: ${nemesis.partitions}${Object.keys(nemesis.shapes).length === 0 ? "" : ` ${JSON.stringify(nemesis.shapes)}`}; ` +
      `inter-node messages ${String(net.servers === undefined ? 0 : (net.servers as Record<string, number>)["send-count"])}, ` +
      `${String(net["msgs-per-op"])} per op`,
    `stats: ${stats["valid?"] ? "valid" : "INVALID (some f never succeeded)"}; workload: ${describeWorkload(workload)}`,
  ];
  if (error !== null) lines.push(`ERROR: ${error.message}`);
  lines.push(`results in ${dir}`, verdictLine(results["valid?"]));
  return lines.join("\n") + "\n";
}

function describeWorkload(workload: TestResults["workload"]): string {
  const verdict = String(workload.verdict);
  if (workload.verdict === "not-linearizable") {
    const counterexample = workload.counterexample as { explanation?: unknown } | undefined;
    const explanation = typeof counterexample?.explanation === "string" ? counterexample.explanation : "";
    return `NOT linearizable on key ${String(workload.key)}: ${explanation}`;
  }
  if (workload.verdict === "unknown" || workload.verdict === "error") return `${verdict}: ${String(workload.reason)}`;
  return `${verdict} (${String(workload.ops)} ops, ${String(workload.keys)} keys)`;
}
