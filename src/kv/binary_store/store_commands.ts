/**
 * The write commands of the binary key-value store (the Redis command set the RESP and HTTP
 * front ends need) and their compact wire form: a msgpack tuple, keys and values as msgpack
 * `bin` (binary-safe), the 64-bit INCRBY delta as decimal text (exact, no float rounding).
 *
 * Every command carries the client session that issued it (`clientId`, `seq`): applying is
 * exactly-once and in session order (§6.3 of the Raft dissertation; see store_machine.ts).
 * Reads (GET, EXISTS, DBSIZE) are not commands: they are served from local state after a read
 * barrier, never through the log.
 */
import { Packr, Unpackr } from "msgpackr";
import { assertNever } from "../../core/index.js";
import { DATABASES } from "../redis/keyspace.js";
import type { Reply } from "../redis/reply.js";
import type { WatchedKey } from "../redis/transactions.js";
import { parseInt64 } from "./int64.js";

export type Bytes = Uint8Array;
export type SetCondition = "nx" | "xx";

export interface StoreSession {
  /** One per ReplicatedKv instance (process incarnation); never reused. */
  readonly clientId: string;
  /** Strictly increasing per clientId, in call order. */
  readonly seq: number;
}

export type StoreCommand = StoreSession & (
  | { readonly op: "set"; readonly key: Bytes; readonly value: Bytes; readonly condition: SetCondition | null }
  | { readonly op: "del"; readonly keys: readonly Bytes[] }
  | { readonly op: "incrBy"; readonly key: Bytes; readonly delta: bigint }
  | { readonly op: "cas"; readonly key: Bytes; readonly expected: Bytes | null; readonly next: Bytes }
  /**
   * Any store command of the Redis table (kv/redis/), run on database `db` at the replicated
   * time `stampMs` (the proposer's wall clock; the store never lets time go back) with the
   * random `seed` for the commands that choose (SPOP, ...).
   */
  | {
    readonly op: "redis"; readonly db: number; readonly stampMs: number; readonly seed: number;
    readonly argv: readonly Bytes[];
  }
  /**
   * A transaction (MULTI ... EXEC, kv/redis/transactions.ts): the queued `commands` run one after
   * another in this one entry, at one stamp, unless a key of `watches` changed since its WATCH.
   */
  | {
    readonly op: "multi"; readonly db: number; readonly stampMs: number; readonly seed: number;
    readonly watches: readonly WatchedKey[]; readonly commands: readonly (readonly Bytes[])[];
  }
  /**
   * Active expiry (active_expiry.ts): removes those of `keys` in database `db` that are expired
   * at the entry's time. The leader proposes it; a key written since is left alone.
   */
  | { readonly op: "expire"; readonly db: number; readonly stampMs: number; readonly keys: readonly Bytes[] }
);

export type StoreOp = StoreCommand["op"];

/** The outcome of applying a command: part of the replicated state (cached per session). */
export type StoreResult =
  /**
   * SET (false: the NX/XX condition did not hold) and CAS (false: the value differed; `absent`
   * when it failed because the key did not exist).
   */
  | { readonly kind: "written"; readonly written: boolean; readonly absent?: true }
  /** DEL: how many of the keys existed. */
  | { readonly kind: "deleted"; readonly count: number }
  /** INCRBY: the new value. */
  | { readonly kind: "integer"; readonly value: bigint }
  /**
   * INCRBY on a non-integer value, or a result outside the signed 64-bit range, or a string
   * operation on a key of another type: no change.
   */
  | { readonly kind: "error"; readonly code: "NOT_INTEGER" | "INTEGER_OVERFLOW" | "WRONGTYPE" }
  /** A Redis command's reply (errors included: they are replies). */
  | { readonly kind: "reply"; readonly reply: Reply }
  /** An older command of a session that already applied a newer one: ignored. */
  | { readonly kind: "stale" }
  /** The entry's bytes were not a store command: ignored (every replica agrees). */
  | { readonly kind: "invalid"; readonly reason: string };

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, copyBuffers: true });

/** msgpack, configured once for the store (records off: every blob decodes on its own). */
export function packStore(value: unknown): Uint8Array {
  return packr.pack(value);
}

/** @throws Error (msgpackr's) when `bytes` is not valid msgpack. */
export function unpackStore(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes) as unknown;
}

const CONDITIONS = { nx: 1, xx: 2 } as const;

/** Encodes a command for `propose`. */
export function encodeStoreCommand(command: StoreCommand): Uint8Array {
  const head = [command.clientId, command.seq] as const;
  switch (command.op) {
    case "set":
      return packStore(["s", ...head, command.key, command.value,
        command.condition === null ? 0 : CONDITIONS[command.condition]]);
    case "del":
      return packStore(["d", ...head, command.keys]);
    case "incrBy":
      return packStore(["i", ...head, command.key, command.delta.toString()]);
    case "cas":
      return packStore(["c", ...head, command.key, command.expected, command.next]);
    case "redis":
      return packStore(["r", ...head, command.db, command.stampMs, command.seed, command.argv]);
    case "multi":
      return packStore(["m", ...head, command.db, command.stampMs, command.seed,
        command.watches.flatMap((w) => [w.db, w.key, w.index, w.expired ? 1 : 0]), command.commands]);
    case "expire":
      return packStore(["e", ...head, command.db, command.stampMs, command.keys]);
    default:
      return assertNever(command, "store command");
  }
}

