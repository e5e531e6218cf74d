/**
 * Key commands: DEL, EXISTS, KEYS, SCAN, RENAME, ... (owned by the strings/keys/expiry work).
 */
import type { RedisCommand } from "./command.js";

export const keyCommands: readonly RedisCommand[] = [];
