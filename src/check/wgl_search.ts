/**
 * The Wing & Gong / Lowe just-in-time linearization search, with the memoisation of
 * (linearized set, register state) that Knossos's WGL and Porcupine use.
 *
 * The key's call and return events sit in one doubly linked list in real-time order. Walking it
 * from the front, the search tries to linearize each call it meets: if the register model allows
 * the op and the resulting configuration was never seen, the op is "lifted" out of the list and
 * pushed on a stack, and the walk restarts at the front. Meeting a return event means that op's
 * deadline passed without it being linearized, so the last choice is undone (dancing links
 * restore the list). Indeterminate ops have no return event: they may be linearized at any point
 * after their call, or never, so the search succeeds once every `ok` op is linearized.
 */
import type { KeyOp } from "./key_ops.js";
import { assert } from "../core/types.js";

/** Where the search got furthest: the longest valid order found and the op that ended it. */
export interface DeepestPoint {
  /** The linearized prefix, in order. */
  readonly order: readonly KeyOp[];
  /** The `ok` op whose completion came before any valid order could place it. */
  readonly stuck: KeyOp;
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

function mix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Configurations already explored: (linearized set, state). Keyed by a 53-bit Zobrist hash that
 * is kept up to date as bits flip; the exact set is compared on a hash match, so a collision
 * costs time, never a wrong verdict.
 */
class ConfigCache {
  private readonly seen = new Map<number, { bits: Uint32Array; state: number }[]>();

  /** Records the configuration; returns false if it was already there. */
  maybeAdd(hashLo: number, hashHi: number, bits: Uint32Array, state: number): boolean {
    const lo = (hashLo ^ mix32(state)) >>> 0;
    const hi = (hashHi ^ mix32(state ^ 0x5bd1e995)) & 0x1fffff;
    const key = hi * 0x100000000 + lo;
    const bucket = this.seen.get(key);
    if (bucket === undefined) {
      this.seen.set(key, [{ bits: bits.slice(), state }]);
      return true;
    }
    for (const entry of bucket) {
      if (entry.state === state && sameBits(entry.bits, bits)) return false;
    }
    bucket.push({ bits: bits.slice(), state });
    return true;
  }
}

function sameBits(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
    if (!op.optional) {
      const time = op.op.completeTime;
      assert(time !== null, "an ok operation has a completion time");
      entries.push({ id: 2 * op.bit + 1, time, seq: op.op.completeSeq });
    }
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

interface Frame {
  readonly op: KeyOp;
  readonly stateBefore: number;
}

/**
 * Searches for a linearization of one key's ops, starting from the absent register (id 0).
 * @param stepsMax search steps allowed before giving up with `unknown`.
 */
export function searchLinearization(ops: readonly KeyOp[], stepsMax: number): SearchOutcome {
  const list = buildEventList(ops);
  const zobristLo = ops.map((op) => mix32(op.bit * 2 + 1));
  const zobristHi = ops.map((op) => mix32(op.bit * 2 + 0x7f4a7c15));
  const bits = new Uint32Array(Math.ceil(ops.length / 32) + 1);
  const cache = new ConfigCache();
  const stack: Frame[] = [];
  let okRemaining = ops.filter((op) => !op.optional).length;
  let state = 0;
  let hashLo = 0;
  let hashHi = 0;
  let deepest: DeepestPoint | null = null;
  let entry = list.next[list.head] ?? listEnd;
  const flip = (op: KeyOp): void => {
    bits[op.bit >>> 5] = (bits[op.bit >>> 5] ?? 0) ^ (1 << (op.bit & 31));
    hashLo = (hashLo ^ (zobristLo[op.bit] ?? 0)) >>> 0;
    hashHi = (hashHi ^ (zobristHi[op.bit] ?? 0)) >>> 0;
  };
  for (let steps = 1; ; steps++) {
    if (okRemaining === 0) return { kind: "linearizable", steps };
    if (steps > stepsMax) return { kind: "unknown", steps: stepsMax, deepest };
    // Every unlinearized ok op still has its return event in the list, so the walk meets one
    // before it can run off the end.
    assert(entry !== listEnd, "the search walked past the last event with ok ops remaining");
    const op = ops[entry >>> 1];
    assert(op !== undefined, "every event belongs to an op");
    if ((entry & 1) === 0) {
      const after = stepRegister(state, op);
      if (after !== -1) {
        flip(op);
        if (cache.maybeAdd(hashLo, hashHi, bits, after)) {
          stack.push({ op, stateBefore: state });
          state = after;
          unlink(list, entry);
          if (!op.optional) {
            unlink(list, entry + 1);
            okRemaining--;
          }
          entry = list.next[list.head] ?? listEnd;
          continue;
        }
        flip(op);
      }
      entry = list.next[entry] ?? listEnd;
      continue;
    }
    // A return event: `op` reached its completion unlinearized. Undo the last choice.
    if (deepest === null || stack.length > deepest.order.length) {
      deepest = { order: stack.map((frame) => frame.op), stuck: op };
    }
    const frame = stack.pop();
    if (frame === undefined) return { kind: "not-linearizable", steps, deepest };
    state = frame.stateBefore;
    flip(frame.op);
    const call = 2 * frame.op.bit;
    if (!frame.op.optional) {
      relink(list, call + 1);
      okRemaining++;
    }
    relink(list, call);
    entry = list.next[call] ?? listEnd;
  }
}
