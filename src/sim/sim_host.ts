/**
 * The runtime's host (src/node/host.ts) in virtual time, one per node incarnation: its clock is
 * the simulation's, its timers and deferrals are events on the simulation's queue (so they wait
 * while the node is paused, and vanish when it crashes), and its randomness is seeded.
 *
 * Clock skew (the `skew` fault) stretches the node's repeating timer, as a loaded machine fires
 * its timers late; the clock itself stays true, so a lease-mode node, which counts ticks by
 * elapsed time (node/tick_clock.ts), catches up exactly as on a real machine.
 */
import type { SeededRng } from "../core/rng.js";
import type { RuntimeHost, TimerHandle } from "../node/host.js";

const NS_PER_MS = 1_000_000;

/** One scheduled callback of a host; skipped once cancelled or once its host is dead. */
export class HostTask implements TimerHandle {
  cancelled = false;

  constructor(
    private readonly host: SimHost,
    private readonly fn: () => void,
    /** Set for a repeating timer: the period after which it fires again. */
    private readonly periodNs: number | null = null,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }

  /** Whether running it would do anything (its host lives, and it was not cancelled). */
  get live(): boolean {
    return !this.cancelled && this.host.alive;
  }

  /** A repeating timer re-arms before running, as setInterval does. */
  run(): void {
    if (!this.live) return;
    if (this.periodNs !== null) this.host.scheduleTask(this.periodNs, this);
    this.fn();
  }
}

export interface HostQueue {
  nowNs(): number;
  /** Queues `task` for node `node` at `atNs`: a node event, held while the node is paused. */
  push(node: number, atNs: number, task: HostTask): void;
  /** Queues `task` to run now, after the current event's promise reactions (setImmediate). */
  defer(node: number, task: HostTask): void;
}

/** 2026-01-01T00:00:00Z: where every simulated run's wall clock starts. */
const SIM_EPOCH_MS = 1_767_225_600_000;

export class SimHost implements RuntimeHost {
  /** False once the incarnation crashed: its tasks are dropped. */
  alive = true;

  constructor(
    private readonly node: number,
    private readonly queue: HostQueue,
    private readonly rng: SeededRng,
    /** Repeating timers fire this many times later than asked (clock skew, >= 1). */
    private readonly stretch: number,
  ) {}

  nowMs(): number {
    return this.queue.nowNs() / NS_PER_MS;
  }

  /** Virtual wall time: a fixed epoch plus virtual time, the same on every simulated node. */
  wallClockMs(): number {
    return SIM_EPOCH_MS + Math.floor(this.nowMs());
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.afterNs(Math.max(0, Math.round(delayMs * NS_PER_MS)), fn);
  }

  setRepeating(periodMs: number, fn: () => void): TimerHandle {
    const periodNs = Math.max(1, Math.round(periodMs * NS_PER_MS * this.stretch));
    const task = new HostTask(this, fn, periodNs);
    this.scheduleTask(periodNs, task);
    return task;
  }

  defer(fn: () => void): void {
    this.queue.defer(this.node, new HostTask(this, fn));
  }

  /** The incarnation crashed: none of its tasks runs any more. */
  kill(): void {
    this.alive = false;
  }

  drawInt(max: number): number {
    return this.rng.nextInt(max);
  }

  drawBytes(n: number): Uint8Array {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = this.rng.nextInt(256);
    return bytes;
  }

  /** Runs `fn` `delayNs` from now (exact nanoseconds, for the simulated disk). */
  afterNs(delayNs: number, fn: () => void): HostTask {
    const task = new HostTask(this, fn);
    this.scheduleTask(delayNs, task);
    return task;
  }

  scheduleTask(delayNs: number, task: HostTask): void {
    this.queue.push(this.node, this.queue.nowNs() + delayNs, task);
  }
}
