/**
 * CONFIG GET / SET / RESETSTAT / REWRITE / HELP. GET answers the parameters clients and tools
 * probe (redis-benchmark, BullMQ, test suites) with what describes raftkv: no RDB/AOF (the Raft
 * log is the persistence), noeviction, 16 databases. SET accepts the parameters whose setting
 * changes nothing a client could rely on (encoding thresholds, slowlog, save ""), keeps the
 * value for later GETs on this node, and refuses the rest with Redis's error texts.
 */
import { argText, type CommandContext, type CommandHandler } from "./command_context.js";
import { ENCODING_PARAMETERS, encodingValue, parseEncodingValue, setEncodingValue } from "./config_encoding.js";
import { globMatch } from "./glob.js";
import { OK, array, bulk, error, mapOf, simple, type Reply } from "./reply.js";

type Value = (context: CommandContext) => string;
const fixed = (value: string): Value => () => value;

/** Every parameter CONFIG GET knows, with its value (a CONFIG SET value wins). */
const PARAMETERS: ReadonlyMap<string, Value> = new Map<string, Value>([
  ["databases", fixed("16")],
  ["save", fixed("")],
  ["appendonly", fixed("no")],
  ["appendfsync", fixed("always")],
  ["appendfilename", fixed("appendonly.aof")],
  ["dbfilename", fixed("dump.rdb")],
  ["dir", () => process.cwd()],
  ["maxmemory", fixed("0")],
  ["maxmemory-policy", fixed("noeviction")],
  ["maxmemory-samples", fixed("5")],
  ["maxmemory-eviction-tenacity", fixed("10")],
  ["maxmemory-clients", fixed("0")],
  ["maxclients", ({ server }) => String(server.clientsMax)],
  ["port", ({ server }) => String(server.port())],
  ["bind", fixed("* -::*")],
  ["timeout", fixed("0")],
  ["tcp-keepalive", fixed("300")],
  ["protected-mode", ({ server }) => (server.auth?.enabled === true ? "yes" : "no")],
  ["requirepass", fixed("")],
  ["loglevel", fixed("notice")],
  ["daemonize", fixed("no")],
  ["cluster-enabled", fixed("no")],
  ["replica-read-only", fixed("yes")],
  ["slave-read-only", fixed("yes")],
  ["stop-writes-on-bgsave-error", fixed("yes")],
  ["notify-keyspace-events", fixed("")],
  ["hz", fixed("10")],
  ["lua-time-limit", fixed("5000")],
  ["busy-reply-threshold", fixed("5000")],
  ["slowlog-log-slower-than", fixed("10000")],
  ["slowlog-max-len", fixed("128")],
  ["latency-tracking", fixed("yes")],
  ["activedefrag", fixed("no")],
  ["lazyfree-lazy-user-del", fixed("no")],
  ["lazyfree-lazy-user-flush", fixed("no")],
  ["io-threads", fixed("1")],
  ["proto-max-bulk-len", fixed("536870912")],
  ["client-query-buffer-limit", fixed("1073741824")],
  ...[...ENCODING_PARAMETERS.keys()].map((name) => [name, () => encodingValue(name) ?? ""] as const),
  ["set-max-listpack-entries", fixed("128")],
]);

/** Parameters CONFIG SET accepts (any value, or only the listed ones): none changes behaviour. */
const SETTABLE: ReadonlyMap<string, readonly string[] | null> = new Map<string, readonly string[] | null>([
  ["save", [""]],
  ["appendonly", ["no"]],
  ["maxmemory-policy", ["noeviction"]],
  ["loglevel", ["debug", "verbose", "notice", "warning", "nothing"]],
  ["timeout", null], ["hz", null], ["lua-time-limit", null], ["busy-reply-threshold", null],
  ["slowlog-log-slower-than", null], ["slowlog-max-len", null], ["latency-tracking", ["yes", "no"]],
  ["activedefrag", ["yes", "no"]], ["lazyfree-lazy-user-del", ["yes", "no"]],
  ["lazyfree-lazy-user-flush", ["yes", "no"]], ["set-max-listpack-entries", null],
]);

