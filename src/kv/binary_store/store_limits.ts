/**
 * The configured size limits of the binary store: checked by `ReplicatedKv` before a write is
 * proposed and by `StoreMachine.validate` for every proposal (local or forwarded by a peer)
 * before it enters the log.
 */
import { ValueTooLargeError } from "../errors.js";
import type { StoreCommand } from "./store_commands.js";

export interface StoreLimits {
  readonly keyBytesMax: number;
  readonly valueBytesMax: number;
  /** Upper bound on one encoded command (a DEL of many keys). */
  readonly commandBytesMax: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = {
  keyBytesMax: 64 * 1024,
  valueBytesMax: 1024 * 1024,
  commandBytesMax: 2 * 1024 * 1024,
};

/** The first limit `command` (encoded in `commandBytes` bytes) breaks, or null. */
export function checkStoreLimits(
  command: StoreCommand, commandBytes: number, limits: StoreLimits,
): ValueTooLargeError | null {
  if (commandBytes > limits.commandBytesMax) {
    return new ValueTooLargeError("value", commandBytes, limits.commandBytesMax);
  }
  const keys = command.op === "del" ? command.keys : [command.key];
  for (const key of keys) {
    if (key.byteLength > limits.keyBytesMax) {
      return new ValueTooLargeError("key", key.byteLength, limits.keyBytesMax);
    }
  }
  for (const value of valuesOf(command)) {
    if (value.byteLength > limits.valueBytesMax) {
      return new ValueTooLargeError("value", value.byteLength, limits.valueBytesMax);
    }
  }
  return null;
}

function valuesOf(command: StoreCommand): readonly Uint8Array[] {
  switch (command.op) {
    case "set":
      return [command.value];
    case "cas":
      return command.expected === null ? [command.next] : [command.expected, command.next];
    case "del":
    case "incrBy":
      return [];
  }
}
