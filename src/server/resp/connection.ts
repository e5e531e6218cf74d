/**
 * One client connection: parses requests as bytes arrive, runs them (see
 * `command_scheduler.ts` for when each may start), and writes the replies strictly in request
 * order, batching every reply that is ready into one socket write.
 *
 * Backpressure: the connection stops reading while `pipelineRequestsMax` requests are unanswered
 * or while the socket's write buffer is full, and resumes when both clear. A protocol error is
 * answered with `-ERR Protocol error: ...` after the replies to earlier requests, and then the
 * connection is destroyed (as Redis does): nothing more it sends is read.
 *
 * Fairness: one pass parses and starts at most `commandsPerTurnMax` requests, and a connection
 * reads at most about `inputBytesPerTurnMax` bytes per turn; past either, the connection stops
 * reading and continues in a later turn (`setImmediate`), after
 * the event loop has run timers and other sockets' I/O, so a client pipelining 100,000 commands
 * cannot hold the loop and starve Raft's heartbeats. Memory: what the connection holds (input not
 * yet parsed, replies not yet sent) is reported to the shared `ClientMemory`, which may close it;
 * more than `clientOutputBytesMax` of unsent replies closes it at once.
 */
import type { Socket } from "node:net";
import type { MemoryHandle } from "../client_memory.js";
import type { ClientResources } from "../client_resources.js";
import { ValueTooLargeError, classifyError, messageOf } from "../errors.js";
import { authorizeCommand } from "../auth/resp_auth.js";
import { certificateUser } from "../auth/client_tls.js";
import type { KvService } from "../kv_service.js";
import type { Logger } from "../../core/logger.js";
import type { RespMetrics } from "../metrics.js";
import type {
  ClientState,
  CommandContext,
  CommandKind,
  CommandSpec,
  ServerState,
} from "./command_context.js";
import { CommandScheduler } from "./command_scheduler.js";
import { commandLabel, countCall, countRejected } from "./command_stats.js";
import { isCommandSpec, isKnownCommand, isStoreSpec, resolveCommand } from "./commands.js";
import { ClientTransaction } from "./commands_transaction.js";
import { ReplyWriter } from "./encoder.js";
import { errorReply } from "./error_replies.js";
import type { RespServerOptions } from "./options.js";
import { RespParser } from "./parser.js";
import { error, type ProtocolVersion, type Reply } from "./reply.js";

/** A request's place in the reply order; `reply` is null until its command settles. */
interface Slot {
  reply: Reply | null;
  protocol: ProtocolVersion;
  closeAfter: boolean;
}

export interface ConnectionDeps {
  /** The error every command gets once this node was removed from the cluster, else null. */
  readonly removal: () => Error | null;
  readonly service: KvService;
  readonly logger: Logger;
  readonly server: ServerState;
  readonly options: RespServerOptions;
  readonly metrics: RespMetrics | null;
  readonly resources: ClientResources;
}

export class Connection {
  readonly client: ClientState;
  readonly #context: CommandContext;
  readonly #socket: Socket;
  readonly #deps: ConnectionDeps;
  readonly #parser: RespParser;
  readonly #scheduler = new CommandScheduler();
  readonly #slots: Slot[] = [];
  readonly #writer = new ReplyWriter();
  /** No more requests are read: a protocol error or QUIT is being answered. */
  #closing = false;
  #closed = false;
  #writeBlocked = false;
  #paused = false;
  #flushScheduled = false;
  /** A continuation is scheduled: this turn's budget of commands or bytes is spent. */
  #yielding = false;
  /** Bytes received since the last yield (see `inputBytesPerTurnMax`). */
  #turnBytes = 0;
  /** A local command (AUTH, HELLO AUTH, INFO) is settling: later requests wait for it. */
  #barrier = false;
  #partialTimer: NodeJS.Timeout | null = null;
  readonly #memory: MemoryHandle;
  /** MULTI/EXEC/WATCH state (commands_transaction.ts). */
  readonly #transaction = new ClientTransaction();

