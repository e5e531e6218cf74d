/**
 * Set commands: SADD, SREM, ... (owned by the hashes/sets work).
 */
import type { RedisCommand } from "./command.js";

export const setCommands: readonly RedisCommand[] = [];
