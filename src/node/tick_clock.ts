/**
 * How many core ticks a node runs, and when. By default one per timer fire: a stalled event loop
 * then only lengthens every timeout, which is safe when no correctness rests on time.
 *
 * In lease mode (§6.4.1, core/lease.ts) time carries safety, in both directions:
 * - the leader must never believe LESS time passed than did, or it would serve reads after its
 *   lease ran out. So ticks follow elapsed monotonic time (the host's clock, never wall time):
 *   a late timer fire runs every whole tick owed, and the node also catches up right before it
 *   asks whether its lease holds;
 * - a follower must never believe MORE time passed since it heard from the leader than did, or
 *   it would vote before its promise ran out. So it catches up before handling any message: a
 *   burst of owed ticks then lands before the leader's message, not after it.
 */
import { catchUpTicksMax, type NodeLimits } from "./config.js";

export interface TickClockOptions {
  readonly tickMs: number;
  /** Follow elapsed time (lease mode) rather than count timer fires. */
  readonly byElapsedTime: boolean;
  /** A cap on the ticks run at once; skipping more must be safe (config.ts catchUpTicksMax). */
  readonly catchUpTicksMax: number;
  /** Monotonic milliseconds (host.ts `nowMs`). */
  readonly nowMs: () => number;
}

export class TickClock {
  private readonly nowMs: () => number;
  private readonly startMs: number;
  /** Whole ticks of elapsed time already accounted for. */
  private accounted = 0;

  constructor(private readonly options: TickClockOptions) {
    this.nowMs = options.nowMs;
    this.startMs = this.nowMs();
  }

  /** The timer fired: the ticks to run now. */
  onTimer(): number {
    return this.options.byElapsedTime ? this.catchUp() : 1;
  }

  /** An input (a message, a lease read) is about to be handled: ticks owed until now. */
  beforeInput(): number {
    return this.options.byElapsedTime ? this.catchUp() : 0;
  }

  private catchUp(): number {
    const elapsed = Math.floor((this.nowMs() - this.startMs) / this.options.tickMs);
    const owed = elapsed - this.accounted;
    this.accounted = elapsed;
    return Math.min(owed, this.options.catchUpTicksMax);
  }
}

/** The clock a node with `limits` runs: by elapsed time in lease mode only. */
export function tickClockFor(limits: NodeLimits, nowMs: () => number): TickClock {
  return new TickClock({
    nowMs,
    tickMs: limits.tickMs,
    byElapsedTime: limits.readMode === "lease",
    catchUpTicksMax: catchUpTicksMax(limits),
  });
}
