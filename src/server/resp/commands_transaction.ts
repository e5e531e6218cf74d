/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH for one connection, with Redis 7's replies.
 *
 * The connection hands every request to `dispatch` when it parses it (before scheduling), so the
 * transaction state follows request order even when requests are pipelined: between MULTI and
 * EXEC a request is checked (unknown command, arity, permissions, -OOM: the connection reports
 * those through `noteRejected`, and EXEC then answers EXECABORT) and queued (+QUEUED); past
 * maxmemory every queued command is refused with -OOM, as Redis does. EXEC
 * takes the queue at once and is scheduled as a write: it waits for earlier reads (a pipelined
 * WATCH's read barrier) and runs the store's part of the queue as one log entry
 * (`KvService.transaction`: store commands, PING, ECHO, SELECT). Other front-end commands queued
 * (INFO, CLIENT, ...) run after that entry, their replies put in their places.
 *
 * WATCH is scheduled as a read (it waits for this client's earlier writes): its record is pushed
 * when parsed and filled when the read settles, so UNWATCH, DISCARD and EXEC, which take or drop
 * the records when parsed, act in request order.
 */
import { resetClientState } from "./commands_server.js";
import { OOM_REPLY } from "../../kv/binary_store/store_limits.js";
import { TRANSACTION_LOCAL_COMMANDS, databaseAfter } from "../../kv/redis/transactions.js";
import type { WatchedKey } from "../kv_service.js";
import { type CommandContext, type CommandKind, type CommandSpec } from "./command_context.js";
import { errorReply } from "./error_replies.js";
import { NULL_ARRAY, OK, array, error, simple, type Reply } from "./reply.js";

interface WatchRecord {
  /** Filled when the WATCH's read settles; null while pending or after it failed. */
  keys: WatchedKey[] | null;
}

interface Queued {
  readonly spec: CommandSpec;
  readonly args: readonly Buffer[];
  /** Run by the store inside the transaction's log entry (else by the front end after it). */
  readonly inStore: boolean;
}

/** What `dispatch` decided: an immediate reply, or a command to schedule instead. */
export type TransactionStep =
  | { readonly reply: Reply }
  | { readonly spec: CommandSpec & { readonly kind: CommandKind } };

export const EXECABORT = error("EXECABORT Transaction discarded because of previous errors.");
const QUEUED = simple("QUEUED");
const NO_TRANSACTIONS = error("ERR transactions are not supported by this server");

/**
 * Upper bound on the argument bytes one MULTI may queue (memory held per connection). A larger
 * transaction could not be one log entry anyway (the store's commandBytesMax, 2 MiB by default).
 */
export const QUEUED_BYTES_MAX = 8 * 1024 * 1024;
const QUEUE_FULL = error(`ERR the transaction's queued commands exceed ${QUEUED_BYTES_MAX} bytes`);



export class ClientTransaction {
  /** The queued commands between MULTI and EXEC; null: not in MULTI. */
  #queue: Queued[] | null = null;
  /** A queued request was refused: EXEC answers EXECABORT. */
  #dirty = false;
  #queuedBytes = 0;
  #watches: WatchRecord[] = [];

  /** Whether the client is between MULTI and EXEC/DISCARD. */
  get inMulti(): boolean {
    return this.#queue !== null;
  }

  /** A request was refused before running (unknown, arity, permissions, too long). */
  noteRejected(): void {
    if (this.#queue !== null) this.#dirty = true;
  }

  /**
   * Decides what a parsed request does to the transaction: null when it runs as usual,
   * else the reply or the command to schedule in its place. `isStoreCommand`: the command runs
   * in the store (KvService.command).
   */
  dispatch(
    context: CommandContext, spec: CommandSpec, args: readonly Buffer[], isStoreCommand: boolean,
  ): TransactionStep | null {
    const name = spec.name;
    if (this.#queue === null) return this.#outside(context, name, args);
    switch (name) {
      case "multi":
        return { reply: error("ERR MULTI calls can not be nested") };
      case "watch":
        return { reply: error("ERR WATCH inside MULTI is not allowed") };
      case "discard":
        this.#reset();
        return { reply: OK };
      case "exec":
        return this.#exec(context);
      case "reset":
        return this.#resetConnection(context);
      case "quit":
        return null;
      default: {
        const sub = args[1]?.toString("utf8") ?? "";
        if (spec.subcommands !== undefined && !spec.subcommands.has(sub.toLowerCase())) {
          this.#dirty = true;
          return { reply: error(`ERR unknown subcommand '${sub}'. Try ${name.toUpperCase()} HELP.`) };
        }
        // Redis refuses every queued command past maxmemory: queuing itself takes memory.
        if (isOverMaxmemory(context)) {
          this.#dirty = true;
          return { reply: OOM_REPLY };
        }
        const bytes = args.reduce((sum, a) => sum + a.length + 16, 0);
        if (this.#queuedBytes + bytes > QUEUED_BYTES_MAX) {
          this.#dirty = true;
          return { reply: QUEUE_FULL };
        }
        this.#queuedBytes += bytes;
        const inStore = isStoreCommand || TRANSACTION_LOCAL_COMMANDS.has(name);
        this.#queue.push({ spec, args: args.map((a) => Buffer.from(a)), inStore });
        return { reply: QUEUED };
      }
    }
  }

  #outside(context: CommandContext, name: string, args: readonly Buffer[]): TransactionStep | null {
    switch (name) {
      case "multi":
        this.#queue = [];
        this.#dirty = false;
        this.#queuedBytes = 0;
        return { reply: OK };
      case "exec":
        return { reply: error("ERR EXEC without MULTI") };
      case "discard":
        return { reply: error("ERR DISCARD without MULTI") };
      case "unwatch":
        this.#watches = [];
        return { reply: OK };
      case "reset":
        return this.#resetConnection(context);
      case "watch":
        return this.#watch(context, args);
      default:
        return null;
    }
  }

  #watch(context: CommandContext, args: readonly Buffer[]): TransactionStep {
    const { service, client } = context;
    if (service.watch === undefined) return { reply: NO_TRANSACTIONS };
    const record: WatchRecord = { keys: null };
    this.#watches.push(record);
    const keys = args.slice(1).map((a) => Buffer.from(a));
    const watch = service.watch.bind(service);
    return {
      spec: {
        ...transactionSpec("watch", -2, "read"),
        handler: async () => {
          record.keys = await watch(client.db, keys);
          return OK;
        },
      },
    };
  }

  #exec(context: CommandContext): TransactionStep {
    const queue = this.#queue ?? [];
    const dirty = this.#dirty;
    const watches = this.#watches;
    this.#reset();
    if (dirty) return { reply: EXECABORT };
    const { service, client } = context;
    if (service.transaction === undefined) return { reply: NO_TRANSACTIONS };
    const transaction = service.transaction.bind(service);
    const storeArgs = queue.filter((q) => q.inStore).map((q) => q.args);
    return {
      spec: {
        ...transactionSpec("exec", 1, "write"),
        handler: async () => {
          // The database is the one at EXEC (SELECT is scheduled, so earlier ones have run), and
          // the requests after EXEC run in the one its SELECTs leave, as in Redis (set now, as
          // later writes may start before this settles; undone if a WATCH aborts it).
          const db = client.db;
          const after = databaseAfter(db, storeArgs);
          client.db = after;
          const restoreDb = (): void => {
            if (client.db === after) client.db = db;
          };
          const aborted = (reply: Reply = NULL_ARRAY): Reply => {
            restoreDb();
            return reply;
          };
          // Every WATCH before this EXEC has settled (reads settle before a write starts).
          const watched: WatchedKey[] = [];
          for (const record of watches) {
            if (record.keys === null) return aborted(); // The WATCH failed: watch nothing blindly.
            watched.push(...record.keys);
          }
          let stored: Reply = array([]);
          if (storeArgs.length > 0 || watched.length > 0) {
            stored = await transaction(db, storeArgs, watched).catch((thrown: unknown) => {
              restoreDb();
              throw thrown;
            });
            if (stored.type !== "array") return aborted(stored);
          }
          return array(await mergeReplies(context, queue, stored.type === "array" ? stored.items : []));
        },
      },
    };
  }

  /**
   * RESET: discards the transaction and the watches, and returns the connection to its first
   * state (database 0, RESP2, no name, not authenticated when the server requires it).
   */
  #resetConnection({ client, server }: CommandContext): TransactionStep {
    this.#reset();
    resetClientState(client);
    if (server.auth?.enabled === true) client.user = null;
    return { reply: simple("RESET") };
  }

  #reset(): void {
    this.#queue = null;
    this.#dirty = false;
    this.#queuedBytes = 0;
    this.#watches = [];
  }
}