  constructor(socket: Socket, id: number, deps: ConnectionDeps) {
    this.#socket = socket;
    this.#deps = deps;
    this.#parser = new RespParser(deps.options);
    this.client = {
      id,
      remoteAddress: `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? 0}`,
      localAddress: `${socket.localAddress ?? "?"}:${socket.localPort ?? 0}`,
      connectedAtMs: Date.now(),
      name: null,
      libName: null,
      libVersion: null,
      protocol: 2,
      closeAfterReply: false,
      db: 0,
      commandsProcessed: 0,
      user: certificateUser(socket, deps.server.auth),
      noEvict: false,
      noTouch: false,
      lastCommand: "NULL",
      lastActiveMs: Date.now(),
    };
    const { server, service, logger } = deps;
    this.#context = { client: this.client, server, service, logger };
    this.#memory = deps.resources.memory.register({
      label: `resp:${id}`,
      remoteAddress: this.client.remoteAddress,
      memoryBytes: () => this.#parser.bufferedBytes + this.#socket.writableLength,
      disconnect: () => { this.destroy(); },
    });
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => { this.#onData(chunk); });
    socket.on("drain", () => {
      this.#writeBlocked = false;
      this.#memory.update();
      this.#pump();
    });
    socket.on("error", (cause: Error) => {
      deps.logger.debug({ clientId: id, err: cause.message }, "RESP connection error");
    });
    socket.on("close", () => { this.#onClose(); });
  }

  /** Closes the connection now, dropping unwritten replies (server shutdown). */
  destroy(): void {
    this.#socket.destroy();
  }

  /** CLIENT KILL: closes once the replies already being answered are written. */
  kill(): void {
    if (this.#slots.length === 0) {
      this.destroy();
      return;
    }
    this.client.closeAfterReply = true;
    const last = this.#slots[this.#slots.length - 1];
    if (last !== undefined) last.closeAfter = true;
    this.#closing = true;
  }

  #onData(chunk: Buffer): void {
    if (this.#closing || this.#closed) return;
    this.#parser.push(chunk);
    this.#memory.update();
    this.#turnBytes += chunk.length;
    if (this.#turnBytes >= this.#deps.options.inputBytesPerTurnMax && !this.#yielding) {
      // Let other sockets and timers run before reading more: libuv would otherwise read this
      // socket again and again within one turn while its client keeps sending.
      this.#yield();
    }
    this.#pump();
  }

  #onClose(): void {
    this.#closed = true;
    this.#clearPartialTimer();
    this.#memory.release();
  }

  /**
   * Parses and starts the complete requests the limits allow (at most `commandsPerTurnMax`),
   * then flushes ready replies; schedules its own continuation when the budget ran out.
   */
  #pump(): void {
    if (this.#yielding) return;
    let progressed = false;
    let starved = false;
    let budget = this.#deps.options.commandsPerTurnMax;
    const { pipelineRequestsMax } = this.#deps.options;
    while (!this.#closing && !this.#closed && !this.#barrier &&
      this.#slots.length < pipelineRequestsMax) {
      if (budget === 0) {
        this.#yield();
        break;
      }
      const result = this.#parser.next();
      if (result.kind === "incomplete") {
        starved = true;
        break;
      }
      progressed = true;
      budget -= 1;
      if (result.kind === "error") {
        this.#protocolError(result.message);
        break;
      }
      this.#dispatch(result.args);
    }
    this.#updatePartialTimer(starved, progressed);
    this.#flush();
    this.#memory.update();
    this.#updateReading();
  }

  /** Continues parsing in a later turn of the event loop, after timers and other I/O. */
  #yield(): void {
    this.#yielding = true;
    setImmediate(() => {
      this.#yielding = false;
      this.#turnBytes = 0;
      this.#pump();
    });
  }

  #protocolError(message: string): void {
    this.#deps.logger.info({ clientId: this.client.id, address: this.client.remoteAddress,
      reason: message }, "RESP protocol error; closing the connection");
    this.#deps.resources.memory.countDisconnect("protocol_error");
    this.#slots.push({ reply: error(`ERR ${message}`), protocol: 2, closeAfter: true });
    this.#closing = true;
  }

  #dispatch(args: Buffer[]): void {
    const { server } = this.#deps;
    server.stats.commandsProcessed += 1;
    this.client.commandsProcessed += 1;
    const slot: Slot = { reply: null, protocol: this.client.protocol, closeAfter: false };
    this.#slots.push(slot);
    const resolved = resolveCommand(args);
    this.client.lastActiveMs = Date.now();
    if (!isCommandSpec(resolved)) {
      this.#deps.metrics?.commands.inc({ command: "unknown" });
      this.#transaction.noteRejected();
      slot.reply = resolved;
      countRejected(server, args, isKnownCommand);
      return;
    }
    this.#deps.metrics?.commands.inc({ command: resolved.name });
    const removed = this.#deps.removal();
    if (removed !== null) {
      slot.reply = errorReply(removed);
      return;
    }
    this.client.lastCommand = commandLabel(resolved, args);
    const refused = authorizeCommand(this.#context, resolved, args);
    if (refused !== null) {
      this.#transaction.noteRejected();
      slot.reply = refused;
      countRejected(server, args, isKnownCommand);
      return;
    }
    const tooLong = overlongKeyReply(resolved, args, this.#deps.options.keyBytesMax);
    if (tooLong !== null) {
      this.#transaction.noteRejected();
      slot.reply = tooLong;
      return;
    }
    const step = this.#transaction.dispatch(this.#context, resolved, args, isStoreSpec(resolved));
    if (step !== null && "reply" in step) {
      slot.reply = step.reply;
      return;
    }
    const spec = step?.spec ?? resolved;
    const kind: CommandKind = spec.kind;
    if (kind === "local") {
      this.#run(spec, args, slot, null);
      return;
    }
    this.#scheduler.submit(kind, () => { this.#run(spec, args, slot, kind); });
  }

  /** Runs a handler and fills `slot` when it settles; a thrown error becomes an error reply. */
  #run(spec: CommandSpec, args: Buffer[], slot: Slot, kind: "read" | "write" | null): void {
    const started = process.hrtime.bigint();
    const settle = (reply: Reply): void => {
      slot.reply = reply;
      countCall(this.#deps.server, spec.name, started, reply);
      if (kind !== null) this.#scheduler.settled(kind);
      else this.#settledLocal(slot);
      this.#scheduleFlush();
    };
    const fail = (thrown: unknown): void => {
      if (classifyError(thrown).code === "INTERNAL") {
        const fields = { clientId: this.client.id, command: spec.name, err: messageOf(thrown) };
        this.#deps.logger.error(fields, "RESP command failed unexpectedly");
      }
      settle(errorReply(thrown));
    };
    try {
      const result = spec.handler(this.#context, args);
      if (!(result instanceof Promise)) settle(result);
      else {
        // What a local command changes (the user, the protocol) applies to every later request.
        if (kind === null) this.#barrier = true;
        result.then(settle, fail);
      }
    } catch (thrown: unknown) {
      fail(thrown);
    }
  }

  /** HELLO answers in the protocol it switched to; QUIT closes after its reply. */
  #settledLocal(slot: Slot): void {
    this.#barrier = false;
    slot.protocol = this.client.protocol;
    if (this.client.closeAfterReply) {
      slot.closeAfter = true;
      this.#closing = true;
    }
  }

  /** Coalesces the completions of one turn of the event loop into one socket write. */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    process.nextTick(() => {
      this.#flushScheduled = false;
      this.#flush();
      this.#pump();
    });
  }

  /** Writes every reply that is ready, in order, stopping at the first still pending. */
  #flush(): void {
    if (this.#closed) return;
    let closeAfter = false;
    for (;;) {
      const head = this.#slots[0];
      if (head?.reply === undefined || head.reply === null) break;
      this.#writer.write(head.reply, head.protocol);
      this.#slots.shift();
      if (head.closeAfter) {
        closeAfter = true;
        break;
      }
    }
    if (this.#writer.isEmpty) return;
    const bytes = this.#writer.take();
    const outputBytes = bytes.length + this.#socket.writableLength;
    if (outputBytes > this.#deps.resources.limits.clientOutputBytesMax) {
      this.#outputOverLimit(outputBytes);
      return;
    }
    if (closeAfter) {
      this.#closed = true;
      // QUIT ends gracefully; after a protocol error nothing more is read: destroy once the
      // error reply is handed to the kernel (Redis closes the same way).
      const socket = this.#socket;
      if (this.client.closeAfterReply) socket.end(bytes);
      else socket.end(bytes, () => { socket.destroy(); });
      return;
    }
    if (!this.#socket.write(bytes)) this.#writeBlocked = true;
  }

  #outputOverLimit(outputBytes: number): void {
    const { clientOutputBytesMax } = this.#deps.resources.limits;
    this.#deps.logger.warn({ clientId: this.client.id, address: this.client.remoteAddress,
      bytes: outputBytes, clientOutputBytesMax },
    `RESP client ${this.client.remoteAddress} has ${outputBytes} reply bytes unsent, over ` +
      `clientOutputBytesMax; closing it`);
    this.#deps.resources.memory.countDisconnect("output_buffer_limit");
    this.#closed = true;
    this.#socket.destroy();
  }

  #updateReading(): void {
    if (this.#closed) return;
    const full = this.#slots.length >= this.#deps.options.pipelineRequestsMax;
    const shouldPause = this.#closing || full || this.#writeBlocked || this.#yielding ||
      this.#barrier;
    if (shouldPause && !this.#paused) this.#socket.pause();
    if (!shouldPause && this.#paused) this.#socket.resume();
    this.#paused = shouldPause;
  }

  /**
   * Arms a timer while an incomplete request is buffered, restarting it whenever a request
   * completes, so a peer that trickles a request forever is cut off (slowloris).
   */
  #updatePartialTimer(starved: boolean, progressed: boolean): void {
    if (!starved || this.#parser.bufferedBytes === 0 || this.#closing) {
      this.#clearPartialTimer();
      return;
    }
    if (progressed) this.#clearPartialTimer();
    if (this.#partialTimer !== null) return;
    this.#partialTimer = setTimeout(() => {
      this.#deps.logger.info({ clientId: this.client.id, address: this.client.remoteAddress },
        "RESP request incomplete for too long; closing");
      this.#deps.resources.memory.countDisconnect("partial_request_timeout");
      this.#socket.destroy();
    }, this.#deps.options.partialRequestTimeoutMs);
    this.#partialTimer.unref();
  }

  #clearPartialTimer(): void {
    if (this.#partialTimer === null) return;
    clearTimeout(this.#partialTimer);
    this.#partialTimer = null;
  }
}

/**
 * The error reply for a command naming a key longer than `keyBytesMax` (the limit the store and
 * the HTTP API share), or null when every key fits. Key positions come from the command table.
 */
function overlongKeyReply(spec: CommandSpec, args: readonly Buffer[], keyBytesMax: number):
  Reply | null {
  const [first, last, step] = spec.keys;
  if (first === 0 || step <= 0) return null;
  const end = last < 0 ? args.length + last : last;
  for (let i = first; i <= end && i < args.length; i += step) {
    const length = args[i]?.length ?? 0;
    if (length > keyBytesMax) return errorReply(new ValueTooLargeError("key", length, keyBytesMax));
  }
  return null;
}
