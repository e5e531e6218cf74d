/**
 * Expiry commands: EXPIRE, TTL, PERSIST, ... (owned by the strings/keys/expiry work).
 */
import type { RedisCommand } from "./command.js";

export const expiryCommands: readonly RedisCommand[] = [];