/** The queue's replies in order: the store's for its commands, the front end's for the others. */
async function mergeReplies(
  context: CommandContext, queue: readonly Queued[], storeReplies: readonly Reply[],
): Promise<Reply[]> {
  const replies: Reply[] = [];
  let next = 0;
  for (const queued of queue) {
    if (queued.inStore) {
      replies.push(storeReplies[next++] ?? error("ERR missing transaction reply"));
      continue;
    }
    try {
      replies.push(await queued.spec.handler(context, queued.args));
    } catch (thrown: unknown) {
      replies.push(errorReply(thrown));
    }
  }
  return replies;
}

function isOverMaxmemory({ service }: CommandContext): boolean {
  const memory = service.memory?.();
  return memory !== undefined && memory.maxmemoryBytes > 0 && memory.usedBytes > memory.maxmemoryBytes;
}

function transactionSpec(name: string, arity: number, kind: CommandKind): Omit<CommandSpec, "handler"> {
  return { name, arity, flags: ["noscript", "loading", "stale", "fast", "allow_busy"], kind, keys: [0, 0, 0], summary: "" };
}

/** The table entries (COMMAND, arity checks); `ClientTransaction.dispatch` runs them. */
export const transactionSpecs: readonly CommandSpec[] = [
  { ...transactionSpec("multi", 1, "local"), summary: "Starts a transaction." },
  { ...transactionSpec("exec", 1, "write"), summary: "Executes all commands in a transaction." },
  { ...transactionSpec("discard", 1, "local"), summary: "Discards a transaction." },
  { ...transactionSpec("watch", -2, "read"), keys: [1, -1, 1] as const, summary: "Monitors changes to keys to determine the execution of a transaction." },
  { ...transactionSpec("unwatch", 1, "local"), summary: "Forgets about watched keys of a transaction." },
  {
    ...transactionSpec("reset", 1, "local"), flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    summary: "Resets the connection.",
  },
].map((s) => ({ ...s, handler: () => error(`ERR ${s.name} runs only on a connection`) }));