/** A log entry's bytes are not a store command. */
export class StoreCommandDecodeError extends Error {
  override readonly name = "StoreCommandDecodeError";
  readonly code = "STORE_COMMAND_INVALID";
}

function isBytes(value: unknown): value is Bytes {
  return value instanceof Uint8Array;
}

/** A plain Uint8Array view (msgpackr hands out Buffers; callers compare with Uint8Arrays). */
export function plainBytes(value: Uint8Array): Bytes {
  return value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

const textEncoder = new TextEncoder();

function bytesField(value: unknown, what: string): Bytes {
  if (!isBytes(value)) throw new StoreCommandDecodeError(`${what} is not binary`);
  return plainBytes(value);
}

/**
 * Decodes the bytes of a store command.
 * @throws StoreCommandDecodeError when they are not one.
 */
export function decodeStoreCommand(bytes: Uint8Array): StoreCommand {
  let parsed: unknown;
  try {
    parsed = unpackStore(bytes);
  } catch (error) {
    throw new StoreCommandDecodeError(`not msgpack (${error instanceof Error ? error.message : "?"})`);
  }
  if (!Array.isArray(parsed) || parsed.length < 4) throw new StoreCommandDecodeError("not a command tuple");
  const [tag, clientId, seq, a, b, c, d, e] = parsed as unknown[];
  if (typeof clientId !== "string" || typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) {
    throw new StoreCommandDecodeError("bad session");
  }
  const session = { clientId, seq };
  switch (tag) {
    case "s": {
      const condition = c === 1 ? "nx" : c === 2 ? "xx" : c === 0 ? null : undefined;
      if (condition === undefined) throw new StoreCommandDecodeError("bad SET condition");
      return { op: "set", ...session, key: bytesField(a, "key"), value: bytesField(b, "value"), condition };
    }
    case "d":
      if (!Array.isArray(a)) throw new StoreCommandDecodeError("DEL keys are not a list");
      return { op: "del", ...session, keys: (a as unknown[]).map((k) => bytesField(k, "key")) };
    case "i": {
      // The same signed 64-bit rule as the stored value (int64.ts), so no replica ever adds an
      // out-of-range delta that a crafted entry carried.
      const delta = typeof b === "string" ? parseInt64(textEncoder.encode(b)) : null;
      if (delta === null) throw new StoreCommandDecodeError("bad INCRBY delta");
      return { op: "incrBy", ...session, key: bytesField(a, "key"), delta };
    }
    case "c":
      return {
        op: "cas", ...session, key: bytesField(a, "key"),
        expected: b === null ? null : bytesField(b, "expected value"), next: bytesField(c, "new value"),
      };
    case "r":
      return {
        op: "redis", ...session, db: dbField(a), stampMs: stampField(b), seed: seedField(c),
        argv: argvField(d),
      };
    case "m": {
      if (!Array.isArray(e)) throw new StoreCommandDecodeError("transaction commands are not a list");
      return {
        op: "multi", ...session, db: dbField(a), stampMs: stampField(b), seed: seedField(c),
        watches: watchesField(d), commands: (e as unknown[]).map(argvField),
      };
    }
    case "e":
      if (!Array.isArray(c)) throw new StoreCommandDecodeError("expired keys are not a list");
      return {
        op: "expire", ...session, db: dbField(a), stampMs: stampField(b),
        keys: (c as unknown[]).map((k) => bytesField(k, "key")),
      };
    default:
      throw new StoreCommandDecodeError(`unknown tag ${JSON.stringify(tag)}`);
  }
}

function dbField(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value >= DATABASES) {
    throw new StoreCommandDecodeError("bad database");
  }
  return value;
}

function stampField(value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new StoreCommandDecodeError("bad time stamp");
  }
  return value;
}

function seedField(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new StoreCommandDecodeError("bad seed");
  }
  return value;
}

function argvField(value: unknown): Bytes[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new StoreCommandDecodeError("command arguments are not a list");
  }
  return (value as unknown[]).map((x) => bytesField(x, "argument"));
}

/** WATCHed keys, flat: database, key, watch index, 1 if it was already expired at the WATCH. */
function watchesField(value: unknown): WatchedKey[] {
  if (!Array.isArray(value) || value.length % 4 !== 0) {
    throw new StoreCommandDecodeError("watched keys are not a list");
  }
  const flat = value as unknown[];
  const watches: WatchedKey[] = [];
  for (let i = 0; i < flat.length; i += 4) {
    const index = flat[i + 2];
    const expired = flat[i + 3];
    if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0 ||
      (expired !== 0 && expired !== 1)) {
      throw new StoreCommandDecodeError("bad watched key");
    }
    watches.push({ db: dbField(flat[i]), key: bytesField(flat[i + 1], "watched key"), index, expired: expired === 1 });
  }
  return watches;
}
