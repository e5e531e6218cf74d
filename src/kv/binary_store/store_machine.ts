/**
 * The binary-safe key-value state machine behind the Redis/HTTP front ends: the Redis store of
 * kv/redis/ (16 databases, every type, TTLs on the replicated clock) applied from the log, plus
 * the typed SET (NX/XX), DEL, INCRBY and CAS the HTTP API and Maelstrom use (on database 0).
 * Reads run on local state after a read barrier. It is deterministic: every replica applying
 * the same log reaches the same state and results.
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
import { WrongTypeError } from "../errors.js";
import type { StateMachine, ValidationStage } from "../../node/index.js";
import {
  ClientSessions, CLIENT_SESSIONS_MAX_DEFAULT, type SessionEntry,
} from "../client_sessions.js";
import { RedisEngine } from "../redis/engine.js";
import { Keyspace, keyOf, type Db } from "../redis/keyspace.js";
import { keyspaceFromWire, writeKeyspace } from "../redis/keyspace_image.js";
import { MsgpackWriter } from "../redis/msgpack_writer.js";
import { integer } from "../redis/reply.js";
import { replyFromWire, replyToWire } from "../redis/reply_wire.js";
import { applyTransaction, pruneTombstones, removeExpired } from "../redis/transactions.js";
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
  /**
   * TEST-ONLY deliberate bug (RuntimeBugs.storeClockInApply): run commands at this clock
   * instead of the entry's stamp, so the simulator's divergence check has something to catch.
   */
  readonly clockInApplyBug?: () => number;
}

/** 1: strings only, no TTLs (read for old snapshots); 2: the Redis keyspace and clock. */
const SNAPSHOT_VERSION = 2;

