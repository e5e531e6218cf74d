/**
 * Applies a committed "normal" entry to the state machine, and makes sure no entry can ever
 * crash-loop the cluster. Proposals are validated before they enter the log
 * (proposal_validation.ts), so an entry that does not decode got there through a bug or a
 * compromised member. Failing the node on it would fail every replica, again on every restart:
 * the cluster would never recover. So such an entry is applied deterministically as a no-op on
 * every replica: nothing changes, it is counted (NodeObserver.entryApplyFailed, the metric
 * `raft_apply_errors_total`) and logged once per entry, and its proposer's promise (if it can
 * be told) is rejected with InvalidProposalError.
 *
 * "Does not decode" means exactly two checks that depend on the bytes alone, so every replica
 * reaches the same verdict: the proposal envelope (envelope.ts `checkEnvelope`), then the state
 * machine's `validate(command, "apply")`. Everything else keeps failing the node: a throw from
 * `apply` is a bug that would make replicas diverge, and invariant or disk failures stay
 * fail-stop.
 */
import type { Entry, NodeId } from "../core/index.js";
import { checkEnvelope, type ProposalTag } from "./envelope.js";
import { InvalidProposalError } from "./errors.js";
import type { NodeObserver } from "./observer.js";
import type { Logger } from "../core/logger.js";
import type { StateMachine } from "./state_machine.js";

/** What applying one normal entry came to. */
export type AppliedEntry<R> =
  | { readonly kind: "applied"; readonly tag: ProposalTag; readonly result: R }
  /** A no-op: `tag` is null when even the envelope did not decode (no proposer to tell). */
  | {
    readonly kind: "invalid";
    readonly tag: ProposalTag | null;
    readonly error: InvalidProposalError;
  };

export interface EntryApplierOptions<R> {
  readonly id: NodeId;
  readonly stateMachine: StateMachine<R>;
  readonly logger: Logger;
  readonly observer: NodeObserver;
}

export class EntryApplier<R> {
  constructor(private readonly options: EntryApplierOptions<R>) {}

  /** Applies `entry` (kind "normal"), or records it as an error no-op if it does not decode. */
  apply(entry: Entry): AppliedEntry<R> {
    const envelope = checkEnvelope(entry.data);
    if (typeof envelope === "string") {
      return this.invalid(entry, null, `not a proposal envelope: ${envelope}`, null);
    }
    const { tag, command } = envelope;
    const refusal = this.options.stateMachine.validate?.(command, "apply") ?? null;
    if (refusal !== null) return this.invalid(entry, tag, refusal.message, refusal);
    return { kind: "applied", tag, result: this.options.stateMachine.apply(command, entry.index) };
  }

  private invalid(
    entry: Entry, tag: ProposalTag | null, reason: string, cause: Error | null,
  ): AppliedEntry<R> {
    const { id, logger, observer } = this.options;
    const error = new InvalidProposalError(
      `the entry at index ${entry.index} did not decode and was applied as a no-op: ${reason}`,
      cause === null ? {} : { cause });
    observer.entryApplyFailed?.();
    logger.error(
      { id, index: entry.index, term: entry.term, proposer: tag?.proposer ?? null,
        bytes: entry.data.byteLength, code: "ENTRY_APPLY_FAILED" },
      `Applied entry ${entry.index} (term ${entry.term}) as a no-op: ${reason}`,
    );
    return { kind: "invalid", tag, error };
  }
}
