/**
 * CLIENT and its subcommands: ID, GETNAME, SETNAME, SETINFO, INFO, LIST (TYPE, ID filters),
 * KILL (the old `ip:port` form and the ID / ADDR / LADDR / USER / SKIPME / TYPE filters),
 * NO-EVICT, NO-TOUCH, HELP, with Redis 7.2's texts. Fields of CLIENT LIST raftkv does not track
 * (buffers, file descriptors) are reported as Redis reports an idle client's.
 */
import {
  argText, type ClientState, type CommandContext, type CommandHandler,
} from "./command_context.js";
import { NULL, OK, array, bulk, error, integer, simple, verbatim, type Reply } from "./reply.js";

/** Redis accepts names of printable ASCII without spaces. */
export function isValidClientName(name: string): boolean {
  return /^[!-~]*$/.test(name);
}

const BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

/** One line of CLIENT INFO / CLIENT LIST, in Redis 7.2's key=value format. */
export function clientInfoLine(client: ClientState, nowMs: number): string {
  const ageSeconds = Math.floor((nowMs - client.connectedAtMs) / 1000);
  const idleSeconds = Math.max(0, Math.floor((nowMs - client.lastActiveMs) / 1000));
  const flags = `${client.noEvict ? "e" : ""}${client.noTouch ? "T" : ""}` || "N";
  return `id=${client.id} addr=${client.remoteAddress} laddr=${client.localAddress} fd=-1 ` +
    `name=${client.name ?? ""} age=${ageSeconds} idle=${idleSeconds} flags=${flags} ` +
    `db=${client.db} sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 ` +
    `rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=${client.lastCommand} ` +
    `user=${client.user?.name ?? "default"} redir=-1 resp=${client.protocol} ` +
    `lib-name=${client.libName ?? ""} lib-ver=${client.libVersion ?? ""}\n`;
}

/** CLIENT INFO and LIST are verbatim strings in RESP3, bulk strings in RESP2 (as Redis). */
const text = (body: string): Reply => verbatim(body);

function list({ server }: CommandContext, args: readonly Buffer[]): Reply {
  let clients = server.clients();
  for (let i = 2; i < args.length; i += 2) {
    const option = argText(args[i]).toLowerCase();
    if (option === "type" && i + 1 < args.length) {
      const type = argText(args[i + 1]).toLowerCase();
      if (!["normal", "master", "replica", "slave", "pubsub"].includes(type)) {
        return error(`ERR Unknown client type '${argText(args[i + 1])}'`);
      }
      if (type !== "normal") clients = [];
    } else if (option === "id" && i + 1 < args.length) {
      const ids: number[] = [];
      for (const arg of args.slice(i + 1)) {
        const id = Number(argText(arg));
        if (!/^[0-9]+$/.test(argText(arg)) || id < 1) return error("ERR Invalid client ID");
        ids.push(id);
      }
      clients = clients.filter((c) => ids.includes(c.id));
      break;
    } else {
      return error("ERR syntax error");
    }
  }
  const now = Date.now();
  return text(clients.map((client) => clientInfoLine(client, now)).join(""));
}

interface KillFilter {
  id?: number;
  addr?: string;
  laddr?: string;
  user?: string;
  skipMe: boolean;
  type?: string;
}

function parseKill(args: readonly Buffer[]): KillFilter | Reply {
  const filter: KillFilter = { skipMe: true };
  for (let i = 2; i < args.length; i += 2) {
    const option = argText(args[i]).toLowerCase();
    const value = args[i + 1] === undefined ? undefined : argText(args[i + 1]);
    if (value === undefined) return error("ERR syntax error");
    if (option === "id") {
      if (!/^[0-9]+$/.test(value) || Number(value) < 1) return error("ERR client-id should be greater than 0");
      filter.id = Number(value);
    } else if (option === "addr") filter.addr = value;
    else if (option === "laddr") filter.laddr = value;
    else if (option === "user") filter.user = value;
    else if (option === "type") {
      const type = value.toLowerCase();
      if (!["normal", "master", "replica", "slave", "pubsub"].includes(type)) {
        return error(`ERR Unknown client type '${value}'`);
      }
      filter.type = type;
    } else if (option === "skipme") {
      const yes = value.toLowerCase();
      if (yes !== "yes" && yes !== "no") return error("ERR syntax error");
      filter.skipMe = yes === "yes";
    } else {
      return error("ERR syntax error");
    }
  }
  return filter;
}

function matches(client: ClientState, filter: KillFilter): boolean {
  return (filter.id === undefined || client.id === filter.id) &&
    (filter.addr === undefined || client.remoteAddress === filter.addr) &&
    (filter.laddr === undefined || client.localAddress === filter.laddr) &&
    (filter.user === undefined || (client.user?.name ?? "default") === filter.user) &&
    (filter.type === undefined || filter.type === "normal");
}

