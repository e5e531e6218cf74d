/**
 * The simulator's clock and agenda: a binary min-heap of events keyed by virtual time, with ties
 * broken by insertion sequence so two events at the same instant always run in the order they
 * were scheduled. Nothing here depends on wall time or on Map iteration order, so one seed
 * always produces the same run.
 *
 * The heap is three parallel arrays (time, sequence, event) rather than one object per slot:
 * this runs for every event of every run, and a slot object per push was a measurable share of
 * the simulator's garbage.
 */
import { AssertionError } from "../core/types.js";

export class EventQueue<E> {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly events: E[] = [];
  private seqNext = 0;
  private nowNs = 0;

  /** The virtual time of the event being processed (or of the last one popped). */
  get now(): number {
    return this.nowNs;
  }

  get size(): number {
    return this.events.length;
  }

  /**
   * Schedules `event` at `timeNs` (not in the past).
   * @throws AssertionError when `timeNs` is in the past or not an integer.
   */
  push(timeNs: number, event: E): void {
    if (!Number.isSafeInteger(timeNs) || timeNs < this.nowNs) {
      throw new AssertionError(`event at ${timeNs} is in the past (now ${this.nowNs})`);
    }
    const { times, seqs, events } = this;
    const seq = this.seqNext++;
    let i = events.length;
    times.push(timeNs);
    seqs.push(seq);
    events.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] ?? 0;
      if (pt < timeNs || (pt === timeNs && (seqs[parent] ?? 0) < seq)) break;
      this.move(parent, i);
      i = parent;
    }
    times[i] = timeNs;
    seqs[i] = seq;
    events[i] = event;
  }

  /** Removes the earliest event and advances the clock to it; undefined when empty. */
  pop(): E | undefined {
    const { times, seqs, events } = this;
    const n = events.length - 1;
    if (n < 0) return undefined;
    const top = events[0];
    this.nowNs = times[0] ?? this.nowNs;
    const lastTime = times.pop() ?? 0;
    const lastSeq = seqs.pop() ?? 0;
    const lastEvent = events.pop();
    if (n > 0 && lastEvent !== undefined) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        let child = left;
        if (right < n && earlier(times, seqs, right, left)) child = right;
        const ct = times[child] ?? 0;
        if (ct > lastTime || (ct === lastTime && (seqs[child] ?? 0) > lastSeq)) break;
        this.move(child, i);
        i = child;
      }
      times[i] = lastTime;
      seqs[i] = lastSeq;
      events[i] = lastEvent;
    }
    return top;
  }

  /** The time of the earliest event, or undefined when empty. */
  peekTime(): number | undefined {
    return this.times[0];
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] ?? 0;
    this.seqs[to] = this.seqs[from] ?? 0;
    const event = this.events[from];
    if (event !== undefined) this.events[to] = event;
  }
}

function earlier(times: readonly number[], seqs: readonly number[], a: number, b: number): boolean {
  const ta = times[a] ?? 0;
  const tb = times[b] ?? 0;
  return ta < tb || (ta === tb && (seqs[a] ?? 0) < (seqs[b] ?? 0));
}
