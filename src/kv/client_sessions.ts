/**
 * The client-session table that makes a replicated state machine apply each command exactly once
 * (§6.3 of the Raft dissertation), shared by the JSON machine (`state_machine.ts`) and the binary
 * store (`binary_store/store_machine.ts`).
 *
 * Per clientId it keeps the last applied `seq` and that command's result. A command whose `seq`
 * equals the last one is a duplicate (the same proposal entered the log twice) and gets the cached
 * result without being executed again; a smaller `seq` is older than one already applied and gets
 * the machine's stale result, so a session's commands never take effect out of order.
 *
 * The table is bounded by `clientSessionsMax`: beyond it the least recently used session is
 * evicted. Eviction is driven only by the order of applied commands, so every replica evicts the
 * same sessions at the same log index (the dissertation's requirement that replicas agree on
 * expiry). It is safe enough because a duplicate of a command only exists within a short window
 * after the original (network duplication or one client retry), while a session is evicted only
 * after `clientSessionsMax` other sessions have applied commands since it last did; with a table
 * far larger than the number of concurrently active clients, a duplicate outliving its session
 * would need the log to absorb that many clients' traffic while the duplicate is in flight.
 */
import { assert } from "../core/types.js";

export const CLIENT_SESSIONS_MAX_DEFAULT = 4096;

/** What identifies a command within its session. */
export interface SessionStamp {
  readonly clientId: string;
  readonly seq: number;
}

/** One session as `entries()` lists it and `restore()` takes it back. */
export type SessionEntry<Result> = readonly [clientId: string, seq: number, result: Result];

export interface ClientSessionsOptions<Result> {
  /** Upper bound on remembered sessions (least recently used evicted first). */
  readonly clientSessionsMax?: number;
  /** What a command older than its session's last applied one returns (it is not executed). */
  readonly staleResult: Result;
}

interface Session<Result> {
  readonly seq: number;
  readonly result: Result;
}

export class ClientSessions<Result> {
  readonly clientSessionsMax: number;
  private readonly staleResult: Result;
  /** Insertion order is recency order: a touched session is deleted and re-inserted. */
  private sessions = new Map<string, Session<Result>>();

  /** @throws AssertionError if `clientSessionsMax` is not a positive integer. */
  constructor(options: ClientSessionsOptions<Result>) {
    this.clientSessionsMax = options.clientSessionsMax ?? CLIENT_SESSIONS_MAX_DEFAULT;
    this.staleResult = options.staleResult;
    assert(
      Number.isSafeInteger(this.clientSessionsMax) && this.clientSessionsMax > 0,
      `clientSessionsMax must be a positive integer, got ${this.clientSessionsMax}`,
    );
  }

  /**
   * Runs `execute` for a new command and remembers its result; a duplicate gets the cached
   * result and an older command the stale result, neither executed.
   */
  apply(stamp: SessionStamp, execute: () => Result): Result {
    const session = this.sessions.get(stamp.clientId);
    if (session !== undefined) {
      if (stamp.seq === session.seq) {
        this.touch(stamp.clientId, session);
        return session.result;
      }
      if (stamp.seq < session.seq) return this.staleResult;
    }
    const result = execute();
    this.touch(stamp.clientId, { seq: stamp.seq, result });
    return result;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The sessions, least recently used first (the order `restore()` rebuilds). */
  entries(): SessionEntry<Result>[] {
    return [...this.sessions].map(([clientId, s]) => [clientId, s.seq, s.result] as const);
  }

  /** Replaces the table with `entries` (least recently used first), as a snapshot install does. */
  restore(entries: Iterable<SessionEntry<Result>>): void {
    this.sessions = new Map();
    for (const [clientId, seq, result] of entries) this.sessions.set(clientId, { seq, result });
  }

  private touch(clientId: string, session: Session<Result>): void {
    this.sessions.delete(clientId);
    this.sessions.set(clientId, session);
    while (this.sessions.size > this.clientSessionsMax) {
      const oldest = this.sessions.keys().next();
      if (oldest.done === true) break;
      this.sessions.delete(oldest.value);
    }
  }
}
