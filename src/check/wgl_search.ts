/**
 * The Wing & Gong / Lowe just-in-time linearization search, with the memoisation of
 * (linearized set, register state) that Knossos's WGL and Porcupine use.
 *
 * The key's call and return events sit in one doubly linked list in real-time order. Walking it
 * from the front, the search tries to linearize each call it meets: if the register model allows
 * the op and the resulting configuration was never seen, the op is "lifted" out of the list and
 * pushed on a stack, and the walk restarts at the front. Meeting a return event means that op's
 * deadline passed without it being linearized, so the last choice is undone (dancing links
 * restore the list). Optional (indeterminate) ops have no return event: they may be linearized at
 * any point after their call, or never, so the search succeeds once every other op is linearized.
 * An op's return event is its deadline (key_ops.ts): its completion, or for an indeterminate op
 * that must have happened, the completion of the op that observed it.
 */
import { type KeyOp, unobservedStateId } from "./key_ops.js";
import { ConfigCache, mix32 } from "./config_cache.js";
import { PendingValues } from "./pending_values.js";
import { assert } from "../core/types.js";

/** Where the search got furthest: the longest valid order found and the op that ended it. */
export interface DeepestPoint {
  /** The linearized prefix, in order. */
  readonly order: readonly KeyOp[];
  /** The op whose deadline came before any valid order could place it. */
  readonly stuck: KeyOp;
  /**
   * When, in this configuration, a move was refused because it would overwrite a value that an
   * unlinearized op still needed (pending_values.ts): that value's id. That op is the culprit.
   */
  readonly strandedId: number | null;
}

export type SearchOutcome =
  | { readonly kind: "linearizable"; readonly steps: number }
  | { readonly kind: "not-linearizable"; readonly steps: number; readonly deepest: DeepestPoint }
  | { readonly kind: "unknown"; readonly steps: number; readonly deepest: DeepestPoint | null };

/** The register model: the state after `op` from `state`, or -1 if `op` cannot happen there. */
function stepRegister(state: number, op: KeyOp): number {
  switch (op.kind) {
    case "read":
      return state === op.argId ? state : -1;
    case "write":
      return op.argId;
    case "cas":
      return state === op.argId ? op.toId : -1;
  }
}

/** Event list: entry 2*bit is op `bit`'s call, 2*bit+1 its return (ok ops only). */
interface EventList {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly head: number;
}

const listEnd = -1;

function buildEventList(ops: readonly KeyOp[]): EventList {
  const entries: { id: number; time: number; seq: number }[] = [];
  for (const op of ops) {
    entries.push({ id: 2 * op.bit, time: op.op.invokeTime, seq: op.op.invokeSeq });
    if (op.deadline === null) continue;
    entries.push({ id: 2 * op.bit + 1, time: op.deadline.time, seq: op.deadline.seq });
  }
  // Real-time order; equal times keep history order, so a completion recorded before an
  // invocation precedes it.
  entries.sort((a, b) => a.time - b.time || a.seq - b.seq);
  const head = 2 * ops.length;
  const next = new Int32Array(head + 1).fill(listEnd);
  const prev = new Int32Array(head + 1).fill(listEnd);
  let last = head;
  for (const entry of entries) {
    next[last] = entry.id;
    prev[entry.id] = last;
    last = entry.id;
  }
  return { next, prev, head };
}

function unlink(list: EventList, id: number): void {
  const p = list.prev[id] ?? listEnd;
  const n = list.next[id] ?? listEnd;
  list.next[p] = n;
  if (n !== listEnd) list.prev[n] = p;
}

/** Reinserts `id` where it was; valid because removals are undone in reverse order. */
function relink(list: EventList, id: number): void {
  const p = list.prev[id] ?? listEnd;
  const n = list.next[id] ?? listEnd;
  list.next[p] = id;
  if (n !== listEnd) list.prev[n] = id;
}

/**
 * One choice of the search: the ops it linearized (one op, or a batch of unobserved writes and
 * the write after them), kept as a linked list so the deepest order is remembered in O(1).
 */
interface Frame {
  readonly ops: readonly KeyOp[];
  readonly stateBefore: number;
  readonly parent: Frame | null;
  /** Ops linearized up to and including this frame. */
  readonly depth: number;
  /** The entry where the walk resumes once this choice is undone. */
  readonly resumeAt: number;
}

function orderOf(frame: Frame | null): KeyOp[] {
  const batches: (readonly KeyOp[])[] = [];
  for (let f = frame; f !== null; f = f.parent) batches.push(f.ops);
  return batches.reverse().flat();
}

/**
 * A write whose value nobody observes: after it the register holds a value no read or cas
 * accepts, so in any valid order it is followed by a write or by nothing. Such a write can
 * always be moved earlier to just before the first write that comes after it becomes
 * reachable (all of its real-time predecessors linearized): removing it from its old place
 * leaves a write after its predecessor, and putting it before a write changes nothing that
 * write leaves behind. So the search never tries these writes one at a time; it places all
 * reachable ones together just before each write it linearizes, or, if none comes, at the
 * write's own deadline. This keeps the search from exploring every subset of them.
 */
function isUnobservedWrite(op: KeyOp): boolean {
  return op.kind === "write" && op.argId === unobservedStateId;
}

/** The search over one key's ops (see the file comment). */
class Search {
  private readonly list: EventList;
  private readonly zobristLo: readonly number[];
  private readonly zobristHi: readonly number[];
  private readonly bits: Uint32Array;
  private readonly cache = new ConfigCache();
  private top: Frame | null = null;
  private requiredRemaining: number;
  private state = 0;
  private hashLo = 0;
  private hashHi = 0;
  private deepest: DeepestPoint | null = null;
  private deepestDepth = -1;
  private readonly pending: PendingValues;
  /** Bumped on every linearization and undo: identifies the current configuration. */
  private version = 0;
  /** The version at which a move was last refused for stranding a value (the state then). */
  private strandedVersion = -1;

