/**
 * Reconnect delays: exponential growth from `initialMs`, capped at `maxMs`, with "equal jitter"
 * (half fixed, half random) so peers that lost a node at the same instant do not redial it in
 * lockstep, while every delay stays at least half the exponential value. The random source is
 * injected (STYLE.md rule 12) so tests are deterministic.
 */
import type { Rng } from "../core/index.js";
import { type BackoffOptions, validateBackoff } from "./limits.js";

export class Backoff {
  private failures = 0;

  /** @throws ConfigError if the options are invalid. */
  constructor(
    private readonly options: BackoffOptions,
    private readonly rng: Pick<Rng, "nextFloat">,
  ) {
    validateBackoff(options);
  }

  /** The delay before the next attempt; each call counts one more consecutive failure. */
  nextDelayMs(): number {
    const exponent = Math.min(this.failures, 30);
    const ceiling = Math.min(this.options.maxMs, this.options.initialMs * 2 ** exponent);
    this.failures += 1;
    const half = ceiling / 2;
    return Math.round(half + this.rng.nextFloat() * half);
  }

  /** A connection succeeded: the next failure starts from `initialMs` again. */
  reset(): void {
    this.failures = 0;
  }
}

/** The default jitter source; tests and the simulator inject a seeded one instead. */
export const mathRandom: Pick<Rng, "nextFloat"> = { nextFloat: () => Math.random() };
