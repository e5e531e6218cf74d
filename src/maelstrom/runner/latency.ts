/**
 * Message latency of Maelstrom's simulated network (maelstrom.net, docs/maelstrom.md §3):
 * traffic to or from clients is instant; node-to-node messages get `--latency` ms drawn from
 * `--latency-dist`. Non-constant distributions reorder messages.
 */
import type { Rng } from "../../core/rng.js";

export const latencyDists = ["constant", "uniform", "exponential"] as const;
export type LatencyDist = (typeof latencyDists)[number];

export function isLatencyDist(value: string): value is LatencyDist {
  return (latencyDists as readonly string[]).includes(value);
}

/** One latency sample in milliseconds for a node-to-node message. */
export function sampleLatencyMs(dist: LatencyDist, meanMs: number, rng: Rng): number {
  if (meanMs <= 0) return 0;
  switch (dist) {
    case "constant":
      return meanMs;
    case "uniform":
      // (long (rand (* 2 mean))): an integer in [0, 2 * mean).
      return Math.floor(rng.nextFloat() * 2 * meanMs);
    case "exponential":
      return -meanMs * Math.log(1 - rng.nextFloat());
    default:
      return assertNeverDist(dist);
  }
}

function assertNeverDist(dist: never): never {
  throw new Error(`Unknown latency distribution ${JSON.stringify(dist)}`);
}
