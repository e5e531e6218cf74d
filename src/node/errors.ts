/**
 * Typed failures of the node runtime, with stable codes and the core's `definite` flag
 * (STYLE.md rule 10). Besides these, `propose` and `readBarrier` reject with the core's
 * `NotLeaderError` (no leader known: definite), `ProposalDroppedError` (definite) and
 * `UncommittedBytesExceededError` (definite).
 *
 * The rule every caller relies on: a proposal that may have entered the log is never reported
 * as failed. Only `definite: true` errors mean "did not and will not take effect".
 */
import { RaftError } from "../core/index.js";

/** The node was stopped (or failed) before the operation started: nothing happened. */
export class NodeStoppedError extends RaftError {
  override readonly name = "NodeStoppedError";
  readonly code = "NODE_STOPPED";
  readonly definite = true;
  constructor(readonly reason: string) {
    super(`The node is not running: ${reason}`);
  }
}

/**
 * A proposal was not seen applied within `proposalTimeoutMs`. It may still be in the log and be
 * applied later: the outcome is unknown.
 */
export class ProposalTimeoutError extends RaftError {
  override readonly name = "ProposalTimeoutError";
  readonly code = "PROPOSAL_TIMEOUT";
  readonly definite = false;
  constructor(readonly timeoutMs: number) {
    super(`Proposal outcome unknown: not applied within ${timeoutMs} ms (it may still be applied)`);
  }
}

/**
 * A proposal's fate cannot be learned any more (the node stopped or failed while it was pending,
 * or a snapshot replaced the log around it). It may have been applied.
 */
export class OutcomeUnknownError extends RaftError {
  override readonly name = "OutcomeUnknownError";
  readonly code = "OUTCOME_UNKNOWN";
  readonly definite = false;
  constructor(readonly reason: string) {
    super(`Proposal outcome unknown: ${reason}`);
  }
}

/** A read barrier was not served within `readTimeoutMs`; reads change nothing, so retry. */
export class ReadTimeoutError extends RaftError {
  override readonly name = "ReadTimeoutError";
  readonly code = "READ_TIMEOUT";
  readonly definite = true;
  constructor(readonly timeoutMs: number) {
    super(`Read barrier not confirmed within ${timeoutMs} ms (no quorum or leader reachable); retry`);
  }
}
