/**
 * The one table of RESP commands: name, arity (Redis convention), flags, scheduling kind and
 * handler. `resolveCommand` finds a request's command and checks its arity, with Redis 7's
 * error texts for unknown commands and wrong arity, which clients and people recognise.
 */
import {
  argText,
  type CommandContext,
  type CommandHandler,
  type CommandSpec,
} from "./command_context.js";
import { auth, client, echo, hello, ping, quit, select } from "./commands_connection.js";
import { cas, dbSize, del, exists, incr, incrBy } from "./commands_keys.js";
import type { RedisCommand } from "../../kv/redis/command.js";
import { storeCommands } from "../../kv/redis/command_table.js";
import { transactionSpecs } from "./commands_transaction.js";
import { infoText } from "./info.js";
import { NULL, array, bulk, error, integer, map, simple, type Reply } from "./reply.js";

const info: CommandHandler = async (context, args) => bulk(await infoText(context, args));

/** CONFIG GET answers with no parameters, so tools that probe it (redis-benchmark) carry on. */
const config: CommandHandler = (_context, args) =>
  argText(args[1]).toLowerCase() === "get"
    ? map([])
    : error(`ERR unknown subcommand '${argText(args[1])}'. Try CONFIG HELP.`);

function spec(
  name: string,
  arity: number,
  flags: readonly string[],
  rest: Pick<CommandSpec, "kind" | "keys" | "summary" | "handler">,
): CommandSpec {
  return { name, arity, flags, ...rest };
}

const NO_KEYS = [0, 0, 0] as const;

const specs: readonly CommandSpec[] = [
  spec("del", -2, ["write"], {
    kind: "write", keys: [1, -1, 1], summary: "Deletes keys.", handler: del,
  }),
  spec("exists", -2, ["readonly", "fast"], {
    kind: "read", keys: [1, -1, 1], summary: "Counts the keys that exist.", handler: exists,
  }),
  spec("incr", 2, ["write", "denyoom", "fast"], {
    kind: "write", keys: [1, 1, 1], summary: "Adds 1 to a key's integer value.", handler: incr,
  }),
  spec("incrby", 3, ["write", "denyoom", "fast"], {
    kind: "write", keys: [1, 1, 1], summary: "Adds to a key's integer value.", handler: incrBy,
  }),
  spec("cas", 4, ["write", "denyoom"], {
    kind: "write", keys: [1, 1, 1], summary: "Sets a key to new if it holds expected.",
    handler: cas,
  }),
  spec("dbsize", 1, ["readonly", "fast"], {
    kind: "read", keys: NO_KEYS, summary: "Returns the number of keys.", handler: dbSize,
  }),
  spec("ping", -1, ["fast", "stale"], {
    kind: "local", keys: NO_KEYS, summary: "Returns PONG, or the message.", handler: ping,
  }),
  spec("echo", 2, ["fast", "stale"], {
    kind: "local", keys: NO_KEYS, summary: "Returns the message.", handler: echo,
  }),
  spec("hello", -1, ["noscript", "loading", "stale", "fast", "no_auth"], {
    kind: "local", keys: NO_KEYS, summary: "Handshakes: protocol version, name.", handler: hello,
  }),
  spec("auth", -2, ["noscript", "loading", "stale", "fast", "no_auth"], {
    kind: "local", keys: NO_KEYS, summary: "Authenticates as a configured user.", handler: auth,
  }),
  // Scheduled (as a read), not local: a pipelined command parsed before it but still waiting
  // to start must not run in the database it selects.
  spec("select", 2, ["loading", "stale", "fast"], {
    kind: "read", keys: NO_KEYS, summary: "Changes the selected database.", handler: select,
  }),
  spec("client", -2, ["loading", "stale"], {
    kind: "local", keys: NO_KEYS, summary: "Manages the connection.", handler: client,
  }),
  spec("quit", -1, ["loading", "stale", "fast", "no_auth"], {
    kind: "local", keys: NO_KEYS, summary: "Closes the connection.", handler: quit,
  }),
  spec("info", -1, ["loading", "stale"], {
    kind: "local", keys: NO_KEYS, summary: "Returns server and Raft information.", handler: info,
  }),
  spec("config", -2, ["loading", "stale"], {
    kind: "local", keys: NO_KEYS, summary: "CONFIG GET returns no parameters.", handler: config,
  }),
  spec("command", -1, ["loading", "stale"], {
    kind: "local", keys: NO_KEYS, summary: "Describes the commands.",
    handler: (context, args) => command(context, args),
  }),
  ...transactionSpecs,
];

