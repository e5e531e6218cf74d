/**
 * Authentication and authorisation on the Redis protocol, with Redis 7.2's error texts (clients
 * and people recognise them; Debian's redis-server 7.0 words NOPERM as "this user has ..."):
 *
 *   -NOAUTH Authentication required.                       a command before AUTH
 *   -WRONGPASS invalid username-password pair or user is disabled.
 *   -NOPERM User <name> has no permissions to run the '<command>' command
 *
 * As in Redis, an unknown command or wrong arity is reported before NOAUTH, and HELLO, AUTH and
 * QUIT (flag `no_auth`) run unauthenticated. With no users configured, nothing needs AUTH and
 * `AUTH default <anything>` succeeds, as with Redis's passwordless default user.
 */
import type { CommandContext, CommandSpec } from "../resp/command_context.js";
import { argText } from "../resp/command_context.js";
import { OK, error, type Reply } from "../resp/reply.js";
import type { Permission } from "./client_auth.js";

const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
const NOAUTH = "NOAUTH Authentication required.";
const HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, " +
  "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and " +
  "select the RESP protocol version at the same time";
const NO_PASSWORD_CONFIGURED = "ERR AUTH <password> called without any password configured " +
  "for the default user. Are you sure your configuration is correct?";

/**
 * The permission a command needs; null: any authenticated client may run it. CLIENT LIST shows
 * every connection's address and user and CLIENT KILL closes others' connections, so they are
 * admin (as in Redis), as are SAVE and BGSAVE (flag "admin"); the rest of CLIENT is not.
 */
export function permissionOf(spec: CommandSpec, args: readonly Buffer[]): Permission | null {
  if (spec.name === "config" || spec.flags.includes("admin")) return "admin";
  if (spec.name === "client") {
    return ["list", "kill"].includes(subcommandOf(args)) ? "admin" : null;
  }
  if (spec.name === "info") return "read";
  if (spec.kind === "read") return "read";
  if (spec.kind === "write") return "write";
  return null;
}

function subcommandOf(args: readonly Buffer[]): string {
  return argText(args[1]).toLowerCase();
}

/** Redis names a subcommand as `parent|sub` in NOPERM. */
function commandLabel(spec: CommandSpec, args: readonly Buffer[]): string {
  return (spec.name === "config" || spec.name === "client") && args[1] !== undefined
    ? `${spec.name}|${subcommandOf(args)}`
    : spec.name;
}

/** The refusal for running `spec` now, or null when the client may run it. */
export function authorizeCommand(
  context: CommandContext,
  spec: CommandSpec,
  args: readonly Buffer[],
): Reply | null {
  const auth = context.server.auth;
  if (auth?.enabled !== true || spec.flags.includes("no_auth")) return null;
  const user = context.client.user;
  if (user === null) return error(NOAUTH);
  const needed = permissionOf(spec, args);
  if (needed === null || user.permissions.has(needed)) return null;
  return error(`NOPERM User ${user.name} has no permissions to run the ` +
    `'${commandLabel(spec, args)}' command`);
}

/**
 * Checks a name and password and, when they match, makes the client that user.
 * @returns null on success, else the WRONGPASS reply.
 */
export async function authenticate(
  context: CommandContext,
  name: string,
  password: string,
): Promise<Reply | null> {
  const auth = context.server.auth;
  if (auth?.enabled !== true) return name === "default" ? null : error(WRONGPASS);
  const user = await auth.verifyPassword(name, password);
  if (user === null) {
    context.logger.info({ clientId: context.client.id, user: name,
      addr: context.client.remoteAddress }, "RESP authentication failed");
    return error(WRONGPASS);
  }
  context.client.user = user;
  return null;
}

/** HELLO without AUTH from a client not yet authenticated. */
export function helloNeedsAuth(context: CommandContext): Reply | null {
  return context.server.auth?.enabled === true && context.client.user === null
    ? error(HELLO_NOAUTH)
    : null;
}

/** AUTH [username] password */
export async function authCommand(
  context: CommandContext,
  args: readonly Buffer[],
): Promise<Reply> {
  if (args.length > 3) return error("ERR syntax error");
  if (args.length === 2 && context.server.auth?.enabled !== true) {
    return error(NO_PASSWORD_CONFIGURED);
  }
  const name = args.length === 3 ? argText(args[1]) : "default";
  const password = argText(args.length === 3 ? args[2] : args[1]);
  return await authenticate(context, name, password) ?? OK;
}