  constructor(private readonly ops: readonly KeyOp[]) {
    this.list = buildEventList(ops);
    this.zobristLo = ops.map((op) => mix32(op.bit * 2 + 1));
    this.zobristHi = ops.map((op) => mix32(op.bit * 2 + 0x7f4a7c15));
    this.bits = new Uint32Array(Math.ceil(ops.length / 32) + 1);
    this.requiredRemaining = ops.filter((op) => !op.optional).length;
    this.pending = new PendingValues(ops);
  }

  run(stepsMax: number): SearchOutcome {
    const { list, ops } = this;
    let entry = list.next[list.head] ?? listEnd;
    for (let steps = 1; ; steps++) {
      if (this.requiredRemaining === 0) return { kind: "linearizable", steps };
      if (steps > stepsMax) return { kind: "unknown", steps: stepsMax, deepest: this.deepest };
      // Every unlinearized required op still has its return event in the list, so the walk
      // meets one before it can run off the end.
      assert(entry !== listEnd, "the search walked past the last event with ops required");
      const op = ops[entry >>> 1];
      assert(op !== undefined, "every event belongs to an op");
      if ((entry & 1) === 0) {
        if (!isUnobservedWrite(op)) {
          const after = stepRegister(this.state, op);
          const batch = op.kind === "write" ? [...this.reachableUnobservedWrites(), op] : [op];
          if (after !== -1 && this.maybeLinearize(batch, after, list.next[entry] ?? listEnd)) {
            entry = list.next[list.head] ?? listEnd;
            continue;
          }
        }
        entry = list.next[entry] ?? listEnd;
        continue;
      }
      // A return event: `op` reached its deadline unlinearized. An unobserved write may still
      // take effect now; anything else means the last choice was wrong.
      if (isUnobservedWrite(op) && this.maybeLinearize([op], unobservedStateId, entry)) {
        entry = list.next[list.head] ?? listEnd;
        continue;
      }
      this.noteDeadEnd(op);
      const resumeAt = this.undo();
      if (resumeAt === null) {
        assert(this.deepest !== null, "a dead end was noted");
        return { kind: "not-linearizable", steps, deepest: this.deepest };
      }
      entry = resumeAt;
    }
  }

  private flip(op: KeyOp): void {
    this.bits[op.bit >>> 5] = (this.bits[op.bit >>> 5] ?? 0) ^ (1 << (op.bit & 31));
    this.hashLo = (this.hashLo ^ (this.zobristLo[op.bit] ?? 0)) >>> 0;
    this.hashHi = (this.hashHi ^ (this.zobristHi[op.bit] ?? 0)) >>> 0;
  }

  /** Linearizes `batch` in order if the resulting configuration is new; returns whether it did. */
  private maybeLinearize(batch: readonly KeyOp[], after: number, resumeAt: number): boolean {
    if (this.pending.wouldStrand(this.state, batch, after)) {
      this.strandedVersion = this.version;
      return false;
    }
    for (const op of batch) this.flip(op);
    if (!this.cache.maybeAdd(this.hashLo, this.hashHi, this.bits, after)) {
      for (const op of batch) this.flip(op);
      return false;
    }
    const depth = (this.top?.depth ?? 0) + batch.length;
    this.top = { ops: batch, stateBefore: this.state, parent: this.top, depth, resumeAt };
    this.state = after;
    this.version++;
    this.pending.take(batch);
    for (const op of batch) {
      unlink(this.list, 2 * op.bit);
      if (op.deadline !== null) {
        unlink(this.list, 2 * op.bit + 1);
        this.requiredRemaining--;
      }
    }
    return true;
  }

  /** Undoes the last choice; returns where the walk resumes, or null if there was none. */
  private undo(): number | null {
    const frame = this.top;
    if (frame === null) return null;
    this.top = frame.parent;
    this.state = frame.stateBefore;
    this.version++;
    this.pending.restore(frame.ops);
    for (let i = frame.ops.length - 1; i >= 0; i--) {
      const op = frame.ops[i];
      assert(op !== undefined, "a frame's ops are dense");
      this.flip(op);
      if (op.deadline !== null) {
        relink(this.list, 2 * op.bit + 1);
        this.requiredRemaining++;
      }
      relink(this.list, 2 * op.bit);
    }
    return frame.resumeAt;
  }

  /** Unobserved writes whose calls come before the first pending deadline. */
  private reachableUnobservedWrites(): KeyOp[] {
    const found: KeyOp[] = [];
    for (let e = this.list.next[this.list.head] ?? listEnd; e !== listEnd && (e & 1) === 0;) {
      const op = this.ops[e >>> 1];
      if (op !== undefined && isUnobservedWrite(op)) found.push(op);
      e = this.list.next[e] ?? listEnd;
    }
    return found;
  }

  private noteDeadEnd(stuck: KeyOp): void {
    const depth = this.top?.depth ?? 0;
    if (depth <= this.deepestDepth) return;
    this.deepestDepth = depth;
    const top = this.top;
    const strandedId = this.strandedVersion === this.version ? this.state : null;
    // The order is rebuilt only when asked for: the frames are immutable.
    this.deepest = {
      stuck,
      strandedId,
      get order(): readonly KeyOp[] {
        return orderOf(top);
      },
    };
  }
}

/**
 * Searches for a linearization of one key's ops, starting from the absent register (id 0).
 * @param stepsMax search steps allowed before giving up with `unknown`.
 */
export function searchLinearization(ops: readonly KeyOp[], stepsMax: number): SearchOutcome {
  return new Search(ops).run(stepsMax);
}
