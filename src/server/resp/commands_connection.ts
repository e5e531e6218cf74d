/**
 * Handlers of the connection commands: PING, ECHO, HELLO, AUTH, SELECT, QUIT (CLIENT is in
 * commands_client.ts). They touch only the client's own state, never the store, so they run at
 * once (kind "local").
 */
import { DATABASES } from "../../kv/redis/keyspace.js";
import {
  argText, parseInt64, type CommandContext, type CommandHandler,
} from "./command_context.js";
import { isValidClientName } from "./commands_client.js";
import { authCommand, authenticate, helloNeedsAuth } from "../auth/resp_auth.js";
import { OK, array, bulk, error, integer, map, simple, type Reply } from "./reply.js";

/** The Redis version raftkv's command set follows; clients gate features on it. */
export const REDIS_COMPAT_VERSION = "7.2.4";

export const ping: CommandHandler = (_context, args) =>
  args.length > 2 ? error("ERR wrong number of arguments for 'ping' command")
    : args[1] === undefined ? simple("PONG") : bulk(args[1]);

export const echo: CommandHandler = (_context, args) => bulk(args[1] ?? "");


function helloReply({ client, service }: CommandContext): Reply {
  return map([
    ["server", bulk("raftkv")],
    ["version", bulk(REDIS_COMPAT_VERSION)],
    ["proto", integer(client.protocol)],
    ["id", integer(client.id)],
    ["mode", bulk("standalone")],
    ["role", bulk(service.status().role === "leader" ? "master" : "replica")],
    ["modules", array([])],
  ]);
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
export const hello: CommandHandler = (context, args) => {
  let protocol = context.client.protocol;
  let name: string | undefined;
  let credentials: [string, string] | undefined;
  if (args[1] !== undefined) {
    const version = Number(argText(args[1]));
    if (!Number.isSafeInteger(version)) {
      return error("ERR Protocol version is not an integer or out of range");
    }
    if (version !== 2 && version !== 3) return error("NOPROTO unsupported protocol version");
    protocol = version;
  }
  for (let i = 2; i < args.length; i += 1) {
    const option = argText(args[i]).toLowerCase();
    if (option === "auth" && i + 2 < args.length) {
      credentials = [argText(args[i + 1]), argText(args[i + 2])];
      i += 2;
    } else if (option === "setname" && i + 1 < args.length) {
      name = argText(args[i + 1]);
      if (!isValidClientName(name)) {
        return error("ERR Client names cannot contain spaces, newlines or special characters.");
      }
      i += 1;
    } else {
      return error(`ERR Syntax error in HELLO option '${argText(args[i])}'`);
    }
  }
  // Nothing changes unless every option was valid and the client is authenticated, as in Redis.
  const finish = (refused: Reply | null): Reply => {
    if (refused !== null) return refused;
    context.client.protocol = protocol;
    if (name !== undefined) context.client.name = name === "" ? null : name;
    return helloReply(context);
  };
  if (credentials === undefined) return finish(helloNeedsAuth(context));
  return authenticate(context, ...credentials).then(finish);
};

export const auth: CommandHandler = authCommand;

export const select: CommandHandler = ({ client }, args) => {
  // Redis reads the index as a C int (string2ll, then a range check): "01", "+1" and 2^63 are
  // not integers; beyond the int range is its own error.
  const index = parseInt64(args[1]);
  if (index === null) return error("ERR value is not an integer or out of range");
  if (index < -(2n ** 31n) || index >= 2n ** 31n) {
    return error("ERR value is out of range, value must between -2147483648 and 2147483647");
  }
  const db = Number(index);
  if (db < 0 || db >= DATABASES) return error("ERR DB index is out of range");
  client.db = db;
  return OK;
};

export const quit: CommandHandler = ({ client }) => {
  client.closeAfterReply = true;
  return OK;
};
