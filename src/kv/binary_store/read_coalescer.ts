/**
 * Shares read barriers (§6.4) between concurrent reads, as etcd's linearizable read loop does:
 * at most one barrier is in flight; reads that arrive meanwhile wait together for the next one,
 * which starts when the current one settles. One quorum round then serves any number of reads,
 * instead of one heartbeat broadcast per read (ten pipelining clients used to turn every GET
 * into a round to each follower, starving the leader's timers until it lost its leadership).
 *
 * Linearizable: a read joins only a barrier that starts after the read was invoked, so the read
 * index that barrier captures covers every write that completed before the read began.
 */
export class ReadCoalescer {
  readonly #start: () => Promise<void>;
  #inFlight = false;
  /** The reads waiting for the next barrier, settled together. */
  #next: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null =
    null;

  /** `start` begins one read barrier (ClusterNode.readBarrier). */
  constructor(start: () => Promise<void>) {
    this.#start = start;
  }

  /** Resolves once a barrier that started after this call has completed. */
  barrier(): Promise<void> {
    if (!this.#inFlight) return this.#run(this.#start());
    if (this.#next === null) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
      this.#next = { promise, resolve, reject };
    }
    return this.#next.promise;
  }

  #run(barrier: Promise<void>): Promise<void> {
    this.#inFlight = true;
    const done = (): void => {
      this.#inFlight = false;
      const next = this.#next;
      if (next === null) return;
      this.#next = null;
      this.#run(this.#start()).then(next.resolve, next.reject);
    };
    barrier.then(done, done);
    return barrier;
  }
}
