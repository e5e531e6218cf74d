/**
 * What every store command is: a name, Redis's arity and flags, its key positions, and an `exec`
 * function from (context, arguments) to a `Reply`. `exec` runs in two places:
 * - while applying a log entry (`ctx.write`): on every replica, with the entry's replicated time
 *   and seed, so it must be deterministic (no clock, no unseeded randomness, no dependence on
 *   anything but the keyspace and its arguments);
 * - for a read command, locally after a read barrier (`!ctx.write`): it must not change anything.
 *
 * A command validates all its arguments before it changes anything (a reply error thrown midway
 * would leave a partial change). Errors are replies: return `error(...)` or throw `CommandError`
 * (the engine turns it into the reply), e.g. `WRONGTYPE` from `lookupTyped`.
 */
import { error, type Reply } from "./reply.js";
import type { Bytes, Db, KeyEntry, Keyspace, RedisType, ValueOf } from "./keyspace.js";
import { keyOf } from "./keyspace.js";
import type { CommandRandom } from "./random.js";

export interface ExecContext {
  readonly keyspace: Keyspace;
  /** The selected database (SELECT); a transaction's SELECT changes it for later commands. */
  db: Db;
  /** Replicated milliseconds since the epoch: the entry's time, or the local read's time. */
  readonly nowMs: number;
  /** The log index being applied (a read: the applied index); the modification index of writes. */
  readonly index: number;
  readonly random: CommandRandom;
  /** True while applying a log entry; false for a local read (which must change nothing). */
  readonly write: boolean;
}

export type CommandKind = "read" | "write";

export interface RedisCommand {
  /** Lower case, as COMMAND reports it; subcommands are not separate entries. */
  readonly name: string;
  /** Redis convention: counts the command name; negative -N means "at least N". */
  readonly arity: number;
  /** Redis's COMMAND flags, e.g. "write", "readonly", "denyoom", "fast". */
  readonly flags: readonly string[];
  /** Positions of the first and last key argument and the step between keys (COMMAND). */
  readonly keys: readonly [first: number, last: number, step: number];
  /** COMMAND DOCS: the group ("string", "generic", "hash", ...), version, summary. */
  readonly group: string;
  readonly since: string;
  readonly summary: string;
  /** `write` commands go through the log; `read` commands run locally after a read barrier. */
  readonly kind: CommandKind;
  exec(ctx: ExecContext, args: readonly Bytes[]): Reply;
}

/** A reply error thrown from deep inside a command; the engine answers with `reply`. */
export class CommandError extends Error {
  override readonly name = "CommandError";
  constructor(readonly reply: Reply) {
    super(reply.type === "error" ? reply.text : "command error");
  }
}

export const WRONGTYPE_TEXT = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const WRONGTYPE = error(WRONGTYPE_TEXT);
export const SYNTAX_ERROR = error("ERR syntax error");
export const NOT_INTEGER = error("ERR value is not an integer or out of range");
export const NOT_FLOAT = error("ERR value is not a valid float");

/** Throws `reply` as a CommandError. */
export function fail(reply: Reply): never {
  throw new CommandError(reply);
}

/** The argument at `index` (the engine checked the arity, so it exists). */
export function arg(args: readonly Bytes[], index: number): Bytes {
  const value = args[index];
  if (value === undefined) throw new CommandError(error("ERR wrong number of arguments"));
  return value;
}

/** The name a command's argv starts with, as typed (latin1, without copying the bytes). */
export function commandName(argv: readonly Bytes[]): string {
  const name = argv[0];
  return name === undefined ? "" : keyOf(name);
}

/** An argument as text (option names, error messages). */
export function argText(value: Bytes | undefined): string {
  return value === undefined ? "" : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8");
}

/** An option name, lower-cased, for case-insensitive comparison. */
export function optionName(value: Bytes | undefined): string {
  return argText(value).toLowerCase();
}

const int64Pattern = /^-?(0|[1-9][0-9]{0,18})$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A signed 64-bit decimal integer as Redis's string2ll reads it (no '+', no leading 0), or null. */
export function parseInt64(value: Bytes | undefined): bigint | null {
  if (value === undefined || value.byteLength > 20) return null;
  const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1");
  if (!int64Pattern.test(text)) return null;
  const n = BigInt(text);
  return n < INT64_MIN || n > INT64_MAX ? null : n;
}

/** As `parseInt64`, throwing `NOT_INTEGER` (or `reply`) when it is not one. */
export function int64Arg(value: Bytes | undefined, reply: Reply = NOT_INTEGER): bigint {
  const n = parseInt64(value);
  if (n === null) fail(reply);
  return n;
}

/** A safe JavaScript integer argument (counts, indexes), or throws `NOT_INTEGER` / `reply`. */
export function intArg(value: Bytes | undefined, reply: Reply = NOT_INTEGER): number {
  const n = int64Arg(value, reply);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    // Redis accepts the whole 64-bit range for indexes; beyond 2^53 every list is shorter.
    return n > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  }
  return Number(n);
}

/** The live entry at `key` (while applying, an expired key is removed first). */
export function lookup(ctx: ExecContext, key: Bytes): KeyEntry | undefined {
  return ctx.write
    ? ctx.db.lookupForWrite(keyOf(key), ctx.nowMs, ctx.index)
    : ctx.db.lookup(keyOf(key), ctx.nowMs);
}

/**
 * The value at `key` if it has type `type`, undefined if the key is absent.
 * @throws CommandError WRONGTYPE when it holds another type.
 */
export function lookupTyped<T extends RedisType>(
  ctx: ExecContext, key: Bytes, type: T,
): ValueOf<T> | undefined {
  const entry = lookup(ctx, key);
  if (entry === undefined) return undefined;
  if (entry.value.type !== type) fail(WRONGTYPE);
  return entry.value.value as unknown as ValueOf<T>;
}



/** Builds a command description (the table's entries). */
export function command(
  name: string, arity: number, flags: readonly string[],
  rest: Omit<RedisCommand, "name" | "arity" | "flags">,
): RedisCommand {
  return { name, arity, flags, ...rest };
}
