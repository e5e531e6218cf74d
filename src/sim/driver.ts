/**
 * Runs the simulation's event loop on Node's own: one simulated event per `setImmediate`
 * callback, so the promise reactions an event starts (the runtime's Ready loop awaiting a save,
 * a client's `await`) all run before the next event, exactly as between two I/O callbacks of a
 * real process. Callbacks are queued in batches, which costs a fraction of a microsecond each;
 * awaiting a fresh macrotask per event would cost several.
 *
 * Determinism: nothing else schedules work on the simulated objects, so the interleaving of
 * events and promise reactions depends only on the seed.
 */
const BATCH = 256;

/**
 * Calls `step` once per turn until it returns false (resolves) or throws (rejects).
 */
export function drive(step: () => boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let finished = false;
    let queued = 0;
    const one = (): void => {
      if (finished) return;
      let more: boolean;
      try {
        more = step();
      } catch (error: unknown) {
        finished = true;
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (!more) {
        finished = true;
        resolve();
        return;
      }
      if (--queued === 0) enqueue();
    };
    const enqueue = (): void => {
      queued = BATCH;
      for (let i = 0; i < BATCH; i++) setImmediate(one);
    };
    enqueue();
  });
}
