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
 * This node applied a configuration without itself (§4.2.2): it no longer serves anything, and
 * what it would answer could be stale. Definite: the request was not performed; send it to a
 * member of the cluster.
 */
export class RemovedFromClusterError extends RaftError {
  override readonly name = "RemovedFromClusterError";
  readonly code = "REMOVED";
  readonly definite = true;
  constructor(readonly nodeId: string, readonly index: number) {
    super(`${nodeId} was removed from the cluster (configuration at index ${index}) and no `
      + "longer serves requests; use another member");
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
 * The one "outcome unknown" error of every layer: an operation's fate cannot be learned (the node
 * stopped or failed while it was pending, a snapshot replaced the log around it, a write timed out
 * or lost its leader or its connection after it may have entered the log). It may have been
 * applied, now or later: never report it as a failure (docs/history-format.md, `info`). The code
 * is the one the HTTP API and the CLI have always used.
 */
export class OutcomeUnknownError extends RaftError {
  override readonly name = "OutcomeUnknownError";
  readonly code = "UNKNOWN_OUTCOME";
  readonly definite = false;
  constructor(readonly reason: string) {
    super(`Outcome unknown: the command may have been applied (${reason})`);
  }
}

/**
 * The one "unavailable" error: no node could serve the request in time (no leader, no quorum, no
 * endpoint answering). Nothing happened; retry later.
 */
export class UnavailableError extends RaftError {
  override readonly name = "UnavailableError";
  readonly code = "UNAVAILABLE";
  readonly definite = true;
  constructor(readonly reason: string) {
    super(reason);
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

/**
 * `addVoter`/`promote`: the learner did not come within `lagMax` entries of the leader's log in
 * time (it may be down, slow, or still installing a snapshot). It stays a learner; retry the
 * call (it skips the add and only promotes) or remove it.
 */
export class CatchUpTimeoutError extends RaftError {
  override readonly name = "CatchUpTimeoutError";
  readonly code = "CATCH_UP_TIMEOUT";
  readonly definite = true;
  constructor(readonly nodeId: string, readonly lag: number | null, readonly timeoutMs: number) {
    super(`Learner ${nodeId} did not catch up within ${timeoutMs} ms ` +
      `(${lag === null ? "no progress known" : `${lag} entries behind`}); it stays a learner`);
  }
}

/**
 * `transferLeader`: no new leader was seen within the timeout, or the leader abandoned the
 * transfer after an election timeout (§3.10) and resumed leading. Nothing changed; retry.
 */
export class TransferTimeoutError extends RaftError {
  override readonly name = "TransferTimeoutError";
  readonly code = "TRANSFER_TIMEOUT";
  readonly definite = true;
  constructor(readonly to: string | null, readonly timeoutMs: number, reason: string) {
    super(`Leadership transfer to ${to ?? "the most caught-up voter"} failed: ${reason}`);
  }
}

/**
 * `waitForLeader`: no leader became known within the timeout (no quorum reachable, or elections
 * keep splitting). Nothing was attempted; retry or check the cluster.
 */
export class LeaderWaitTimeoutError extends RaftError {
  override readonly name = "LeaderWaitTimeoutError";
  readonly code = "LEADER_WAIT_TIMEOUT";
  readonly definite = true;
  constructor(readonly nodeId: string, readonly timeoutMs: number) {
    super(`No leader known to ${nodeId} within ${timeoutMs} ms (is a quorum of voters up?)`);
  }
}

/**
 * A proposal was refused before it entered the log: its bytes are larger than
 * `proposalBytesMax`, or the state machine's `validate` rejected the command (unknown command,
 * malformed arguments, a size over its limits). Also how a committed entry that could not be
 * decoded settles its proposer's promise: it was applied as a no-op on every replica. Either way
 * nothing changed, so it is definite; `cause` is the state machine's own error, if any.
 */
export class InvalidProposalError extends RaftError {
  override readonly name = "InvalidProposalError";
  readonly code = "INVALID_PROPOSAL";
  readonly definite = true;
  constructor(readonly reason: string, options?: { readonly cause?: unknown }) {
    super(`Invalid proposal: ${reason}`, options);
  }
}
