/**
 * Replies are values built by the store's commands and the front end's own (connection)
 * commands alike: the type lives with the commands in kv/redis/reply.ts.
 */
export * from "../../kv/redis/reply.js";
