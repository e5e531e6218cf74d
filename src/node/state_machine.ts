/**
 * What a user of the library replicates: a deterministic state machine. Every node applies the
 * same committed commands in the same order; only the node that proposed a command hands the
 * result back to its caller.
 */
import type { LogIndex } from "../core/index.js";

/** Where `StateMachine.validate` is called from; see there. */
export type ValidationStage = "propose" | "apply";

export interface StateMachine<R> {
  /**
   * Applies one committed command (the bytes given to `propose`) at log `index` and returns its
   * result. Must be deterministic and must not throw for bad input: report it in the result. A
   * throw is treated as a bug and fails the node (fail-stop), since replicas would diverge.
   *
   * A command may be applied twice if the network duplicated its proposal; state machines that
   * need exactly-once use client sessions (see `src/kv/binary_store`).
   */
  apply(command: Uint8Array, index: LogIndex): R;
  /** An image of the whole state, as of the last applied index. */
  snapshot(): Uint8Array;
  /** Replaces the whole state with an image made by `snapshot()`. */
  restore(image: Uint8Array): void;
  /**
   * Optional: whether `command` is one this state machine accepts, without applying it. Returns
   * null if so, else an Error saying why not. Must not throw for bad input.
   *
   * - `"propose"`: before the command enters the log, on the node it was proposed to and again
   *   on the leader for a forwarded proposal. It may enforce this node's configured limits
   *   (sizes). A refusal rejects the caller's `propose` with InvalidProposalError, or drops the
   *   forwarded proposal with a log line naming the sender.
   * - `"apply"`: for every committed entry, on every replica, before `apply`. It must depend on
   *   the bytes alone (format, known commands), never on configuration or state, so every
   *   replica reaches the same verdict. A command refused here is applied as a no-op: counted
   *   (NodeObserver.entryApplyFailed), logged, and its proposer's promise rejected with
   *   InvalidProposalError. Only a bug or a compromised member can commit such an entry.
   */
  validate?(command: Uint8Array, stage: ValidationStage): Error | null;
}
