/**
 * Validation before anything enters the log. Every proposal is checked before the core sees
 * it: a local one when `propose` is called (a refusal rejects the caller with the definite
 * InvalidProposalError), a forwarded one when its `Propose` message arrives (a refusal drops
 * it and logs the sender; the proposer's client times out, as for any lost forward). The
 * checks, in order:
 *
 * 1. a forwarded proposal comes from a member of this node's configuration (voter, learner, or
 *    outgoing voter of a joint configuration): anyone else has no business proposing;
 * 2. its size is at most `proposalBytesMax`;
 * 3. a forwarded proposal's bytes decode as a proposal envelope (envelope.ts);
 * 4. the command passes the state machine's own `validate(command, "propose")`, when it has one.
 *
 * What gets past a bug or a compromised member anyway is handled at apply (entry_applier.ts).
 */
import type { ConfState, NodeId, Propose } from "../core/index.js";
import { envelopeOverheadBytes, checkEnvelope } from "./envelope.js";
import { InvalidProposalError } from "./errors.js";
import type { Logger } from "../core/logger.js";
import type { StateMachine } from "./state_machine.js";

/** Test-only switches (the runtime's counterpart of the core's TestingBugs). */
export interface NodeTestingHooks {
  /**
   * Let every proposal, local or forwarded, into the log unchecked, so tests can commit entries
   * that cannot be decoded and watch them applied as no-ops. Never set outside tests.
   */
  readonly skipProposalValidation?: boolean;
}

export interface ProposalValidatorOptions {
  readonly id: NodeId;
  readonly stateMachine: StateMachine<unknown>;
  readonly proposalBytesMax: number;
  readonly logger: Logger;
  readonly testing?: NodeTestingHooks;
}

export class ProposalValidator {
  private readonly skip: boolean;

  constructor(private readonly options: ProposalValidatorOptions) {
    this.skip = options.testing?.skipProposalValidation === true;
  }

  /**
   * Why a local caller's `command` must not be proposed, or null when it may. `validated`: the
   * caller built the command and checked it as `validate(command, "propose")` would, so only
   * the size is checked here (ReplicatedKv: decoding it again cost 4% of a busy leader's CPU).
   */
  checkLocal(command: Uint8Array, validated = false): InvalidProposalError | null {
    if (this.skip) return null;
    const bytes = command.byteLength + envelopeOverheadBytes(this.options.id);
    return this.checkSize(bytes) ?? (validated ? null : this.checkCommand(command));
  }

  /**
   * Whether a forwarded proposal may be stepped into the core, given the configuration in
   * effect; a refused one is logged with its sender and must be dropped.
   */
  admitForwarded(m: Propose, conf: ConfState): boolean {
    if (this.skip) return true;
    const refusal = this.forwardRefusal(m, conf);
    if (refusal === null) return true;
    this.options.logger.warn(
      { id: this.options.id, from: m.from, bytes: m.data.byteLength, code: refusal.code },
      `Dropped a proposal forwarded by ${m.from}: ${refusal.reason}`,
    );
    return false;
  }

  private forwardRefusal(m: Propose, conf: ConfState): InvalidProposalError | null {
    if (!isMember(m.from, conf)) {
      return new InvalidProposalError(`${m.from} is not a member of the configuration`);
    }
    const tooLarge = this.checkSize(m.data.byteLength);
    if (tooLarge !== null) return tooLarge;
    const envelope = checkEnvelope(m.data);
    if (typeof envelope === "string") {
      return new InvalidProposalError(`not a proposal envelope: ${envelope}`);
    }
    return this.checkCommand(envelope.command);
  }

  private checkSize(bytes: number): InvalidProposalError | null {
    const max = this.options.proposalBytesMax;
    if (bytes <= max) return null;
    return new InvalidProposalError(`${bytes} bytes is more than proposalBytesMax (${max})`);
  }

  private checkCommand(command: Uint8Array): InvalidProposalError | null {
    const error = this.options.stateMachine.validate?.(command, "propose") ?? null;
    if (error === null) return null;
    return new InvalidProposalError(error.message, { cause: error });
  }
}

function isMember(id: NodeId, conf: ConfState): boolean {
  return conf.voters.includes(id) || conf.learners.includes(id)
    || conf.votersOutgoing.includes(id);
}
