/**
 * Shares one log entry between the Redis write commands submitted in one turn of the event loop
 * while an earlier write is on its way to the log: a pipelining client's commands, and those of
 * every client whose request arrived in that turn. Each command in the log costs an envelope, a
 * WAL record, an item of every AppendEntries, a decode and a dispatch on every replica and a
 * pending proposal; batched, the turn's commands pay those once (the read coalescer does the
 * same for read barriers). A write submitted while nothing is in flight is proposed at once,
 * alone: waiting for company would only delay it.
 *
 * A batch is a transaction without WATCH (the store's "multi" op): its commands run one after
 * another in one entry, each with its own reply, in the order they were submitted. That is an
 * order they could have had as separate entries, since they were all proposed in the same turn
 * and none has been answered yet; a client's own commands keep their order. A batch of one is
 * proposed as the plain command. The caller flushes the batch before proposing any other write,
 * so writes enter the log in call order whatever path they take.
 *
 * Limits: a command goes into a batch only if the caller says it may (small enough that the
 * batch cannot exceed the store's command size limit); a batch holds at most `commandsMax`
 * commands and `bytesMax` argument bytes, and is proposed when either would be exceeded.
 */
import type { Reply } from "../redis/reply.js";
import type { Bytes } from "./store_commands.js";

export interface WriteBatcherOptions {
  /** Proposes `commands` on database `db` as one entry; resolves with one reply per command. */
  readonly propose: (db: number, commands: readonly (readonly Bytes[])[]) => Promise<readonly Reply[]>;
  /** Runs `fn` once the current turn's I/O callbacks are done (RuntimeHost.defer). */
  readonly defer: (fn: () => void) => void;
  readonly commandsMax: number;
  readonly bytesMax: number;
}

interface Waiter {
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: unknown) => void;
}

interface Batch {
  readonly db: number;
  readonly commands: (readonly Bytes[])[];
  readonly waiters: Waiter[];
  bytes: number;
}

export class WriteBatcher {
  readonly #options: WriteBatcherOptions;
  #pending: Batch | null = null;
  #deferred = false;
  /** Batches proposed and not yet answered. */
  #inFlight = 0;

  constructor(options: WriteBatcherOptions) {
    this.#options = options;
  }

  /** Queues `argv` (of `bytes` argument bytes) on database `db`; resolves with its reply. */
  submit(db: number, argv: readonly Bytes[], bytes: number): Promise<Reply> {
    const { commandsMax, bytesMax } = this.#options;
    const open = this.#pending;
    if (open !== null && (open.db !== db || open.commands.length >= commandsMax ||
      open.bytes + bytes > bytesMax)) {
      this.flush();
    }
    const batch = this.#pending ?? { db, commands: [], waiters: [], bytes: 0 };
    this.#pending = batch;
    batch.commands.push(argv);
    batch.bytes += bytes;
    const reply = new Promise<Reply>((resolve, reject) => {
      batch.waiters.push({ resolve, reject });
    });
    if (this.#inFlight === 0) {
      // Nothing is waiting for the log: waiting for company would only delay this write.
      this.flush();
    } else if (!this.#deferred) {
      this.#deferred = true;
      this.#options.defer(() => {
        this.#deferred = false;
        this.flush();
      });
    }
    return reply;
  }

  /** Proposes the pending batch now, if there is one. */
  flush(): void {
    const batch = this.#pending;
    if (batch === null) return;
    this.#pending = null;
    const { waiters } = batch;
    this.#inFlight++;
    this.#options.propose(batch.db, batch.commands).finally(() => {
      this.#inFlight--;
    }).then((replies) => {
      waiters.forEach((waiter, i) => {
        const reply = replies[i];
        if (reply === undefined) waiter.reject(new Error(`a batch of ${waiters.length} got ${replies.length} replies`));
        else waiter.resolve(reply);
      });
    }, (error: unknown) => {
      for (const waiter of waiters) waiter.reject(error);
    });
  }
}