const EVICTION_POLICIES = "volatile-lru, volatile-lfu, volatile-random, volatile-ttl, " +
  "allkeys-lru, allkeys-lfu, allkeys-random, noeviction";

function valueOf(context: CommandContext, name: string): string {
  return context.server.config.get(name) ?? PARAMETERS.get(name)?.(context) ?? "";
}

function configGet(context: CommandContext, args: readonly Buffer[]): Reply {
  const names = new Set<string>();
  for (const arg of args.slice(2)) {
    const pattern = argText(arg);
    for (const name of PARAMETERS.keys()) {
      if (globMatch(pattern, name, true)) names.add(name);
    }
  }
  return mapOf([...names].map((name) => [bulk(name), bulk(valueOf(context, name))] as const));
}

function setError(name: string, why: string): Reply {
  return error(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`);
}

/** CONFIG SET name value [name value ...]: all or nothing, as in Redis 7. */
function configSet(context: CommandContext, args: readonly Buffer[]): Reply {
  if (args.length % 2 !== 0) return error("ERR wrong number of arguments for 'config|set' command");
  const changes: [string, string][] = [];
  for (let i = 2; i + 1 < args.length; i += 2) {
    const name = argText(args[i]).toLowerCase();
    const value = argText(args[i + 1]);
    if (!PARAMETERS.has(name)) {
      return error(`ERR Unknown option or number of arguments for CONFIG SET - '${argText(args[i])}'`);
    }
    if (name === "maxmemory-policy" && !EVICTION_POLICIES.split(", ").includes(value.toLowerCase())) {
      return setError(name, `argument(s) must be one of the following: ${EVICTION_POLICIES}`);
    }
    const encoding = parseEncodingValue(name, value);
    if (encoding !== undefined) {
      if ("why" in encoding) return setError(name, encoding.why);
      changes.push([name, value]);
      continue;
    }
    const allowed = SETTABLE.get(name);
    if (allowed === undefined) return setError(name, "raftkv does not support changing it");
    if (allowed !== null && !allowed.includes(value.toLowerCase())) {
      return setError(name, `raftkv supports only ${allowed.map((v) => `'${v}'`).join(", ")}`);
    }
    if (allowed === null && !/^-?[0-9]+$/.test(value)) return setError(name, "argument couldn't be parsed into an integer");
    changes.push([name, allowed === null ? value : value.toLowerCase()]);
  }
  for (const [name, value] of changes) {
    const encoding = parseEncodingValue(name, value);
    if (encoding !== undefined && "value" in encoding) setEncodingValue(name, encoding.value);
    else context.server.config.set(name, value);
  }
  return OK;
}

function resetStat({ server }: CommandContext): Reply {
  server.commandStats.clear();
  server.stats.commandsProcessed = 0;
  server.stats.connectionsReceived = 0;
  server.stats.rejectedConnections = 0;
  return OK;
}

const HELP = [
  "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
  "RESETSTAT", "    Reset statistics reported by the INFO command.",
  "REWRITE", "    Rewrite the configuration file.",
  "HELP", "    Prints this help.",
];

const SUBCOMMANDS: Readonly<Record<string, { arity: number; run: (c: CommandContext, a: readonly Buffer[]) => Reply }>> = {
  get: { arity: -3, run: configGet },
  set: { arity: -4, run: configSet },
  resetstat: { arity: 2, run: resetStat },
  rewrite: { arity: 2, run: () => error("ERR The server is running without a config file") },
  help: { arity: 2, run: () => array(HELP.map((line) => simple(line))) },
};

/** The subcommand names (MULTI checks them when a command is queued). */
export const CONFIG_SUBCOMMANDS: ReadonlySet<string> = new Set(Object.keys(SUBCOMMANDS));

export const config: CommandHandler = (context, args) => {
  const name = argText(args[1]).toLowerCase();
  const sub = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (sub === undefined) return error(`ERR unknown subcommand '${argText(args[1])}'. Try CONFIG HELP.`);
  const fits = sub.arity >= 0 ? args.length === sub.arity : args.length >= -sub.arity;
  if (!fits) return error(`ERR wrong number of arguments for 'config|${name}' command`);
  return sub.run(context, args);
};
