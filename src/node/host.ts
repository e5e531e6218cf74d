/**
 * `RuntimeHost`: everything the runtime (src/node/, src/kv/) needs from the world outside
 * JavaScript's own semantics — a monotonic clock, timers, deferral to the next turn of the event
 * loop, and randomness — behind one injected object (STYLE.md rule 12). `realHost` is Node.js;
 * the simulator passes a host whose time is virtual and whose randomness is seeded, so it runs
 * the shipped runtime, not a copy, and replays any run from its seed.
 *
 * This is the only file under src/node/ and src/kv/ that may touch a clock, a timer or a random
 * source (src/tidy.test.ts enforces it); test support under `testing/` is exempt.
 */
import { randomBytes, randomInt } from "node:crypto";

/** A scheduled timer; `cancel` is idempotent. */
export interface TimerHandle {
  cancel(): void;
}

export interface RuntimeHost {
  /** Monotonic milliseconds (never wall time): only differences mean anything. */
  nowMs(): number;
  /**
   * Wall-clock milliseconds since the Unix epoch, for what users express in calendar time
   * (TTLs, EXPIREAT, TIME). It may jump; the store stamps it into log entries and never lets the
   * replicated time go backwards (kv/redis/).
   */
  wallClockMs(): number;
  /** Calls `fn` once, `delayMs` from now. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  /** Calls `fn` every `periodMs` until cancelled. */
  setRepeating(periodMs: number, fn: () => void): TimerHandle;
  /** Calls `fn` on a later turn, after the current one's promise reactions (setImmediate). */
  defer(fn: () => void): void;
  /** A uniformly random integer in [0, max); `max` at most 2^48. */
  drawInt(max: number): number;
  /** `n` random bytes. */
  drawBytes(n: number): Uint8Array;
}

/** Node.js: performance.now, setTimeout/setInterval, setImmediate, node:crypto. */
export const realHost: RuntimeHost = {
  nowMs: () => performance.now(),
  wallClockMs: () => Date.now(),
  setTimer(delayMs, fn) {
    const timer = setTimeout(fn, delayMs);
    return { cancel: () => { clearTimeout(timer); } };
  },
  setRepeating(periodMs, fn) {
    const timer = setInterval(fn, periodMs);
    return { cancel: () => { clearInterval(timer); } };
  },
  defer(fn) {
    setImmediate(fn);
  },
  drawInt: (max) => randomInt(max),
  drawBytes: (n) => new Uint8Array(randomBytes(n)),
};
