/**
 * Sorted-set commands: ZADD, ZRANGE, ... (owned by the lists/sorted-sets work).
 */
import type { RedisCommand } from "./command.js";

export const sortedSetCommands: readonly RedisCommand[] = [];
