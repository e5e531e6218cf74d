/** The binary key-value store for the Redis/HTTP front ends and its replicated service. */
export * from "./store_commands.js";
export * from "./store_machine.js";
export * from "./replicated_kv.js";
export { INT64_MAX, INT64_MIN, parseInt64, formatInt64 } from "./int64.js";
