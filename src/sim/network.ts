/**
 * The simulated network between nodes: every message gets a delay drawn from the run's
 * distribution; it may be lost or duplicated; without the `reorder` fault each directed link is
 * FIFO (a message is never delivered before one sent earlier on the same link). Partitions are
 * a grudge consulted at delivery time, as in Maelstrom. Clients do not use this network.
 */
import type { SeededRng } from "../core/rng.js";
import type { FaultPlan } from "./faults.js";
import { openLinks, type LinkMatrix } from "../check/partitions.js";

export class SimNetwork {
  private grudge: LinkMatrix;
  /** The latest delivery time scheduled on each directed link, for FIFO without reordering. */
  private readonly lastDeliveryNs: number[][];
  /** Arrival times written by `route`. */
  readonly arrivalsNs: number[] = [0, 0];
  sent = 0;
  lost = 0;
  duplicated = 0;
  blocked = 0;

  constructor(
    private readonly n: number,
    private readonly plan: FaultPlan,
    private readonly rng: SeededRng,
  ) {
    this.grudge = openLinks(n);
    this.lastDeliveryNs = openLinks(n).map((row) => row.map(() => 0));
  }

  /** One delay sample from the run's distribution, in ns (always >= the minimum). */
  sampleDelayNs(): number {
    const { dist, minNs, meanNs } = this.plan.delay;
    const spread = Math.max(0, meanNs - minNs);
    const extra =
      dist === "uniform"
        ? this.rng.nextFloat() * 2 * spread
        : -Math.log(1 - this.rng.nextFloat()) * spread;
    return minNs + Math.round(extra);
  }

  /**
   * Routes a message sent now from `from` to `to`: returns how many copies arrive (0 when it is
   * lost, 2 when it is duplicated), their times in `arrivalsNs[0..count)`. The grudge is applied
   * later, by `isBlocked` at delivery. (No array per message: this runs for every message.)
   */
  route(nowNs: number, from: number, to: number): number {
    this.sent++;
    if (this.plan.lossRate > 0 && this.rng.nextFloat() < this.plan.lossRate) {
      this.lost++;
      return 0;
    }
    const dup = this.plan.duplicateRate > 0 && this.rng.nextFloat() < this.plan.duplicateRate;
    const copies = dup ? 2 : 1;
    if (dup) this.duplicated++;
    for (let c = 0; c < copies; c++) {
      let at = nowNs + this.sampleDelayNs();
      if (!this.plan.reorder) {
        const row = this.lastDeliveryNs[from];
        const last = row?.[to] ?? 0;
        if (at < last) at = last;
        if (row !== undefined) row[to] = at;
      }
      this.arrivalsNs[c] = at;
    }
    return copies;
  }

  /** True when `to` currently discards messages from `from` (counted as blocked). */
  isBlocked(from: number, to: number): boolean {
    const blocked = this.grudge[to]?.[from] === true;
    if (blocked) this.blocked++;
    return blocked;
  }

  setGrudge(grudge: LinkMatrix): void {
    this.grudge = grudge;
  }

  heal(): void {
    this.grudge = openLinks(this.n);
  }
}
