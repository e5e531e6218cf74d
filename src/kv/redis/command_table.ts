/**
 * The one table of store commands, assembled from the per-group files. The RESP front end adds
 * its connection commands (PING, HELLO, MULTI, ...) on top; COMMAND, COMMAND INFO and COMMAND DOCS
 * describe both from these entries.
 */
import { bitCommands } from "./bits.js";
import type { RedisCommand } from "./command.js";
import { expiryCommands } from "./expiry.js";
import { hashCommands } from "./hashes.js";
import { keyCommands } from "./keys.js";
import { listCommands } from "./lists.js";
import { memoryCommands } from "./memory_command.js";
import { objectCommands } from "./object_command.js";
import { setCommands } from "./sets.js";
import { stringCommands } from "./strings.js";
import { sortedSetCommands } from "./zsets.js";

export const storeCommands: readonly RedisCommand[] = [
  ...stringCommands, ...keyCommands, ...expiryCommands, ...hashCommands, ...listCommands,
  ...setCommands, ...sortedSetCommands, ...bitCommands,
  ...objectCommands, ...memoryCommands,
];

const table: ReadonlyMap<string, RedisCommand> = new Map(storeCommands.map((c) => [c.name, c]));

/** The store command called `name` (any case), or undefined. */
export function findStoreCommand(name: string): RedisCommand | undefined {
  return table.get(name.toLowerCase());
}

/** Whether `argc` arguments (the name included) fit the command's arity. */
export function arityFits(command: RedisCommand, argc: number): boolean {
  return command.arity >= 0 ? argc === command.arity : argc >= -command.arity;
}
