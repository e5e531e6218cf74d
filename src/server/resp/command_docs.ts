/**
 * COMMAND and its subcommands (COUNT, LIST, INFO, DOCS, GETKEYS, HELP), answered from the one
 * command table: the store's commands (kv/redis/command_table.ts, with their group, version and
 * summary) and the front end's own. Entries follow Redis 7's shape: name, arity, flags, first
 * key, last key, step, ACL categories, tips, key specs, subcommands (the last three empty).
 */
import { argText, type CommandSpec } from "./command_context.js";
import { globMatch } from "./glob.js";
import { NULL, array, bulk, error, integer, map, simple, type Reply } from "./reply.js";

const ACL_GROUP: Readonly<Record<string, string>> = {
  string: "@string", list: "@list", hash: "@hash", set: "@set", sorted_set: "@sortedset",
  generic: "@keyspace", connection: "@connection", server: "@admin", transactions: "@transaction",
  bitmap: "@bitmap",
};

function categories(s: CommandSpec): string[] {
  const out: string[] = [];
  if (s.kind === "write") out.push("@write");
  if (s.kind === "read") out.push("@read");
  const group = ACL_GROUP[s.group ?? ""];
  if (group !== undefined) out.push(group);
  out.push(s.flags.includes("fast") ? "@fast" : "@slow");
  return out;
}

function entry(s: CommandSpec): Reply {
  return array([
    bulk(s.name), integer(s.arity), array(s.flags.map((flag) => simple(flag))),
    integer(s.keys[0]), integer(s.keys[1]), integer(s.keys[2]),
    array(categories(s).map((c) => simple(c))), array([]), array([]), array([]),
  ]);
}

function docs(s: CommandSpec): Reply {
  return map([
    ["summary", bulk(s.summary)], ["since", bulk(s.since ?? "1.0.0")],
    ["group", bulk(s.group ?? "generic")],
  ]);
}

/** The key arguments of a full command, by its key positions; a Reply when there are none. */
function getKeys(find: (name: string) => CommandSpec | undefined, argv: readonly Buffer[]): Reply {
  const s = find(argText(argv[0]).toLowerCase());
  if (s === undefined) return error("ERR Invalid command specified");
  const fits = s.arity >= 0 ? argv.length === s.arity : argv.length >= -s.arity;
  if (!fits) return error("ERR Invalid number of arguments specified for command");
  const [first, last, step] = s.keys;
  if (first === 0 || step <= 0) return error("ERR The command has no key arguments");
  const end = last < 0 ? argv.length + last : last;
  const keys: Reply[] = [];
  for (let i = first; i <= end && i < argv.length; i += step) keys.push(bulk(argv[i] ?? ""));
  return array(keys);
}

const HELP = [
  "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "(no subcommand)", "    Return details about all Redis commands.",
  "COUNT", "    Return the total number of commands in this Redis server.",
  "LIST", "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>", "    Return the keys from a full Redis command.",
  "HELP", "    Prints this help.",
];

function list(specs: readonly CommandSpec[], args: readonly Buffer[]): Reply {
  if (args.length === 2) return array(specs.map((s) => bulk(s.name)));
  if (args.length !== 5 || argText(args[2]).toLowerCase() !== "filterby") return error("ERR syntax error");
  const kind = argText(args[3]).toLowerCase();
  const value = argText(args[4]);
  let chosen: readonly CommandSpec[];
  if (kind === "pattern") chosen = specs.filter((s) => globMatch(value, s.name, true));
  else if (kind === "aclcat") chosen = specs.filter((s) => categories(s).includes(`@${value.toLowerCase()}`));
  else if (kind === "module") chosen = [];
  else return error("ERR syntax error");
  return array(chosen.map((s) => bulk(s.name)));
}

/** COMMAND [COUNT | LIST | INFO name... | DOCS name... | GETKEYS command... | HELP] */
export function commandReply(
  specs: readonly CommandSpec[], find: (name: string) => CommandSpec | undefined,
  args: readonly Buffer[],
): Reply {
  if (args.length === 1) return array(specs.map(entry));
  const sub = argText(args[1]).toLowerCase();
  const named = args.slice(2).map((arg) => find(argText(arg).toLowerCase()));
  const arity = (ok: boolean): Reply | null =>
    ok ? null : error(`ERR wrong number of arguments for 'command|${sub}' command`);
  switch (sub) {
    case "count":
      return arity(args.length === 2) ?? integer(specs.length);
    case "list":
      return list(specs, args);
    case "info":
      return array((args.length > 2 ? named : specs).map((s) => s === undefined ? NULL : entry(s)));
    case "docs": {
      const chosen = args.length > 2 ? named.filter((s) => s !== undefined) : specs;
      return map(chosen.map((s) => [s.name, docs(s)] as const));
    }
    case "getkeys":
      return arity(args.length >= 4) ?? getKeys(find, args.slice(2));
    case "help":
      return arity(args.length === 2) ?? array(HELP.map((line) => simple(line)));
    default:
      return error(`ERR unknown subcommand '${argText(args[1])}'. Try COMMAND HELP.`);
  }
}
