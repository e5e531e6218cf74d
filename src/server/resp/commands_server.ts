/**
 * Handlers of the server commands that touch no key: TIME (this host's wall clock, as Redis's
 * is its host's), LASTSAVE, SAVE and BGSAVE (a Raft snapshot when the service has a node behind
 * it: the log and its snapshots are raftkv's persistence) and RESET (the connection back to
 * how it started: RESP2, database 0, no name, no NO-EVICT/NO-TOUCH).
 */
import type { CommandHandler, ClientState } from "./command_context.js";
import { array, bulk, error, integer, simple } from "./reply.js";

export const time: CommandHandler = () => {
  const micros = BigInt(Date.now()) * 1000n + BigInt(Math.floor(performance.now() * 1000) % 1000);
  return array([bulk(String(micros / 1_000_000n)), bulk(String(micros % 1_000_000n))]);
};

export const lastSave: CommandHandler = ({ server }) => integer(Math.floor(server.lastSaveMs / 1000));

/** SAVE: waits for the snapshot. BGSAVE: starts it and answers at once, as Redis does. */
export const save: CommandHandler = async ({ server, service }) => {
  if (service.admin === undefined) return error("ERR snapshots are not available on this server");
  await service.admin.snapshotNow();
  server.lastSaveMs = Date.now();
  return simple("OK");
};

export const bgSave: CommandHandler = ({ server, service, logger }, args) => {
  if (args.length > 2 || (args.length === 2 && args[1]?.toString("latin1").toLowerCase() !== "schedule")) {
    return error("ERR syntax error");
  }
  if (service.admin === undefined) return error("ERR snapshots are not available on this server");
  service.admin.snapshotNow().then(() => { server.lastSaveMs = Date.now(); }, (cause: unknown) => {
    logger.warn({ err: String(cause) }, "BGSAVE: the snapshot failed");
  });
  return simple("Background saving started");
};

/**
 * The connection state RESET returns to its first value (the MULTI queue and the watches are
 * dropped by the transaction state, commands_transaction.ts, which runs RESET).
 */
export function resetClientState(client: ClientState): void {
  client.protocol = 2;
  client.db = 0;
  client.name = null;
  client.noEvict = false;
  client.noTouch = false;
}

/**
 * FUNCTION: raftkv runs no scripts, so there are never functions: FLUSH succeeds (clients and
 * Redis's own test harness call it to start clean), LIST answers an empty list, and loading one
 * is refused.
 */
export const functionCommand: CommandHandler = (_context, args) => {
  const sub = (args[1]?.toString("utf8") ?? "").toLowerCase();
  const rest = args.slice(2).map((a) => a.toString("utf8").toLowerCase());
  switch (sub) {
    case "flush":
      if (rest.length > 1 || (rest.length === 1 && rest[0] !== "async" && rest[0] !== "sync")) {
        return error("ERR syntax error");
      }
      return simple("OK");
    case "list":
      return array([]);
    case "load":
    case "restore":
      return error("ERR raftkv does not run functions or scripts");
    default:
      return error(`ERR unknown subcommand '${args[1]?.toString("utf8") ?? ""}'. Try FUNCTION HELP.`);
  }
};
