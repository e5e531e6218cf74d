/**
 * The dashboard's sparklines, from the same numbers as `/metrics`: every sample reads
 * `raft_proposals_total{result="committed"}` and the `raft_commit_latency_seconds` histogram
 * from the node's registry, and turns the change since the previous sample into a rate and
 * latency quantiles (estimated from the bucket counts, as Prometheus's histogram_quantile does).
 * Applied entries per second come from the node's applied index.
 */
import type { Registry } from "prom-client";

export interface SeriesSample {
  readonly atMs: number;
  /** Proposals made on this node that committed, per second, since the previous sample. */
  readonly committedPerSec: number;
  /** Entries this node applied per second (every replica applies every entry). */
  readonly appliedPerSec: number;
  /** Commit latency quantiles of the proposals settled since the previous sample; null: none. */
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
}

export const SERIES_SAMPLES_MAX = 60;

/** Cumulative histogram counts by upper bound, plus the committed count. */
export interface MetricReading {
  readonly committed: number;
  /** [upper bound in seconds, cumulative count], ascending; the last bound is +Inf. */
  readonly buckets: readonly (readonly [number, number])[];
}

interface MetricValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number | undefined>>;
  readonly metricName?: string;
}

/** Reads the two metric families; absent families read as zero. */
export async function readMetrics(registry: Registry): Promise<MetricReading> {
  const proposals = registry.getSingleMetric("raft_proposals_total");
  const latency = registry.getSingleMetric("raft_commit_latency_seconds");
  const proposalValues = proposals === undefined ? [] : (await proposals.get()).values;
  const latencyValues = latency === undefined ? [] : (await latency.get()).values;
  const committed = (proposalValues as readonly MetricValue[])
    .filter((v) => v.labels["result"] === "committed")
    .reduce((sum, v) => sum + v.value, 0);
  const buckets: [number, number][] = [];
  for (const v of latencyValues as readonly MetricValue[]) {
    if (v.metricName?.endsWith("_bucket") !== true) continue;
    const le = v.labels["le"];
    buckets.push([le === "+Inf" ? Infinity : Number(le), v.value]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  return { committed, buckets };
}

/**
 * The `q` quantile (0..1) of the observations between two readings, in ms, by linear
 * interpolation inside the bucket it falls in; null when nothing was observed.
 */
export function quantileMs(
  before: MetricReading, after: MetricReading, q: number,
): number | null {
  const counts = after.buckets.map(([le, count], i) => {
    const earlier = before.buckets[i];
    return [le, count - (earlier !== undefined && earlier[0] === le ? earlier[1] : 0)] as const;
  });
  const total = counts.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of counts) {
    if (count >= rank) {
      // Past the last finite bound there is nothing to interpolate to: report that bound.
      if (!Number.isFinite(le)) return lowerBound * 1000;
      const inBucket = count - lowerCount;
      const fraction = inBucket <= 0 ? 1 : (rank - lowerCount) / inBucket;
      return (lowerBound + (le - lowerBound) * fraction) * 1000;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound * 1000;
}

/** A bounded series of samples, each computed from the reading before it. */
export class Series {
  private readonly samples: SeriesSample[] = [];
  private previous: { atMs: number; applied: number; reading: MetricReading } | null = null;

  constructor(private readonly samplesMax = SERIES_SAMPLES_MAX) {}

  add(atMs: number, applied: number, reading: MetricReading): void {
    const previous = this.previous;
    this.previous = { atMs, applied, reading };
    if (previous === null || atMs <= previous.atMs) return;
    const seconds = (atMs - previous.atMs) / 1000;
    this.samples.push({
      atMs,
      committedPerSec: Math.max(0, reading.committed - previous.reading.committed) / seconds,
      appliedPerSec: Math.max(0, applied - previous.applied) / seconds,
      latencyP50Ms: quantileMs(previous.reading, reading, 0.5),
      latencyP99Ms: quantileMs(previous.reading, reading, 0.99),
    });
    if (this.samples.length > this.samplesMax) this.samples.shift();
  }

  recent(): readonly SeriesSample[] {
    return this.samples;
  }
}
