/**
 * The run's trace hash: every delivered or dropped message, crash, restart, partition, pause,
 * disk fault and client event is folded, in order, into a 64-bit FNV-1a hash (two 32-bit lanes
 * with different offsets). Rerunning a seed must give the same hash; any divergence — a Map
 * iterated in a different order, a stray Math.random — shows up as a different hash. Numbers are
 * mixed directly, without building strings, because this runs on every event.
 */
import type { MessageType } from "../core/messages.js";

const PRIME = 0x01000193;

/** The event codes of trace records. */
export const TRACE = {
  text: 1, deliver: 2, drop: 3, request: 4, reply: 5, client: 6, tick: 7,
} as const;

const MESSAGE_CODES: Record<MessageType, number> = {
  PreVote: 1, PreVoteResponse: 2, RequestVote: 3, RequestVoteResponse: 4, AppendEntries: 5,
  AppendEntriesResponse: 6, Heartbeat: 7, HeartbeatResponse: 8, InstallSnapshot: 9, Propose: 10,
  ReadIndexRequest: 11, ReadIndexResponse: 12, TimeoutNow: 13,
};

export class TraceHash {
  private a = 0x811c9dc5;
  private b = 0x050c5d1f;
  count = 0;

  /** Folds one non-negative integer (up to 2^53) into the hash. */
  mix(value: number): void {
    const low = value >>> 0;
    const high = Math.floor(value / 0x100000000) >>> 0;
    this.a = Math.imul(this.a ^ low, PRIME) >>> 0;
    this.a = Math.imul(this.a ^ high, PRIME) >>> 0;
    this.b = Math.imul(this.b ^ high, PRIME) >>> 0;
    this.b = Math.imul(this.b ^ low, PRIME) >>> 0;
  }

  /** Folds a string (for rare events: partitions, crashes). */
  mixString(text: string): void {
    for (let i = 0; i < text.length; i++) this.mix(text.charCodeAt(i));
  }

  /**
   * One trace record: an event code and up to four numeric fields (fixed arity, unused fields
   * are 0, so a record costs no array allocation).
   */
  record(code: number, a: number, b = 0, c = 0, d = 0): void {
    this.count++;
    this.mix(code);
    this.mix(a);
    this.mix(b);
    this.mix(c);
    this.mix(d);
  }

  hex(): string {
    return this.a.toString(16).padStart(8, "0") + this.b.toString(16).padStart(8, "0");
  }
}

export function messageCode(type: MessageType): number {
  return MESSAGE_CODES[type];
}

/** A hash over several runs' hashes, for the summary of a sweep. */
export function combineHashes(hashes: readonly string[]): string {
  const t = new TraceHash();
  for (const h of hashes) t.mixString(h);
  return t.hex();
}
