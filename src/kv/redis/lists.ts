/**
 * List commands: LPUSH, RPOP, ... (owned by the lists/sorted-sets work).
 */
import type { RedisCommand } from "./command.js";

export const listCommands: readonly RedisCommand[] = [];