/** CLIENT KILL ip:port (OK or "No such client") | CLIENT KILL filter value ... (a count). */
function kill(context: CommandContext, args: readonly Buffer[]): Reply {
  const { server, client: me } = context;
  if (args.length === 3) {
    const target = server.clients().find((c) => c.remoteAddress === argText(args[2]));
    if (target === undefined) return error("ERR No such client");
    server.kill(target.id);
    return OK;
  }
  const filter = parseKill(args);
  if (!("skipMe" in filter)) return filter;
  if (filter.user !== undefined) {
    const known = server.auth?.enabled === true ? server.auth.hasUser(filter.user)
      : filter.user === "default";
    if (!known) return error(`ERR No such user '${filter.user}'`);
  }
  let killed = 0;
  for (const c of server.clients()) {
    if (!matches(c, filter) || (filter.skipMe && c.id === me.id)) continue;
    if (server.kill(c.id)) killed += 1;
  }
  return integer(killed);
}

function onOff(set: (client: ClientState, on: boolean) => void) {
  return ({ client }: CommandContext, args: readonly Buffer[]): Reply => {
    const value = argText(args[2]).toLowerCase();
    if (value !== "on" && value !== "off") return error("ERR syntax error");
    set(client, value === "on");
    return OK;
  };
}

const HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GETNAME", "    Return the name of the current connection.",
  "ID", "    Return the ID of the current connection.",
  "INFO", "    Return information about the current client connection.",
  "KILL <ip:port>", "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
  "    * USER <username>", "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
  "    * ID <client-id>", "      Kill connections by client id.",
  "LIST [options ...]", "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
  "    * ID <client-id> [<client-id> ...]", "      Return clients with the given ids.",
  "SETNAME <name>", "    Assign the name <name> to the current connection.",
  "SETINFO <option> <value>", "    Set client meta attr. Options are:",
  "    * LIB-NAME: the client lib name.", "    * LIB-VER: the client lib version.",
  "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
  "NO-TOUCH (ON|OFF)", "    Will not touch LRU/LFU stats when this mode is on.",
  "HELP", "    Prints this help.",
];

type Run = (context: CommandContext, args: readonly Buffer[]) => Reply;

/** Each subcommand's arity (Redis convention, counting CLIENT and the subcommand) and handler. */
const SUBCOMMANDS: Readonly<Record<string, { arity: number; run: Run }>> = {
  id: { arity: 2, run: ({ client }) => integer(client.id) },
  getname: { arity: 2, run: ({ client }) => client.name === null ? NULL : bulk(client.name) },
  setname: {
    arity: 3,
    run: ({ client }, args) => {
      const name = argText(args[2]);
      if (!isValidClientName(name)) return error(BAD_NAME);
      client.name = name === "" ? null : name;
      return OK;
    },
  },
  setinfo: {
    arity: 4,
    run: ({ client }, args) => {
      const attribute = argText(args[2]).toLowerCase();
      const value = argText(args[3]);
      if (attribute !== "lib-name" && attribute !== "lib-ver") {
        return error(`ERR Unrecognized option '${argText(args[2])}'`);
      }
      if (!isValidClientName(value)) {
        return error(`ERR ${attribute} cannot contain spaces, newlines or special characters.`);
      }
      if (attribute === "lib-name") client.libName = value;
      else client.libVersion = value;
      return OK;
    },
  },
  info: { arity: 2, run: ({ client }) => text(clientInfoLine(client, Date.now())) },
  list: { arity: -2, run: list },
  kill: { arity: -3, run: kill },
  "no-evict": { arity: 3, run: onOff((client, on) => { client.noEvict = on; }) },
  "no-touch": { arity: 3, run: onOff((client, on) => { client.noTouch = on; }) },
  help: { arity: 2, run: () => array(HELP.map((line) => simple(line))) },
};

/** The subcommand names (MULTI checks them when a command is queued). */
export const CLIENT_SUBCOMMANDS: ReadonlySet<string> = new Set(Object.keys(SUBCOMMANDS));

export const client: CommandHandler = (context, args) => {
  const name = argText(args[1]).toLowerCase();
  const subcommand = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (subcommand === undefined) {
    return error(`ERR unknown subcommand '${argText(args[1])}'. Try CLIENT HELP.`);
  }
  const fits = subcommand.arity >= 0 ? args.length === subcommand.arity
    : args.length >= -subcommand.arity;
  if (!fits) return error(`ERR wrong number of arguments for 'client|${name}' command`);
  return subcommand.run(context, args);
};
