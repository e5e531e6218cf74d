/**
 * Handlers of the key-value commands: GET, SET, DEL, EXISTS, INCR, INCRBY, CAS, DBSIZE. Each
 * checks its arguments, calls the `KvService` once and shapes the reply; errors the service
 * throws are turned into replies by `error_replies.ts`, in `dispatch.ts`.
 */
import type { SetCondition } from "../kv_service.js";
import { argText, parseInt64, type CommandHandler } from "./command_context.js";
import { NULL, OK, bulk, error, integer, type Reply } from "./reply.js";

const NOT_AN_INTEGER = error("ERR value is not an integer or out of range");
const SYNTAX_ERROR = error("ERR syntax error");

function arg(args: readonly Buffer[], index: number): Buffer {
  const value = args[index];
  // The dispatcher checked the arity before calling the handler.
  if (value === undefined) throw new RangeError(`missing argument ${index}`);
  return value;
}

export const get: CommandHandler = async ({ service }, args) => {
  const value = await service.get(arg(args, 1));
  return value === null ? NULL : bulk(value);
};

const ttlOptions = new Set(["ex", "px", "exat", "pxat", "keepttl"]);

/** SET's options: NX or XX; TTL options are refused loudly rather than silently ignored. */
function parseSetCondition(options: readonly Buffer[]): SetCondition | undefined | Reply {
  let condition: SetCondition | undefined;
  for (const option of options) {
    const name = argText(option).toLowerCase();
    if (name === "nx" || name === "xx") {
      if (condition !== undefined && condition !== name) return SYNTAX_ERROR;
      condition = name;
    } else if (ttlOptions.has(name)) {
      return error(`ERR SET ${name.toUpperCase()} is not supported: raftkv keys have no TTL`);
    } else if (name === "get") {
      return error("ERR SET GET is not supported by raftkv");
    } else {
      return SYNTAX_ERROR;
    }
  }
  return condition;
}

export const set: CommandHandler = async ({ service }, args) => {
  const condition = parseSetCondition(args.slice(3));
  if (typeof condition === "object") return condition;
  const options = condition === undefined ? {} : { condition };
  const written = await service.set(arg(args, 1), arg(args, 2), options);
  return written ? OK : NULL;
};

export const del: CommandHandler = async ({ service }, args) =>
  integer(await service.del(args.slice(1)));

export const exists: CommandHandler = async ({ service }, args) =>
  integer(await service.exists(args.slice(1)));

export const incr: CommandHandler = async ({ service }, args) =>
  integer(await service.incrBy(arg(args, 1), 1n));

export const incrBy: CommandHandler = async ({ service }, args) => {
  const delta = parseInt64(args[2]);
  if (delta === null) return NOT_AN_INTEGER;
  return integer(await service.incrBy(arg(args, 1), delta));
};

/** CAS key expected new: 1 if the value was `expected` and is now `new`, else 0. */
export const cas: CommandHandler = async ({ service }, args) => {
  const swapped = await service.cas(arg(args, 1), arg(args, 2), arg(args, 3));
  return integer(swapped ? 1 : 0);
};

export const dbSize: CommandHandler = async ({ service }) => integer(await service.dbSize());
