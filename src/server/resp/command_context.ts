/**
 * What a RESP command handler sees: the client's connection state, the server's shared state and
 * the `KvService`. Handlers are plain functions from (context, arguments) to a `Reply` (or a
 * promise of one); `commands.ts` lists them in one table.
 */
import type { AuthenticatedUser, ClientAuth } from "../auth/client_auth.js";
import type { KvService } from "../kv_service.js";
import type { Logger } from "../../core/logger.js";
import type { ProtocolVersion, Reply } from "./reply.js";

/** One connection's state, changed by HELLO, CLIENT SETNAME and QUIT. */
export interface ClientState {
  readonly id: number;
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly connectedAtMs: number;
  name: string | null;
  libName: string | null;
  libVersion: string | null;
  protocol: ProtocolVersion;
  /** Set by QUIT: close the connection once this command's reply is written. */
  closeAfterReply: boolean;
  /** The selected database (SELECT), 0-15. */
  db: number;
  /** Commands received on this connection (CLIENT INFO's tot-cmds). */
  commandsProcessed: number;
  /** Who AUTH, HELLO AUTH or a client certificate proved this client is; null: nobody yet. */
  user: AuthenticatedUser | null;
  /** CLIENT NO-EVICT / NO-TOUCH: accepted and shown in CLIENT LIST's flags (no effect). */
  noEvict: boolean;
  noTouch: boolean;
  /** The last command run (CLIENT LIST's cmd=) and when (idle=). */
  lastCommand: string;
  lastActiveMs: number;
}

/** Per-command counters for INFO commandstats (reset by CONFIG RESETSTAT). */
export interface CommandStat {
  calls: number;
  usec: number;
  /** Refused before running (wrong arity, NOPERM). */
  rejectedCalls: number;
  /** Ran and answered an error. */
  failedCalls: number;
}

/** Server-wide facts for INFO, CLIENT LIST and HELLO. */
export interface ServerState {
  readonly startedAtMs: number;
  readonly clientsMax: number;
  /** Users and permissions; null: no authentication (and no protected mode). */
  readonly auth: ClientAuth | null;
  /** The listening port, once listening. */
  port(): number;
  clients(): readonly ClientState[];
  readonly stats: {
    connectionsReceived: number;
    commandsProcessed: number;
    rejectedConnections: number;
  };
  /** INFO commandstats, by command name (lower case). */
  readonly commandStats: Map<string, CommandStat>;
  /** CONFIG SET values of the parameters raftkv lets clients set (not replicated). */
  readonly config: Map<string, string>;
  /** When the last snapshot was asked for (LASTSAVE), ms since the epoch. */
  lastSaveMs: number;
  /** Closes client `id`'s connection after its current reply (CLIENT KILL). */
  kill(id: number): boolean;
}

export interface CommandContext {
  readonly client: ClientState;
  readonly server: ServerState;
  readonly service: KvService;
  readonly logger: Logger;
}

/**
 * How a command is scheduled against a client's other in-flight commands (see `connection.ts`):
 * `read` and `write` go to the store; `local` never touches it and runs at once.
 */
export type CommandKind = "read" | "write" | "local";

export type CommandHandler = (
  context: CommandContext,
  args: readonly Buffer[],
) => Reply | Promise<Reply>;

export interface CommandSpec {
  /** Lower case, as COMMAND reports it. */
  readonly name: string;
  /** Redis convention: counts the command name; negative -N means "at least N". */
  readonly arity: number;
  /** Redis's COMMAND flags, e.g. "write", "readonly", "fast". */
  readonly flags: readonly string[];
  readonly kind: CommandKind;
  /** Positions of the first and last key argument and the step between keys (COMMAND). */
  readonly keys: readonly [first: number, last: number, step: number];
  readonly summary: string;
  /** COMMAND DOCS: the group ("connection", "server", "string", ...) and the first version. */
  readonly group?: string;
  readonly since?: string;
  /**
   * For a container command (CLIENT, CONFIG, ...): its subcommands, lower case. Redis knows each
   * as a command of its own, so inside MULTI an unknown one is refused when queued.
   */
  readonly subcommands?: ReadonlySet<string>;
  readonly handler: CommandHandler;
}

const int64Pattern = /^-?(0|[1-9][0-9]{0,18})$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses a signed 64-bit decimal integer as Redis's string2ll does (no sign +, no 0 prefix). */
export function parseInt64(arg: Buffer | undefined): bigint | null {
  if (arg === undefined) return null;
  const text = arg.toString("latin1");
  if (!int64Pattern.test(text)) return null;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? null : value;
}

/** An argument as text, for option names and error messages. */
export function argText(arg: Buffer | undefined): string {
  return arg === undefined ? "" : arg.toString("utf8");
}
