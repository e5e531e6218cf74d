/**
 * The binary-safe key-value state machine behind the Redis/HTTP front ends: SET (NX/XX), DEL,
 * INCRBY, CAS through the log; GET, EXISTS, DBSIZE from local state after a read barrier. It is
 * deterministic: every replica applying the same log reaches the same state and results.
 *
 * Sessions (`ClientSessions`, §6.3 of the Raft dissertation) give exactly-once AND session
 * order: a duplicate (its proposal reached the log twice) gets the cached result; a command with
 * a smaller `seq` than one already applied (a duplicate, or a proposal overtaken across a
 * leadership change) is ignored with `stale`, so a session's writes never take effect out of
 * call order. The table is bounded (`clientSessionsMax`, least recently used evicted first).
 *
 * Keys are held as latin1 strings (one char per byte: an exact, cheap, binary-safe map key).
 */
import { assert, assertNever } from "../../core/index.js";
import type { StateMachine, ValidationStage } from "../../node/index.js";
import {
  ClientSessions, CLIENT_SESSIONS_MAX_DEFAULT, type SessionEntry,
} from "../client_sessions.js";
import { formatInt64, isInt64, parseInt64 } from "./int64.js";
import { checkStoreLimits, DEFAULT_STORE_LIMITS, type StoreLimits } from "./store_limits.js";
import {
  decodeStoreCommand, packStore, plainBytes, unpackStore, StoreCommandDecodeError, type Bytes, type StoreCommand,
  type StoreResult,
} from "./store_commands.js";

export const STORE_SESSIONS_MAX_DEFAULT = CLIENT_SESSIONS_MAX_DEFAULT;

export interface StoreMachineOptions {
  readonly clientSessionsMax?: number;
  /** The sizes `validate` enforces on proposals (default DEFAULT_STORE_LIMITS). */
  readonly limits?: StoreLimits;
}

const SNAPSHOT_VERSION = 1;

function keyOf(bytes: Bytes): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

function bytesOfKey(key: string): Bytes {
  return Buffer.from(key, "latin1");
}

