/**
 * Conditions that cluster operations wait for (a config entry applied, a learner caught up, a
 * new leader seen), re-checked whenever something they depend on may have changed: on every
 * tick and on the node's applied and leaderChange events. No timers or sleeps: a deadline is
 * checked on the tick, so its resolution is one tick.
 */

/** Returns the value to resolve with, null to keep waiting, or throws to reject. */
export type WaitCheck<T> = () => T | null;

interface Waiter {
  /** Returns true once settled. */
  readonly poll: (nowMs: number) => boolean;
  readonly reject: (error: Error) => void;
}

export class Waiters {
  private readonly waiting = new Set<Waiter>();

  /** @param nowMs the host's monotonic clock (host.ts), which deadlines are measured on. */
  constructor(private readonly nowMs: () => number) {}

  /** How many operations are waiting. */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Resolves with `check`'s first non-null value; rejects with what it throws, or with
   * `onTimeout()` once `deadlineMs` (the `nowMs` clock) passed. Checks once at once.
   */
  wait<T>(check: WaitCheck<T>, deadlineMs: number, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        poll: (nowMs) => {
          let value: T | null;
          try {
            value = check();
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
            return true;
          }
          if (value !== null) {
            resolve(value);
            return true;
          }
          if (nowMs < deadlineMs) return false;
          reject(onTimeout());
          return true;
        },
        reject,
      };
      if (!waiter.poll(this.nowMs())) this.waiting.add(waiter);
    });
  }

  /** The deadline `timeoutMs` from now, on this clock. */
  deadlineAfter(timeoutMs: number): number {
    return this.nowMs() + timeoutMs;
  }

  /** Re-checks every waiting condition. */
  poll(): void {
    if (this.waiting.size === 0) return;
    const nowMs = this.nowMs();
    for (const waiter of [...this.waiting]) {
      if (waiter.poll(nowMs)) this.waiting.delete(waiter);
    }
  }

  /** The node stopped: nothing will change any more. */
  rejectAll(error: () => Error): void {
    for (const waiter of this.waiting) waiter.reject(error());
    this.waiting.clear();
  }
}