const table: ReadonlyMap<string, CommandSpec> = new Map(specs.map((s) => [s.name, s]));

function commandEntry(s: CommandSpec): Reply {
  return array([
    bulk(s.name), integer(s.arity), array(s.flags.map((flag) => simple(flag))),
    integer(s.keys[0]), integer(s.keys[1]), integer(s.keys[2]),
    array([]), array([]), array([]), array([]),
  ]);
}

function commandDocs(s: CommandSpec): Reply {
  return map([["summary", bulk(s.summary)], ["since", bulk("1.0.0")], ["group", bulk("generic")]]);
}

/** COMMAND [COUNT | LIST | INFO name... | DOCS name...] */
function command(_context: CommandContext, args: readonly Buffer[]): Reply {
  const sub = argText(args[1]).toLowerCase();
  const specs = allSpecs();
  const named = args.slice(2).map((arg) => {
    const name = argText(arg).toLowerCase();
    return storeSpecs.get(name) ?? table.get(name);
  });
  switch (sub) {
    case "":
      return array(specs.map(commandEntry));
    case "count":
      return integer(specs.length);
    case "list":
      return array(specs.map((s) => bulk(s.name)));
    case "info":
      return array((args.length > 2 ? named : specs)
        .map((s) => s === undefined ? NULL : commandEntry(s)));
    case "docs": {
      const chosen = args.length > 2 ? named.filter((s) => s !== undefined) : specs;
      return map(chosen.map((s) => [s.name, commandDocs(s)] as const));
    }
    default:
      return error(`ERR unknown subcommand '${argText(args[1])}'. Try COMMAND HELP.`);
  }
}

/** Redis 7's text: at most 128 characters of arguments, each quoted and followed by a space. */
function unknownCommand(args: readonly Buffer[]): Reply {
  let shown = "";
  for (const arg of args.slice(1)) {
    if (shown.length >= 128) break;
    shown += `'${argText(arg).slice(0, 128 - shown.length)}' `;
  }
  return error(`ERR unknown command '${argText(args[0]).slice(0, 128)}', ` +
    `with args beginning with: ${shown}`);
}

/** A store command (kv/redis/) as the front end runs it: through `KvService.command`. */
function storeSpec(command: RedisCommand): CommandSpec {
  return {
    name: command.name, arity: command.arity, flags: command.flags, kind: command.kind,
    keys: command.keys, summary: command.summary,
    handler: ({ service, client }, args) => service.command(client.db, args),
  };
}

const storeSpecs: ReadonlyMap<string, CommandSpec> = new Map(storeCommands.map((c) => [c.name, storeSpec(c)]));

/** The command a request names, or the error reply for an unknown command or wrong arity. */
export function resolveCommand(args: readonly Buffer[]): CommandSpec | Reply {
  const name = argText(args[0]).toLowerCase();
  const found = storeSpecs.get(name) ?? table.get(name);
  if (found === undefined) return unknownCommand(args);
  const arityOk = found.arity >= 0 ? args.length === found.arity : args.length >= -found.arity;
  if (!arityOk) return error(`ERR wrong number of arguments for '${name}' command`);
  return found;
}

/** Whether `spec` runs in the store (KvService.command). */
export function isStoreSpec(spec: CommandSpec): boolean {
  return storeSpecs.get(spec.name) === spec;
}

export function isCommandSpec(value: CommandSpec | Reply): value is CommandSpec {
  return "handler" in value;
}

/** Every command: the store's, then the front end's own. */
function allSpecs(): readonly CommandSpec[] {
  return [...storeSpecs.values(), ...specs.filter((s) => !storeSpecs.has(s.name))];
}

export const commandSpecs: readonly CommandSpec[] = allSpecs();