function sameBytes(a: Bytes, b: Bytes): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
    .equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export class StoreMachine implements StateMachine<StoreResult> {
  /** The Redis store; `engine.keyspace.db(0)` holds what the typed operations touch. */
  readonly engine = new RedisEngine();
  private readonly sessions: ClientSessions<StoreResult>;
  private readonly limits: StoreLimits;
  private readonly clockInApplyBug: (() => number) | null;
  /** The command `validate` decoded last, so `apply` of the same bytes need not decode again. */
  private validated: { readonly bytes: Uint8Array; readonly command: StoreCommand } | null = null;

  /** @throws AssertionError if `clientSessionsMax` is not a positive integer. */
  constructor(options: StoreMachineOptions = {}) {
    this.limits = options.limits ?? DEFAULT_STORE_LIMITS;
    this.clockInApplyBug = options.clockInApplyBug ?? null;
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
  apply(bytes: Uint8Array, index: number): StoreResult {
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
    const result = this.sessions.apply(command, () => this.execute(command, index));
    pruneTombstones(this.engine.keyspace);
    return result;
  }

  /** Database 0, where the typed operations (HTTP, Maelstrom) live. */
  private get db0(): Db {
    return this.engine.keyspace.db(0);
  }

  /**
   * The string at `key` in database 0 as of `wallMs` (local state: call after a read barrier),
   * or null. @throws WrongTypeError when the key holds another type.
   */
  get(key: Bytes, wallMs = 0): Bytes | null {
    const entry = this.db0.lookup(keyOf(key), Math.max(this.engine.clockMs, wallMs));
    if (entry === undefined) return null;
    if (entry.value.type !== "string") throw new WrongTypeError();
    return entry.value.value;
  }

  /** How many of `keys` exist in database 0 (a key named twice counts twice). */
  exists(keys: readonly Bytes[], wallMs = 0): number {
    const nowMs = Math.max(this.engine.clockMs, wallMs);
    let count = 0;
    for (const key of keys) if (this.db0.lookup(keyOf(key), nowMs) !== undefined) count++;
    return count;
  }

  /** Keys in database 0 (expired ones not yet removed included, as Redis's DBSIZE). */
  get size(): number {
    return this.db0.size;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** A compact, deterministic binary image: clock, keyspace, then sessions, in msgpack. */
  snapshot(): Uint8Array {
    const sessions: unknown[] = [];
    for (const [id, seq, result] of this.sessions.entries()) {
      sessions.push(id, seq, resultToWire(result));
    }
    // [version, clock, keyspace, sessions], the keyspace written straight into the buffer.
    const w = new MsgpackWriter(this.engine.keyspace.usedBytes + 64 * 1024);
    w.array(4);
    w.number(SNAPSHOT_VERSION);
    w.number(this.engine.clockMs);
    writeKeyspace(w, this.engine.keyspace);
    w.raw(packStore(sessions));
    return w.bytes();
  }

  /**
   * Replaces the state with an image from `snapshot()`; empty bytes mean the empty state.
   * @throws AssertionError if the bytes are not such an image.
   */
  restore(image: Uint8Array): void {
    this.engine.keyspace = new Keyspace();
    this.engine.clockMs = 0;
    this.sessions.restore([]);
    if (image.byteLength === 0) return;
    const parsed = unpackStore(image);
    assert(Array.isArray(parsed), "store snapshot image has an unknown format");
    let sessions: unknown[];
    if (parsed[0] === 1) {
      // Version 1: [1, flat key/value strings, sessions].
      const [, data, oldSessions] = parsed as [number, unknown, unknown];
      assert(Array.isArray(data) && Array.isArray(oldSessions), "store snapshot image v1 is malformed");
      for (let i = 0; i + 1 < data.length; i += 2) {
        const key: unknown = data[i];
        const value: unknown = data[i + 1];
        assert(key instanceof Uint8Array && value instanceof Uint8Array, "store snapshot entry is not binary");
        this.db0.put(keyOf(key), { type: "string", value: plainBytes(value) }, 0, null);
      }
      sessions = oldSessions;
    } else {
      assert(parsed[0] === SNAPSHOT_VERSION && typeof parsed[1] === "number" && Array.isArray(parsed[3]),
        `store snapshot image has an unknown format (version ${String(parsed[0])})`);
      this.engine.clockMs = parsed[1];
      this.engine.keyspace = keyspaceFromWire(parsed[2]);
      sessions = parsed[3] as unknown[];
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

  private execute(command: StoreCommand, index: number): StoreResult {
    if (command.op === "redis") {
      const stamp = this.clockInApplyBug === null ? command : { ...command, stampMs: this.clockInApplyBug() };
      return { kind: "reply", reply: this.engine.applyCommand(stamp, command.argv, index) };
    }
    if (command.op === "multi") return { kind: "reply", reply: applyTransaction(this.engine, command, index) };
    if (command.op === "expire") {
      const nowMs = this.engine.advanceClock(command.stampMs);
      return { kind: "reply", reply: integer(removeExpired({ nowMs, index }, this.engine.keyspace, command.db, command.keys)) };
    }
    // The typed operations run at the replicated clock as it stands (they carry no stamp).
    const nowMs = this.engine.clockMs;
    const db = this.db0;
    switch (command.op) {
      case "set": {
        const key = keyOf(command.key);
        const present = db.lookupForWrite(key, nowMs, index) !== undefined;
        if ((command.condition === "nx" && present) || (command.condition === "xx" && !present)) {
          return { kind: "written", written: false };
        }
        db.put(key, { type: "string", value: command.value }, index, null);
        return { kind: "written", written: true };
      }
      case "del": {
        let count = 0;
        for (const key of command.keys) {
          const name = keyOf(key);
          if (db.lookupForWrite(name, nowMs, index) !== undefined && db.remove(name, index)) count++;
        }
        return { kind: "deleted", count };
      }
      case "incrBy":
        return this.incrBy(keyOf(command.key), command.delta, index);
      case "cas": {
        const key = keyOf(command.key);
        const value = db.lookupForWrite(key, nowMs, index)?.value;
        if (value !== undefined && value.type !== "string") return { kind: "error", code: "WRONGTYPE" };
        const current = value?.value;
        const matches = command.expected === null
          ? current === undefined
          : current !== undefined && sameBytes(current, command.expected);
        if (matches) db.put(key, { type: "string", value: command.next }, index, null);
        if (!matches && current === undefined) {
          return { kind: "written", written: false, absent: true };
        }
        return { kind: "written", written: matches };
      }
      default:
        return assertNever(command, "store command");
    }
  }

  private incrBy(key: string, delta: bigint, index: number): StoreResult {
    const db = this.db0;
    const stored = db.lookupForWrite(key, this.engine.clockMs, index)?.value;
    if (stored !== undefined && stored.type !== "string") return { kind: "error", code: "WRONGTYPE" };
    const current = stored === undefined ? 0n : parseInt64(stored.value);
    if (current === null) return { kind: "error", code: "NOT_INTEGER" };
    const value = current + delta;
    if (!isInt64(value)) return { kind: "error", code: "INTEGER_OVERFLOW" };
    // INCR keeps the key's TTL, as Redis does.
    db.put(key, { type: "string", value: formatInt64(value) }, index, "keep");
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
    case "reply":
      return ["r", replyToWire(result.reply)];
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
  if (tag === "e" && (value === "NOT_INTEGER" || value === "INTEGER_OVERFLOW" || value === "WRONGTYPE")) {
    return { kind: "error", code: value };
  }
  if (tag === "r") return { kind: "reply", reply: replyFromWire(value) };
  if (tag === "s") return { kind: "stale" };
  if (tag === "v" && typeof value === "string") return { kind: "invalid", reason: value };
  throw new StoreCommandDecodeError(`store snapshot result ${JSON.stringify(tag)} is malformed`);
}
