/**
 * The partition nemesis's schedule (jepsen.nemesis.combined as Maelstrom configures it,
 * docs/maelstrom.md §3 and §7.4): start-partition and stop-partition alternate, spaced by
 * U[0, 2 x interval) seconds, the first start at t = 0; each start picks one of the four shapes
 * uniformly. Every event is recorded in the history. The caller heals at the end.
 */
import type { Rng } from "../../core/rng.js";
import type { Network } from "./network.js";
import { combinedShapes, grudgeToJson, partitionGrudge, type PartitionShape } from "../../check/partitions.js";
import type { Clock, Recorder } from "./recorder.js";
import { sleepMs } from "./sleep.js";

export interface NemesisDeps {
  readonly nodes: readonly string[];
  readonly network: Network;
  readonly rng: Rng;
  readonly clock: Clock;
  readonly recorder: Recorder;
  readonly signal: AbortSignal;
  readonly intervalS: number;
}

export interface NemesisSummary {
  readonly partitions: number;
  readonly shapes: Partial<Record<PartitionShape, number>>;
}

/** Runs the schedule until `endMs`; returns what it did. */
export async function runPartitionNemesis(deps: NemesisDeps, endMs: number): Promise<NemesisSummary> {
  const { nodes, network, rng, clock, recorder, signal, intervalS } = deps;
  const shapes: Partial<Record<PartitionShape, number>> = {};
  let partitions = 0;
  let partitioned = false;
  while (!signal.aborted && clock.nowMs() < endMs) {
    if (partitioned) {
      healPartition(network, recorder);
    } else {
      const shape = combinedShapes[rng.nextInt(combinedShapes.length)] as PartitionShape;
      recorder.nemesis("start-partition", shape);
      const grudge = partitionGrudge(shape, nodes, rng);
      network.setGrudge(grudge);
      recorder.nemesis("start-partition", { shape, isolated: grudgeToJson(grudge) });
      shapes[shape] = (shapes[shape] ?? 0) + 1;
      partitions++;
    }
    partitioned = !partitioned;
    const gapMs = rng.nextFloat() * 2 * intervalS * 1000;
    await sleepMs(Math.min(gapMs, endMs - clock.nowMs()), signal);
  }
  return { partitions, shapes };
}

/** Clears every partition and records it (a stop-partition invoke and its completion). */
export function healPartition(network: Network, recorder: Recorder): void {
  recorder.nemesis("stop-partition", null);
  network.heal();
  recorder.nemesis("stop-partition", "network-healed");
}
