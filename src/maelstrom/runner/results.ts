/**
 * The analysis that results.edn composes (docs/maelstrom.md §6-§7.7), mirrored as
 * results.json: the workload's linearizability verdict, `stats` (invalid when some f never
 * succeeded), `availability`, `perf` (latency percentiles), `net` and `exceptions`, merged with
 * Jepsen's rule false > unknown > true; plus the console verdict and exit status.
 */
import type { CheckResult } from "../../check/index.js";
import type { NemesisSummary } from "./nemesis.js";
import type { NetStats } from "./network.js";
import type { OpRecord } from "./recorder.js";

export type Validity = true | false | "unknown";

/** Jepsen's merge: any false makes the whole false; else any unknown makes it unknown. */
export function mergeValidity(values: readonly Validity[]): Validity {
  if (values.includes(false)) return false;
  if (values.includes("unknown")) return "unknown";
  return true;
}

/** Maelstrom's exit status: 0 valid, 1 invalid, 2 unknown. */
export function exitCodeOf(valid: Validity): 0 | 1 | 2 {
  if (valid === true) return 0;
  return valid === false ? 1 : 2;
}

export function verdictLine(valid: Validity): string {
  if (valid === true) return "Everything looks good! ヽ(‘ー`)ノ";
  if (valid === false) return "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻";
  return "Errors occurred during analysis, but no anomalies found. ಠ~ಠ";
}

interface Counts {
  "valid?": boolean;
  count: number;
  "ok-count": number;
  "fail-count": number;
  "info-count": number;
}

function countOps(ops: readonly OpRecord[]): Counts {
  const okCount = ops.filter((op) => op.maelstromType === "ok").length;
  return {
    "valid?": okCount > 0,
    count: ops.length,
    "ok-count": okCount,
    "fail-count": ops.filter((op) => op.maelstromType === "fail").length,
    "info-count": ops.filter((op) => op.maelstromType === "info").length,
  };
}

/** jepsen.checker/stats: counts overall and by f; invalid if some f never succeeded. */
export function statsOf(ops: readonly OpRecord[]): Counts & { "by-f": Record<string, Counts> } {
  const byF: Record<string, Counts> = {};
  for (const f of ["read", "write", "cas"] as const) {
    const ofF = ops.filter((op) => op.f === f);
    if (ofF.length > 0) byF[f] = countOps(ofF);
  }
  const all = countOps(ops);
  return { ...all, "valid?": Object.values(byF).every((counts) => counts["valid?"]), "by-f": byF };
}

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of `valuesMs`, rounded to 0.1 ms. */
export function percentiles(valuesMs: readonly number[]): Percentiles {
  const sorted = [...valuesMs].sort((a, b) => a - b);
  const at = (q: number): number => {
    if (sorted.length === 0) return 0;
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return Math.round((sorted[rank] ?? 0) * 10) / 10;
  };
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), max: at(1) };
}

function latencyMs(op: OpRecord): number {
  return (op.completeNs - op.invokeNs) / 1e6;
}

/** Latency of successful operations, overall and by f (Maelstrom's perf graphs, as numbers). */
export function perfOf(ops: readonly OpRecord[]): Record<string, Percentiles> {
  const ok = ops.filter((op) => op.maelstromType === "ok");
  const out: Record<string, Percentiles> = { "ok-all": percentiles(ok.map(latencyMs)) };
  for (const f of ["read", "write", "cas"] as const) {
    out[`ok-${f}`] = percentiles(ok.filter((op) => op.f === f).map(latencyMs));
  }
  out["all-completed"] = percentiles(ops.map(latencyMs));
  return out;
}

export interface Availability {
  "valid?": boolean;
  "ok-fraction": number;
  target: number | null;
}

export function availabilityOf(ops: readonly OpRecord[], target: number | null): Availability {
  const okFraction = ops.length === 0 ? 0 : ops.filter((op) => op.maelstromType === "ok").length / ops.length;
  return { "valid?": target === null || okFraction >= target, "ok-fraction": okFraction, target };
}

export function workloadOf(check: CheckResult | { readonly verdict: "error"; readonly reason: string }): {
  "valid?": Validity;
  [field: string]: unknown;
} {
  switch (check.verdict) {
    case "linearizable":
      return { "valid?": true, ...check };
    case "not-linearizable":
      return { "valid?": false, ...check };
    case "unknown":
    case "error":
      return { "valid?": "unknown", ...check };
    default:
      return assertNeverVerdict(check);
  }
}

function assertNeverVerdict(check: never): never {
  throw new Error(`Unknown verdict ${JSON.stringify(check)}`);
}

export function netOf(stats: NetStats, opCount: number): Record<string, unknown> {
  const toJson = (counts: NetStats["all"]): Record<string, number> => ({
    "send-count": counts.sendCount,
    "recv-count": counts.recvCount,
    "drop-count": counts.dropCount,
  });
  return {
    "valid?": true,
    all: toJson(stats.all),
    clients: toJson(stats.clients),
    servers: toJson(stats.servers),
    "msgs-per-op": opCount === 0 ? 0 : Math.round((stats.servers.sendCount / opCount) * 100) / 100,
  };
}

export function exceptionsOf(ops: readonly OpRecord[]): Record<string, unknown> {
  const exceptions = ops.filter((op) => op.exception !== undefined);
  return {
    "valid?": true,
    count: exceptions.length,
    examples: exceptions.slice(0, 10).map((op) => ({ process: op.process, f: op.f, exception: op.exception })),
  };
}

export type { NemesisSummary };
