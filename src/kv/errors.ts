/**
 * The typed errors the replicated key-value store throws besides the core's (`NotLeaderError`,
 * `ProposalDroppedError`, `UncommittedBytesExceededError`). They live here, below the front
 * ends, so both the store (`replicated_kv.ts`) and the front ends (`src/server/errors.ts`
 * re-exports them) use the same classes. Callers branch on `code`, never on message text
 * (STYLE.md rule 10).
 */

export abstract class KvServiceError extends Error {
  abstract readonly code: string;
  /** True when the operation certainly did not and will not take effect. */
  abstract readonly definite: boolean;
}

/** A write that may have entered the log is the runtime's one "outcome unknown" error. */
export { OutcomeUnknownError } from "../node/errors.js";

/** A key or value is larger than the store accepts; nothing was written. */
export class ValueTooLargeError extends KvServiceError {
  override readonly name = "ValueTooLargeError";
  readonly code = "VALUE_TOO_LARGE";
  readonly definite = true;
  constructor(readonly what: "key" | "value", readonly bytes: number, readonly bytesMax: number) {
    super(`The ${what} is ${bytes} bytes, more than the limit of ${bytesMax} bytes`);
  }
}

/** INCR/INCRBY on a value that is not a decimal signed 64-bit integer. */
export class NotIntegerError extends KvServiceError {
  override readonly name = "NotIntegerError";
  readonly code = "NOT_INTEGER";
  readonly definite = true;
  constructor() {
    super("value is not an integer or out of range");
  }
}

/** INCR/INCRBY whose result would leave the signed 64-bit range. */
export class IntegerOverflowError extends KvServiceError {
  override readonly name = "IntegerOverflowError";
  readonly code = "INTEGER_OVERFLOW";
  readonly definite = true;
  constructor() {
    super("increment or decrement would overflow");
  }
}

/** A string operation (HTTP GET/PUT-style, INCR) on a key that holds a hash, list, set or zset. */
export class WrongTypeError extends KvServiceError {
  override readonly name = "WrongTypeError";
  readonly code = "WRONGTYPE";
  readonly definite = true;
  constructor() {
    super("Operation against a key holding the wrong kind of value");
  }
}
