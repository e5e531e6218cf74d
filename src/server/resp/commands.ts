/**
 * The one table of RESP commands: name, arity (Redis convention), flags, scheduling kind and
 * handler. `resolveCommand` finds a request's command and checks its arity, with Redis 7's
 * error texts for unknown commands and wrong arity, which clients and people recognise.
 */
import { argText, type CommandHandler, type CommandSpec } from "./command_context.js";
import { auth, echo, hello, ping, quit, select } from "./commands_connection.js";
import { CLIENT_SUBCOMMANDS, client } from "./commands_client.js";
import { CONFIG_SUBCOMMANDS, config } from "./commands_config.js";
import { bgSave, functionCommand, lastSave, save, time } from "./commands_server.js";
import { commandReply } from "./command_docs.js";
import type { RedisCommand } from "../../kv/redis/command.js";
import { storeCommands } from "../../kv/redis/command_table.js";
import { transactionSpecs } from "./commands_transaction.js";
import { infoText } from "./info.js";
import { error, verbatim, type Reply } from "./reply.js";

/** INFO is a verbatim string in RESP3 (a bulk string in RESP2), as in Redis. */
const info: CommandHandler = (context, args) => verbatim(infoText(context, args));

/** The COMMAND DOCS group of the front end's own commands. */
const SERVER_GROUP: Readonly<Record<string, readonly [group: string, since: string]>> = {
  ping: ["connection", "1.0.0"], echo: ["connection", "1.0.0"], hello: ["connection", "6.0.0"],
  auth: ["connection", "1.0.0"], select: ["connection", "1.0.0"], client: ["connection", "2.4.0"],
  quit: ["connection", "1.0.0"], reset: ["connection", "6.2.0"], info: ["server", "1.0.0"],
  config: ["server", "2.0.0"], command: ["server", "2.8.13"], time: ["server", "2.6.0"],
  lastsave: ["server", "1.0.0"], save: ["server", "1.0.0"], bgsave: ["server", "1.0.0"],
  function: ["scripting", "7.0.0"], multi: ["transactions", "1.2.0"],
  exec: ["transactions", "1.2.0"], discard: ["transactions", "2.0.0"],
  watch: ["transactions", "2.2.0"], unwatch: ["transactions", "2.2.0"],
};

function spec(
  name: string,
  arity: number,
  flags: readonly string[],
  rest: Pick<CommandSpec, "kind" | "keys" | "summary" | "handler" | "subcommands">,
): CommandSpec {
  const [group, since] = SERVER_GROUP[name] ?? ["server", "1.0.0"];
  return { name, arity, flags, group, since, ...rest };
}

const NO_KEYS = [0, 0, 0] as const;

const specs: readonly CommandSpec[] = [
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
    subcommands: CLIENT_SUBCOMMANDS,
  }),
  spec("quit", -1, ["loading", "stale", "fast", "no_auth"], {
    kind: "local", keys: NO_KEYS, summary: "Closes the connection.", handler: quit,
  }),
  spec("info", -1, ["loading", "stale"], {
    kind: "local", keys: NO_KEYS, summary: "Returns server and Raft information.", handler: info,
  }),
  spec("config", -2, ["admin", "noscript", "loading", "stale"], {
    kind: "local", keys: NO_KEYS, summary: "Gets, sets and resets configuration and statistics.",
    handler: config, subcommands: CONFIG_SUBCOMMANDS,
  }),
  spec("command", -1, ["loading", "stale"], {
    kind: "local", keys: NO_KEYS, summary: "Describes the commands.",
    handler: (_context, args) => commandReply(allSpecs(), findSpec, args),
  }),
  spec("time", 1, ["loading", "stale", "fast"], {
    kind: "local", keys: NO_KEYS, summary: "Returns the server time.", handler: time,
  }),
  spec("lastsave", 1, ["loading", "stale", "fast"], {
    kind: "local", keys: NO_KEYS, summary: "Returns the time of the last snapshot.",
    handler: lastSave,
  }),
  spec("save", 1, ["admin", "noscript"], {
    kind: "local", keys: NO_KEYS, summary: "Takes a Raft snapshot now and waits for it.",
    handler: save,
  }),
  spec("function", -2, ["noscript"], {
    kind: "local", keys: NO_KEYS, summary: "FLUSH and LIST (raftkv has no functions).",
    handler: functionCommand,
    subcommands: new Set(["delete", "dump", "flush", "help", "kill", "list", "load", "restore", "stats"]),
  }),
  spec("bgsave", -1, ["admin", "noscript"], {
    kind: "local", keys: NO_KEYS, summary: "Starts a Raft snapshot.", handler: bgSave,
  }),
  ...transactionSpecs,
];

const table: ReadonlyMap<string, CommandSpec> = new Map(specs.map((s) => [s.name, s]));

/** An argument as Redis's `%s` prints it: up to its first NUL byte. */
function cText(arg: Buffer | undefined): string {
  const nul = arg?.indexOf(0) ?? -1;
  return argText(nul < 0 ? arg : arg?.subarray(0, nul));
}

/**
 * Redis 7's text: at most 128 characters of arguments, each quoted and followed by a space;
 * CR and LF each become a space (Redis keeps an error on one line that way).
 */
function unknownCommand(args: readonly Buffer[]): Reply {
  let shown = "";
  for (const arg of args.slice(1)) {
    if (shown.length >= 128) break;
    shown += `'${cText(arg).slice(0, 128 - shown.length)}' `;
  }
  const text = `ERR unknown command '${cText(args[0]).slice(0, 128)}', ` +
    `with args beginning with: ${shown}`;
  return error(text.replace(/[\r\n]/g, " "));
}

/** A store command (kv/redis/) as the front end runs it: through `KvService.command`. */
function storeSpec(command: RedisCommand): CommandSpec {
  return {
    name: command.name, arity: command.arity, flags: command.flags, kind: command.kind,
    keys: command.keys, summary: command.summary, group: command.group, since: command.since,
    handler: ({ service, client }, args) => service.command(client.db, args),
  };
}

const storeSpecs: ReadonlyMap<string, CommandSpec> = new Map(storeCommands.map((c) => [c.name, storeSpec(c)]));

/** The command called `name` (lower case): the store's, else the front end's own. */
function findSpec(name: string): CommandSpec | undefined {
  return storeSpecs.get(name) ?? table.get(name);
}

/** Whether `name` (lower case) is a command of the table. */
export function isKnownCommand(name: string): boolean {
  return findSpec(name) !== undefined;
}

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
