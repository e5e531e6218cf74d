/**
 * The configured size limits of the binary store: checked by `ReplicatedKv` before a write is
 * proposed and by `StoreMachine.validate` for every proposal (local or forwarded by a peer)
 * before it enters the log.
 */
import { ValueTooLargeError } from "../errors.js";
import { commandName, type RedisCommand } from "../redis/command.js";
import { findStoreCommand } from "../redis/command_table.js";
import { error } from "../redis/reply.js";
import type { StoreCommand } from "./store_commands.js";

export interface StoreLimits {
  readonly keyBytesMax: number;
  readonly valueBytesMax: number;
  /** Upper bound on one encoded command (a DEL of many keys). */
  readonly commandBytesMax: number;
  /**
   * Redis's maxmemory: past this estimate of the keyspace's size (Keyspace.usedBytes), commands
   * flagged "denyoom" are refused with -OOM when proposed (noeviction). 0: no limit.
   */
  readonly maxmemoryBytes?: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = {
  keyBytesMax: 64 * 1024,
  valueBytesMax: 1024 * 1024,
  commandBytesMax: 2 * 1024 * 1024,
  maxmemoryBytes: 0,
};

/** Redis's reply to a "denyoom" command past maxmemory. */
export const OOM_REPLY = error("OOM command not allowed when used memory > 'maxmemory'.");

/** EXEC of a transaction with a "denyoom" command past maxmemory (Redis's execCommandAbort). */
export const EXEC_OOM_REPLY = error(
  "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.");

/** The first limit `command` (encoded in `commandBytes` bytes) breaks, or null. */
export function checkStoreLimits(
  command: StoreCommand, commandBytes: number, limits: StoreLimits,
): ValueTooLargeError | null {
  return checkCommandBytes(commandBytes, limits) ?? checkArguments(keysOf(command), valuesOf(command), limits);
}

/** The encoded command's own limit: what a batch of already checked commands must still pass. */
export function checkCommandBytes(commandBytes: number, limits: StoreLimits): ValueTooLargeError | null {
  return commandBytes > limits.commandBytesMax
    ? new ValueTooLargeError("value", commandBytes, limits.commandBytesMax)
    : null;
}

/**
 * The key and value limits of one Redis-table command whose table entry the caller has found
 * (the same checks, in the same order, as `checkStoreLimits` of it).
 */
export function checkCommandArguments(
  spec: RedisCommand, argv: readonly Uint8Array[], limits: StoreLimits,
): ValueTooLargeError | null {
  return checkArguments(keysBySpec(spec, argv), argv, limits);
}

function checkArguments(
  keys: readonly Uint8Array[], values: readonly Uint8Array[], limits: StoreLimits,
): ValueTooLargeError | null {
  for (const key of keys) {
    if (key.byteLength > limits.keyBytesMax) {
      return new ValueTooLargeError("key", key.byteLength, limits.keyBytesMax);
    }
  }
  for (const value of values) {
    if (value.byteLength > limits.valueBytesMax) {
      return new ValueTooLargeError("value", value.byteLength, limits.valueBytesMax);
    }
  }
  return null;
}

/** The key arguments of a Redis-table command, by its key positions (first, last, step). */
export function commandKeys(argv: readonly Uint8Array[]): Uint8Array[] {
  const spec = findStoreCommand(commandName(argv));
  return spec === undefined ? [] : keysBySpec(spec, argv);
}

function keysBySpec(spec: RedisCommand, argv: readonly Uint8Array[]): Uint8Array[] {
  const [first, lastSpec, step] = spec.keys;
  if (first <= 0 || step <= 0) return [];
  const last = lastSpec < 0 ? argv.length + lastSpec : lastSpec;
  const keys: Uint8Array[] = [];
  for (let i = first; i <= last && i < argv.length; i += step) keys.push(argv[i] as Uint8Array);
  return keys;
}

function keysOf(command: StoreCommand): readonly Uint8Array[] {
  switch (command.op) {
    case "del":
      return command.keys;
    case "redis":
      return commandKeys(command.argv);
    case "multi":
      return [...command.watches.map((w) => w.key), ...command.commands.flatMap(commandKeys)];
    case "expire":
      return command.keys;
    case "set":
    case "cas":
    case "incrBy":
      return [command.key];
  }
}

function valuesOf(command: StoreCommand): readonly Uint8Array[] {
  switch (command.op) {
    case "redis":
      return command.argv;
    case "multi":
      return command.commands.flat();
    case "set":
      return [command.value];
    case "cas":
      return command.expected === null ? [command.next] : [command.expected, command.next];
    case "del":
    case "incrBy":
    case "expire":
      return [];
  }
}