function sameBytes(a: Bytes, b: Bytes): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
    .equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export class StoreMachine implements StateMachine<StoreResult> {
  private data = new Map<string, Bytes>();
  private readonly sessions: ClientSessions<StoreResult>;
  private readonly limits: StoreLimits;
  /** The command `validate` decoded last, so `apply` of the same bytes need not decode again. */
  private validated: { readonly bytes: Uint8Array; readonly command: StoreCommand } | null = null;

  /** @throws AssertionError if `clientSessionsMax` is not a positive integer. */
  constructor(options: StoreMachineOptions = {}) {
    this.limits = options.limits ?? DEFAULT_STORE_LIMITS;
    this.sessions = new ClientSessions<StoreResult>({
      clientSessionsMax: options.clientSessionsMax ?? STORE_SESSIONS_MAX_DEFAULT,
      staleResult: { kind: "stale" },
    });
  }

  /** Upper bound on remembered client sessions. */
  get clientSessionsMax(): number {
    return this.sessions.clientSessionsMax;
  }

  /**
   * Whether `bytes` is a store command (a known op with well-formed arguments) and, when
   * proposed, within this store's configured size limits (StateMachine.validate). At "apply"
   * only the format is checked: the limits may differ between replicas' configurations.
   */
  validate(bytes: Uint8Array, stage: ValidationStage): Error | null {
    let command: StoreCommand;
    try {
      command = decodeStoreCommand(bytes);
    } catch (error) {
      if (error instanceof StoreCommandDecodeError) return error;
      throw error;
    }
    this.validated = { bytes, command };
    return stage === "apply" ? null : checkStoreLimits(command, bytes.byteLength, this.limits);
  }

  /** Applies one committed command; never throws for bad input (every replica must agree). */
  apply(bytes: Uint8Array): StoreResult {
    let command: StoreCommand;
    const validated = this.validated;
    this.validated = null;
    if (validated?.bytes === bytes) {
      command = validated.command;
    } else {
      try {
        command = decodeStoreCommand(bytes);
      } catch (error) {
        if (error instanceof StoreCommandDecodeError) {
          return { kind: "invalid", reason: error.message };
        }
        throw error;
      }
    }
    return this.sessions.apply(command, () => this.execute(command));
  }

  /** The value at `key`, or null (local state: call after a read barrier). */
  get(key: Bytes): Bytes | null {
    return this.data.get(keyOf(key)) ?? null;
  }

  /** How many of `keys` exist (a key named twice counts twice). */
  exists(keys: readonly Bytes[]): number {
    let count = 0;
    for (const key of keys) if (this.data.has(keyOf(key))) count++;
    return count;
  }

  get size(): number {
    return this.data.size;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** A compact, deterministic binary image: data then sessions, each flattened, in msgpack. */
  snapshot(): Uint8Array {
    const data: Bytes[] = [];
    for (const [key, value] of this.data) data.push(bytesOfKey(key), value);
    const sessions: unknown[] = [];
    for (const [id, seq, result] of this.sessions.entries()) {
      sessions.push(id, seq, resultToWire(result));
    }
    return packStore([SNAPSHOT_VERSION, data, sessions]);
  }

  /**
   * Replaces the state with an image from `snapshot()`; empty bytes mean the empty state.
   * @throws AssertionError if the bytes are not such an image.
   */
  restore(image: Uint8Array): void {
    this.data = new Map();
    this.sessions.restore([]);
    if (image.byteLength === 0) return;
    const parsed = unpackStore(image);
    assert(Array.isArray(parsed) && parsed[0] === SNAPSHOT_VERSION && Array.isArray(parsed[1])
      && Array.isArray(parsed[2]), "store snapshot image has an unknown format");
    const [, data, sessions] = parsed as [number, unknown[], unknown[]];
    for (let i = 0; i + 1 < data.length; i += 2) {
      const key = data[i];
      const value = data[i + 1];
      assert(key instanceof Uint8Array && value instanceof Uint8Array, "store snapshot entry is not binary");
      this.data.set(keyOf(key), plainBytes(value));
    }
    const entries: SessionEntry<StoreResult>[] = [];
    for (let i = 0; i + 2 < sessions.length; i += 3) {
      const id = sessions[i];
      const seq = sessions[i + 1];
      assert(typeof id === "string" && typeof seq === "number", "store snapshot session is malformed");
      entries.push([id, seq, resultFromWire(sessions[i + 2])]);
    }
    this.sessions.restore(entries);
  }

  private execute(command: StoreCommand): StoreResult {
    switch (command.op) {
      case "set": {
        const key = keyOf(command.key);
        const present = this.data.has(key);
        if ((command.condition === "nx" && present) || (command.condition === "xx" && !present)) {
          return { kind: "written", written: false };
        }
        this.data.set(key, command.value);
        return { kind: "written", written: true };
      }
      case "del": {
        let count = 0;
        for (const key of command.keys) if (this.data.delete(keyOf(key))) count++;
        return { kind: "deleted", count };
      }
      case "incrBy":
        return this.incrBy(keyOf(command.key), command.delta);
      case "cas": {
        const key = keyOf(command.key);
        const current = this.data.get(key);
        const matches = command.expected === null
          ? current === undefined
          : current !== undefined && sameBytes(current, command.expected);
        if (matches) this.data.set(key, command.next);
        if (!matches && current === undefined) {
          return { kind: "written", written: false, absent: true };
        }
        return { kind: "written", written: matches };
      }
      default:
        return assertNever(command, "store command");
    }
  }

  private incrBy(key: string, delta: bigint): StoreResult {
    const stored = this.data.get(key);
    const current = stored === undefined ? 0n : parseInt64(stored);
    if (current === null) return { kind: "error", code: "NOT_INTEGER" };
    const value = current + delta;
    if (!isInt64(value)) return { kind: "error", code: "INTEGER_OVERFLOW" };
    this.data.set(key, formatInt64(value));
    return { kind: "integer", value };
  }
}

/** Results as plain msgpack values (bigint as decimal text). */
function resultToWire(result: StoreResult): unknown {
  switch (result.kind) {
    case "written":
      return result.absent === true ? ["w", result.written, true] : ["w", result.written];
    case "deleted":
      return ["d", result.count];
    case "integer":
      return ["i", result.value.toString()];
    case "error":
      return ["e", result.code];
    case "stale":
      return ["s"];
    case "invalid":
      return ["v", result.reason];
    default:
      return assertNever(result, "store result");
  }
}

function resultFromWire(wire: unknown): StoreResult {
  assert(Array.isArray(wire), "store snapshot result is malformed");
  const [tag, value] = wire as unknown[];
  if (tag === "w" && typeof value === "boolean") {
    return (wire as unknown[])[2] === true
      ? { kind: "written", written: value, absent: true }
      : { kind: "written", written: value };
  }
  if (tag === "d" && typeof value === "number") return { kind: "deleted", count: value };
  if (tag === "i" && typeof value === "string") return { kind: "integer", value: BigInt(value) };
  if (tag === "e" && (value === "NOT_INTEGER" || value === "INTEGER_OVERFLOW")) return { kind: "error", code: value };
  if (tag === "s") return { kind: "stale" };
  if (tag === "v" && typeof value === "string") return { kind: "invalid", reason: value };
  throw new StoreCommandDecodeError(`store snapshot result ${JSON.stringify(tag)} is malformed`);
}
