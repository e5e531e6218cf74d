/**
 * The replicated key-value state machine: string keys, JSON values, and the commands of
 * `commands.ts`. It is pure and deterministic — every replica that applies the same log reaches
 * the same state and returns the same results — so it can run inside the simulator.
 *
 * Exactly-once (§6.3 of the Raft dissertation): for each client session the machine keeps the
 * last applied `seq` and its result. A command whose `seq` equals the last one is a duplicate
 * (the same proposal entered the log twice) and gets the cached result without being applied
 * again; an older `seq` gets `stale-session`.
 *
 * The session table is bounded by `clientSessionsMax`: beyond it the least recently used
 * session is evicted. Eviction is driven only by the order of applied commands, so every
 * replica evicts the same sessions at the same log index (the dissertation's requirement that
 * replicas agree on expiry). It is safe enough because a duplicate of a command only exists
 * within a short window after the original (network duplication or one client retry), while a
 * session is evicted only after `clientSessionsMax` other sessions have applied commands since
 * it last did; with a table far larger than the number of concurrently active clients, a
 * duplicate outliving its session would need the log to absorb that many clients' traffic
 * while the duplicate is in flight.
 */
import { assert } from "../core/types.js";
import type { KvCommand, KvResult, KvValue } from "./commands.js";

export const CLIENT_SESSIONS_MAX_DEFAULT = 4096;

export interface KvStateMachineOptions {
  /** Upper bound on remembered client sessions (least recently used evicted first). */
  readonly clientSessionsMax?: number;
}

interface Session {
  readonly seq: number;
  readonly result: KvResult;
}

/** The image written by `snapshot()`: the data and the sessions in least-recent-first order. */
interface SnapshotImage {
  readonly v: 1;
  readonly data: readonly (readonly [string, KvValue])[];
  readonly sessions: readonly (readonly [string, number, KvResult])[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export class KvStateMachine {
  readonly clientSessionsMax: number;
  private data = new Map<string, KvValue>();
  /** Insertion order is recency order: a touched session is deleted and re-inserted. */
  private sessions = new Map<string, Session>();

  constructor(options: KvStateMachineOptions = {}) {
    this.clientSessionsMax = options.clientSessionsMax ?? CLIENT_SESSIONS_MAX_DEFAULT;
    assert(
      Number.isSafeInteger(this.clientSessionsMax) && this.clientSessionsMax > 0,
      `clientSessionsMax must be a positive integer, got ${this.clientSessionsMax}`,
    );
  }

  /** Applies one committed command (or returns the cached result of a duplicate). */
  apply(command: KvCommand): KvResult {
    const session = this.sessions.get(command.clientId);
    if (session !== undefined) {
      if (command.seq === session.seq) {
        this.touch(command.clientId, session);
        return session.result;
      }
      if (command.seq < session.seq) return { kind: "stale-session" };
    }
    const result = this.execute(command);
    this.touch(command.clientId, { seq: command.seq, result });
    return result;
  }

  /** The current value of `key`, or null when it is absent (for local linearizable reads). */
  get(key: string): KvValue {
    return this.data.get(key) ?? null;
  }

  get size(): number {
    return this.data.size;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** A deterministic image of the whole state, sessions included. */
  snapshot(): Uint8Array {
    const image: SnapshotImage = {
      v: 1,
      data: [...this.data.entries()],
      sessions: [...this.sessions.entries()].map(([id, s]) => [id, s.seq, s.result] as const),
    };
    return encoder.encode(JSON.stringify(image));
  }

  /**
   * Replaces the whole state with a snapshot image; empty bytes mean the empty initial state.
   * @throws AssertionError if the bytes are not an image written by `snapshot()`.
   */
  restore(bytes: Uint8Array): void {
    this.data = new Map();
    this.sessions = new Map();
    if (bytes.byteLength === 0) return;
    const image = JSON.parse(decoder.decode(bytes)) as Partial<SnapshotImage> | null;
    assert(
      image?.v === 1 && Array.isArray(image.data) && Array.isArray(image.sessions),
      "kv snapshot image has an unknown format",
    );
    const { data, sessions } = image as SnapshotImage;
    for (const [key, value] of data) this.data.set(key, value);
    for (const [id, seq, result] of sessions) this.sessions.set(id, { seq, result });
  }

  private execute(command: KvCommand): KvResult {
    switch (command.op) {
      case "read":
        return { kind: "ok", value: this.get(command.key) };
      case "write":
        this.data.set(command.key, command.value);
        return { kind: "ok", value: command.value };
      case "cas": {
        if (!this.data.has(command.key)) return { kind: "key-absent" };
        const current = this.get(command.key);
        if (!jsonEqual(current, command.from)) return { kind: "precondition-failed", current };
        this.data.set(command.key, command.to);
        return { kind: "ok", value: command.to };
      }
    }
  }

  private touch(clientId: string, session: Session): void {
    this.sessions.delete(clientId);
    this.sessions.set(clientId, session);
    while (this.sessions.size > this.clientSessionsMax) {
      const oldest = this.sessions.keys().next();
      if (oldest.done === true) break;
      this.sessions.delete(oldest.value);
    }
  }
}

/** Structural equality of JSON values (cas compares values, not references). */
export function jsonEqual(a: KvValue, b: KvValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
