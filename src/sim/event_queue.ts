/**
 * The simulator's clock and agenda: a binary min-heap of events keyed by virtual time, with ties
 * broken by insertion sequence so two events at the same instant always run in the order they
 * were scheduled. Nothing here depends on wall time or on Map iteration order, so one seed
 * always produces the same run.
 */
import { assert } from "../core/types.js";

interface Slot<E> {
  readonly timeNs: number;
  readonly seq: number;
  readonly event: E;
}

export class EventQueue<E> {
  private heap: Slot<E>[] = [];
  private seqNext = 0;
  private nowNs = 0;

  /** The virtual time of the event being processed (or of the last one popped). */
  get now(): number {
    return this.nowNs;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `event` at `timeNs` (not in the past). */
  push(timeNs: number, event: E): void {
    assert(Number.isSafeInteger(timeNs) && timeNs >= this.nowNs, `event at ${timeNs} is in the past (now ${this.nowNs})`);
    const heap = this.heap;
    heap.push({ timeNs, seq: this.seqNext++, event });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap, i, parent)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  /** Removes the earliest event and advances the clock to it; undefined when empty. */
  pop(): E | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && less(heap, left, smallest)) smallest = left;
        if (right < heap.length && less(heap, right, smallest)) smallest = right;
        if (smallest === i) break;
        swap(heap, i, smallest);
        i = smallest;
      }
    }
    this.nowNs = top.timeNs;
    return top.event;
  }

  /** The time of the earliest event, or undefined when empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.timeNs;
  }
}

function less<E>(heap: readonly Slot<E>[], a: number, b: number): boolean {
  const x = heap[a];
  const y = heap[b];
  assert(x !== undefined && y !== undefined, "heap index out of range");
  return x.timeNs < y.timeNs || (x.timeNs === y.timeNs && x.seq < y.seq);
}

function swap<E>(heap: Slot<E>[], a: number, b: number): void {
  const x = heap[a];
  const y = heap[b];
  assert(x !== undefined && y !== undefined, "heap index out of range");
  heap[a] = y;
  heap[b] = x;
}
