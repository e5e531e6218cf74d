/**
 * The typed errors a `KvService` may throw besides the core's (`NotLeaderError`,
 * `ProposalDroppedError`, `UncommittedBytesExceededError`), and `classifyError`, which turns any
 * thrown value into one `KnownError` so that each front end maps errors to its protocol in one
 * table (`resp/error_replies.ts`, `http/error_responses.ts`). Callers branch on `code`, never on
 * message text (STYLE.md rule 10).
 */
import {
  NotLeaderError,
  ProposalDroppedError,
  UncommittedBytesExceededError,
} from "../core/index.js";
import { RemovedFromClusterError } from "../node/errors.js";

// The store's error classes live in src/kv/errors.ts so the replicated store (kv layer) and the
// front ends throw and recognise the same classes; re-exported here for the front ends.
import {
  IntegerOverflowError,
  NotIntegerError,
  OutcomeUnknownError,
  ValueTooLargeError,
  WrongTypeError,
} from "../kv/errors.js";

export {
  IntegerOverflowError,
  KvServiceError,
  NotIntegerError,
  OutcomeUnknownError,
  ValueTooLargeError,
  WrongTypeError,
} from "../kv/errors.js";

/**
 * Every error a front end knows how to present, as a union on `code`. `INTERNAL` is anything
 * else: a bug, reported as an unknown outcome because nothing proves the command did not apply.
 */
export type KnownError =
  | { readonly code: "NOT_LEADER"; readonly error: NotLeaderError }
  | { readonly code: "PROPOSAL_DROPPED"; readonly error: ProposalDroppedError }
  | { readonly code: "UNCOMMITTED_BYTES_EXCEEDED"; readonly error: UncommittedBytesExceededError }
  | { readonly code: "UNKNOWN_OUTCOME"; readonly error: OutcomeUnknownError }
  | { readonly code: "VALUE_TOO_LARGE"; readonly error: ValueTooLargeError }
  | { readonly code: "NOT_INTEGER"; readonly error: NotIntegerError }
  | { readonly code: "INTEGER_OVERFLOW"; readonly error: IntegerOverflowError }
  | { readonly code: "WRONGTYPE"; readonly error: WrongTypeError }
  | { readonly code: "REMOVED"; readonly error: RemovedFromClusterError }
  | { readonly code: "INTERNAL"; readonly error: unknown };

export type KnownErrorCode = KnownError["code"];

/** Sorts a thrown value into the union the front ends' error tables are keyed by. */
export function classifyError(error: unknown): KnownError {
  if (error instanceof NotLeaderError) return { code: "NOT_LEADER", error };
  if (error instanceof ProposalDroppedError) return { code: "PROPOSAL_DROPPED", error };
  if (error instanceof UncommittedBytesExceededError) {
    return { code: "UNCOMMITTED_BYTES_EXCEEDED", error };
  }
  if (error instanceof OutcomeUnknownError) return { code: "UNKNOWN_OUTCOME", error };
  if (error instanceof ValueTooLargeError) return { code: "VALUE_TOO_LARGE", error };
  if (error instanceof NotIntegerError) return { code: "NOT_INTEGER", error };
  if (error instanceof IntegerOverflowError) return { code: "INTEGER_OVERFLOW", error };
  if (error instanceof WrongTypeError) return { code: "WRONGTYPE", error };
  if (error instanceof RemovedFromClusterError) return { code: "REMOVED", error };
  return { code: "INTERNAL", error };
}

/** A thrown value's message, for logs and for the text of internal-error replies. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
