/**
 * Expected failures of the core, as typed errors with stable codes (STYLE.md rule 10). Callers
 * branch on the class or on `code`, never on message text. `definite` says whether the operation
 * certainly did not take effect: a caller may report a definite failure to a client; anything
 * else must be reported as an unknown outcome.
 */
import type { LogIndex, NodeId } from "./types.js";

export abstract class RaftError extends Error {
  abstract readonly code: string;
  /** True when the operation certainly did not and will not take effect. */
  abstract readonly definite: boolean;
}

/** This node is not the leader; `leaderId` is the leader it knows of, if any. */
export class NotLeaderError extends RaftError {
  override readonly name = "NotLeaderError";
  readonly code = "NOT_LEADER";
  readonly definite = true;
  constructor(readonly leaderId: NodeId | null) {
    super(leaderId === null ? "No leader is known; retry later" : `Not the leader; the leader is ${leaderId}`);
  }
}

/** The proposal was refused before it entered the log (leadership transfer, limits). */
export class ProposalDroppedError extends RaftError {
  override readonly name = "ProposalDroppedError";
  readonly code = "PROPOSAL_DROPPED";
  readonly definite = true;
  constructor(readonly reason: string) {
    super(`Proposal dropped: ${reason}`);
  }
}

/** The leader holds more uncommitted bytes than `uncommittedBytesMax`; the proposal was refused. */
export class UncommittedBytesExceededError extends RaftError {
  override readonly name = "UncommittedBytesExceededError";
  readonly code = "UNCOMMITTED_BYTES_EXCEEDED";
  readonly definite = true;
  constructor(readonly uncommittedBytes: number, readonly uncommittedBytesMax: number) {
    super(`Proposal refused: ${uncommittedBytes} uncommitted bytes would exceed the limit of ${uncommittedBytesMax}`);
  }
}

/** A log read asked for entries that have been compacted into a snapshot. */
export class CompactedError extends RaftError {
  override readonly name = "CompactedError";
  readonly code = "LOG_COMPACTED";
  readonly definite = true;
  constructor(readonly index: LogIndex, readonly firstIndex: LogIndex) {
    super(`Log index ${index} is compacted; the first available index is ${firstIndex}`);
  }
}

/** A log read asked for entries past the end of the log. */
export class LogUnavailableError extends RaftError {
  override readonly name = "LogUnavailableError";
  readonly code = "LOG_UNAVAILABLE";
  readonly definite = true;
  constructor(readonly index: LogIndex, readonly lastIndex: LogIndex) {
    super(`Log index ${index} is not available; the last index is ${lastIndex}`);
  }
}

/** A configuration value, or a combination of values, is invalid; `field` names it. */
export class ConfigError extends RaftError {
  override readonly name = "ConfigError";
  readonly code = "INVALID_CONFIG";
  readonly definite = true;
  constructor(readonly field: string, reason: string) {
    super(`Invalid configuration: ${field} ${reason}`);
  }
}

/**
 * A membership change was refused before it entered the log: another change is still
 * uncommitted, this leader has not yet committed an entry of its term, a leadership transfer is
 * under way, or the change is invalid for the current configuration (§4.1, §4.3).
 */
export class ConfChangeRefusedError extends RaftError {
  override readonly name = "ConfChangeRefusedError";
  readonly code = "CONF_CHANGE_REFUSED";
  readonly definite = true;
  constructor(readonly reason: string) {
    super(`Membership change refused: ${reason}`);
  }
}
