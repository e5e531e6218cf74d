/**
 * MEMORY USAGE / HELP (object.c): the bytes the store estimates for a key (the same estimate
 * INFO's used_memory and maxmemory count), not allocator bytes. raftkv has no allocator report,
 * so MEMORY DOCTOR / STATS / MALLOC-STATS / PURGE answer "unknown subcommand". A read command.
 */
import { arg, argText, command, int64Arg, lookup, optionName, SYNTAX_ERROR, type ExecContext, type RedisCommand } from "./command.js";
import type { Bytes } from "./keyspace.js";
import { NULL, array, error, integer, simple, type Reply } from "./reply.js";

const HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Prints this help.",
];

function memoryCommand(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const sub = optionName(arg(args, 1));
  if (sub === "help") {
    if (args.length !== 2) return error("ERR wrong number of arguments for 'memory|help' command");
    return array(HELP.map((line) => simple(line)));
  }
  if (sub !== "usage") return error(`ERR unknown subcommand '${argText(args[1])}'. Try MEMORY HELP.`);
  if (args.length < 3) return error("ERR wrong number of arguments for 'memory|usage' command");
  for (let i = 3; i < args.length; i += 2) {
    if (optionName(args[i]) !== "samples" || i + 1 >= args.length) return SYNTAX_ERROR;
    if (int64Arg(args[i + 1]) < 0n) return SYNTAX_ERROR; // the sample count changes nothing here
  }
  const entry = lookup(ctx, arg(args, 2));
  return entry === undefined ? NULL : integer(entry.bytes);
}

export const memoryCommands: readonly RedisCommand[] = [
  command("memory", -2, ["readonly"], {
    keys: [2, 2, 1], group: "server", since: "4.0.0", kind: "read",
    summary: "A container for memory diagnostics commands", exec: memoryCommand,
  }),
];
