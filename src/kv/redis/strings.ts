/**
 * String commands: GET, SET, ... (owned by the strings/keys/expiry work).
 */
import {
  arg, command, lookupTyped, optionName, SYNTAX_ERROR, fail, type RedisCommand,
} from "./command.js";
import { keyOf } from "./keyspace.js";
import { NULL, OK, bulk } from "./reply.js";

export const stringCommands: readonly RedisCommand[] = [
  command("get", 2, ["readonly", "fast"], {
    keys: [1, 1, 1], group: "string", since: "1.0.0", summary: "Returns the string value of a key.",
    kind: "read",
    exec(ctx, args) {
      const value = lookupTyped(ctx, arg(args, 1), "string");
      return value === undefined ? NULL : bulk(value);
    },
  }),
  command("set", -3, ["write", "denyoom"], {
    keys: [1, 1, 1], group: "string", since: "1.0.0",
    summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
    kind: "write",
    exec(ctx, args) {
      let condition: "nx" | "xx" | null = null;
      for (const option of args.slice(3)) {
        const name = optionName(option);
        if ((name === "nx" || name === "xx") && (condition === null || condition === name)) condition = name;
        else fail(SYNTAX_ERROR);
      }
      const key = arg(args, 1);
      const present = ctx.db.lookupForWrite(keyOf(key), ctx.nowMs, ctx.index) !== undefined;
      if ((condition === "nx" && present) || (condition === "xx" && !present)) return NULL;
      ctx.db.put(keyOf(key), { type: "string", value: Uint8Array.from(arg(args, 2)) }, ctx.index, null);
      return OK;
    },
  }),
];
