/**
 * How late the event loop runs timers: a repeating timer of `resolutionMs` records, each time it
 * fires, how much later than due it ran. The node's Raft tick is such a timer, so on a leader
 * this is its tick lateness: each heartbeat goes out at most this much after heartbeatIntervalMs.
 * Client work that blocks the loop shows here first. Fed to a Prometheus histogram (never reset,
 * so any number of scrapers can diff it) and kept as a running maximum.
 */
export class LoopDelay {
  readonly #timer: NodeJS.Timeout;
  #maxSeconds = 0;

  /** `observe` receives each lateness in seconds. */
  constructor(observe: (seconds: number) => void, resolutionMs = 10) {
    let last = performance.now();
    this.#timer = setInterval(() => {
      const now = performance.now();
      const lateSeconds = Math.max(0, now - last - resolutionMs) / 1000;
      last = now;
      this.#maxSeconds = Math.max(this.#maxSeconds, lateSeconds);
      observe(lateSeconds);
    }, resolutionMs);
    this.#timer.unref();
  }

  /** The largest lateness seen since start. */
  get maxSeconds(): number {
    return this.#maxSeconds;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
