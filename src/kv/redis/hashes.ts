/**
 * Hash commands: HSET, HGET, ... (owned by the hashes/sets work).
 */
import type { RedisCommand } from "./command.js";

export const hashCommands: readonly RedisCommand[] = [];
