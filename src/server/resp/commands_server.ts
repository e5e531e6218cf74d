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
 * The connection's state RESET clears. Transactions: a client's MULTI queue and WATCHed keys
 * must be dropped here too (transaction state lives with the MULTI implementation).
 */
export const resetHooks: ((client: ClientState) => void)[] = [];

export const reset: CommandHandler = ({ client }) => {
  client.protocol = 2;
  client.db = 0;
  client.name = null;
  client.noEvict = false;
  client.noTouch = false;
  for (const hook of resetHooks) hook(client);
  return simple("RESET");
};
