/**
 * Branded scalar types of the Raft core (STYLE.md rule 7) and the assertion helpers every layer
 * uses. A `Term` can never be passed where a `LogIndex` is expected: the only way to make one is
 * through its constructor, which checks the value.
 */
import { LOG_INDEX_MAX, TERM_MAX } from "./bounds.js";

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A Raft term (§5.1): a non-negative integer that only ever grows on a node. */
export type Term = Brand<number, "Term">;
/** A position in the replicated log (§5.3); 0 means "before the first entry". */
export type LogIndex = Brand<number, "LogIndex">;
/** A cluster member's identity: a short, non-empty, printable string such as "n1". */
export type NodeId = Brand<string, "NodeId">;

/** Thrown when an invariant of the code does not hold: always a bug, never caught. */
export class AssertionError extends Error {
  override readonly name = "AssertionError";
  readonly code = "ASSERTION_FAILED";
}

/** Assertions stay on in production (STYLE.md rule 9). */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Ends every `switch` over a discriminated union (STYLE.md rule 8). */
export function assertNever(value: never, what = "value"): never {
  throw new AssertionError(`Unexpected ${what}: ${JSON.stringify(value)}`);
}

// The hot checks below build their message only when they fail: a template literal passed to
// `assert` is evaluated on every call, and these run several times per message.
function assertCount(value: number, max: number, what: string): void {
  if (!(Number.isSafeInteger(value) && value >= 0 && value <= max)) {
    throw new AssertionError(`${what} must be an integer in [0, ${max}], got ${value}`);
  }
}

/** @throws AssertionError if `value` is not an integer in [0, TERM_MAX] (bounds.ts). */
export function term(value: number): Term {
  assertCount(value, TERM_MAX, "Term");
  return value as Term;
}

/** @throws AssertionError if `value` is not an integer in [0, LOG_INDEX_MAX] (bounds.ts). */
export function logIndex(value: number): LogIndex {
  assertCount(value, LOG_INDEX_MAX, "LogIndex");
  return value as LogIndex;
}

/**
 * The one definition of a node id, for every layer (config, HTTP API, WAL, snapshots, wire):
 * 1-64 letters, digits, '_', '.', ':' or '-'. ':' is allowed because the core always accepted it,
 * so ids such as "10.0.0.1:7000" may already be persisted.
 */
export const NODE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Checks untrusted input: true when `value` is a string that is a valid node id. */
export function isNodeId(value: unknown): value is NodeId {
  return typeof value === "string" && NODE_ID_PATTERN.test(value);
}

/** @throws AssertionError if `value` is empty, longer than 64 characters or not printable. */
export function nodeId(value: string): NodeId {
  if (!isNodeId(value)) {
    throw new AssertionError(`NodeId must match ${String(NODE_ID_PATTERN)}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export const TERM_ZERO = term(0);
export const INDEX_ZERO = logIndex(0);
