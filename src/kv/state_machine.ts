/**
 * The replicated key-value state machine: string keys, JSON values, and the commands of
 * `commands.ts`. It is pure and deterministic — every replica that applies the same log reaches
 * the same state and returns the same results — so it can run inside the simulator.
 *
 * Exactly-once (§6.3 of the Raft dissertation) comes from `ClientSessions`: a duplicate gets the
 * cached result without being applied again; an older `seq` gets `stale-session`. The session
 * table is bounded by `clientSessionsMax` (least recently used evicted first, in applied order,
 * so every replica evicts the same sessions).
 */
import { assert } from "../core/types.js";
import { ClientSessions, CLIENT_SESSIONS_MAX_DEFAULT } from "./client_sessions.js";
import type { KvCommand, KvResult, KvValue } from "./commands.js";

export { CLIENT_SESSIONS_MAX_DEFAULT };

export interface KvStateMachineOptions {
  /** Upper bound on remembered client sessions (least recently used evicted first). */
  readonly clientSessionsMax?: number;
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
  private data = new Map<string, KvValue>();
  private readonly sessions: ClientSessions<KvResult>;

  /** @throws AssertionError if `clientSessionsMax` is not a positive integer. */
  constructor(options: KvStateMachineOptions = {}) {
    this.sessions = new ClientSessions<KvResult>({
      ...options,
      staleResult: { kind: "stale-session" },
    });
  }

  /** Upper bound on remembered client sessions. */
  get clientSessionsMax(): number {
    return this.sessions.clientSessionsMax;
  }

  /** Applies one committed command (or returns the cached result of a duplicate). */
  apply(command: KvCommand): KvResult {
    return this.sessions.apply(command, () => this.execute(command));
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
      sessions: this.sessions.entries(),
    };
    return encoder.encode(JSON.stringify(image));
  }

  /**
   * Replaces the whole state with a snapshot image; empty bytes mean the empty initial state.
   * @throws AssertionError if the bytes are not an image written by `snapshot()`.
   */
  restore(bytes: Uint8Array): void {
    this.data = new Map();
    this.sessions.restore([]);
    if (bytes.byteLength === 0) return;
    const image = JSON.parse(decoder.decode(bytes)) as Partial<SnapshotImage> | null;
    assert(
      image?.v === 1 && Array.isArray(image.data) && Array.isArray(image.sessions),
      "kv snapshot image has an unknown format",
    );
    const { data, sessions } = image as SnapshotImage;
    for (const [key, value] of data) this.data.set(key, value);
    this.sessions.restore(sessions);
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
}

/** Structural equality of JSON values (cas compares values, not references). */
export function jsonEqual(a: KvValue, b: KvValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
