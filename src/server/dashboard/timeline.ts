/**
 * The dashboard's timeline: a bounded ring of what happened to one node (elections, leader
 * changes, role changes and step-downs with their reasons, votes, membership changes,
 * snapshots, failures). An event that repeats the one before it (a partitioned node's pre-vote
 * rounds) is folded into it with a count, so a flapping node cannot push everything else out.
 */

export type TimelineKind =
  | "election" | "leader" | "role" | "stepdown" | "vote" | "membership" | "snapshot"
  | "removed" | "failed" | "partition" | "reachability";

export interface TimelineEvent {
  /** Increases by one per event recorded on this node (folded repeats keep theirs). */
  readonly seq: number;
  /** Wall-clock time of the latest occurrence, in ms since the epoch (for display only). */
  readonly atMs: number;
  readonly node: string;
  readonly kind: TimelineKind;
  readonly term: number;
  readonly text: string;
  /** How many times in a row this happened (1 unless folded). */
  readonly count: number;
}

export const TIMELINE_EVENTS_MAX = 200;

export class Timeline {
  private readonly events: TimelineEvent[] = [];
  private seq = 0;

  constructor(
    private readonly node: string,
    private readonly nowMs: () => number,
    private readonly eventsMax = TIMELINE_EVENTS_MAX,
  ) {
    if (!Number.isSafeInteger(eventsMax) || eventsMax < 1) {
      throw new RangeError(`eventsMax must be a positive integer, got ${eventsMax}`);
    }
  }

  record(kind: TimelineKind, term: number, text: string): void {
    const last = this.events.at(-1);
    if (last !== undefined && last.kind === kind && last.text === text) {
      this.events[this.events.length - 1] = { ...last, atMs: this.nowMs(), count: last.count + 1 };
      return;
    }
    this.seq += 1;
    const event = { seq: this.seq, atMs: this.nowMs(), node: this.node, kind, term, text };
    this.events.push({ ...event, count: 1 });
    if (this.events.length > this.eventsMax) this.events.shift();
  }

  /** The newest `max` events, oldest first. */
  recent(max = this.eventsMax): readonly TimelineEvent[] {
    return this.events.slice(-max);
  }
}
