/**
 * A look-ahead for the search: for each value, how many required ops that need the register to
 * hold it (ok reads of it, ok cas from it) are still unlinearized, and how many ops that could
 * write it are. Leaving a state v while some required op still needs v and nothing left can
 * write v again strands that op: no continuation can succeed, so the search refuses the move at
 * once instead of discovering the dead end at that op's deadline, possibly thousands of steps
 * later. This prunes only moves that cannot lead to a linearization, so the verdict is unchanged.
 * The initial null counts as no writer: once left, null comes back only through a write of null.
 */
import type { KeyOp } from "./key_ops.js";

/** The value id an op leaves in the register, or -1 for a read (and for unobserved values). */
function writtenId(op: KeyOp): number {
  return op.kind === "write" ? op.argId : op.kind === "cas" ? op.toId : -1;
}

/** The value id a required op needs in the register, or -1. */
function neededId(op: KeyOp): number {
  return op.deadline !== null && op.kind !== "write" ? op.argId : -1;
}

export class PendingValues {
  private readonly needers: Int32Array;
  private readonly writers: Int32Array;

  constructor(ops: readonly KeyOp[]) {
    let idsCount = 1;
    for (const op of ops) idsCount = Math.max(idsCount, op.argId + 1, op.toId + 1);
    this.needers = new Int32Array(idsCount);
    this.writers = new Int32Array(idsCount);
    for (const op of ops) this.count(op, 1);
  }

  private count(op: KeyOp, delta: number): void {
    const needed = neededId(op);
    if (needed >= 0) this.needers[needed] = (this.needers[needed] ?? 0) + delta;
    const written = writtenId(op);
    if (written >= 0) this.writers[written] = (this.writers[written] ?? 0) + delta;
  }

  /**
   * True when linearizing `batch` from `state` to `after` leaves `state` behind while a required
   * op still needs it and no op left could write it again.
   */
  wouldStrand(state: number, batch: readonly KeyOp[], after: number): boolean {
    if (state === after || state < 0) return false;
    let needers = this.needers[state] ?? 0;
    let writers = this.writers[state] ?? 0;
    for (const op of batch) {
      if (neededId(op) === state) needers--;
      if (writtenId(op) === state) writers--;
    }
    return needers > 0 && writers === 0;
  }

  /** Marks the batch linearized. */
  take(batch: readonly KeyOp[]): void {
    for (const op of batch) this.count(op, -1);
  }

  /** Undoes `take`. */
  restore(batch: readonly KeyOp[]): void {
    for (const op of batch) this.count(op, 1);
  }
}
