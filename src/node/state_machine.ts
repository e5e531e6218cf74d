/**
 * What a user of the library replicates: a deterministic state machine. Every node applies the
 * same committed commands in the same order; only the node that proposed a command hands the
 * result back to its caller.
 */
import type { LogIndex } from "../core/index.js";

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
}
