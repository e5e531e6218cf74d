/**
 * One client connection: parses requests as bytes arrive, runs them (see
 * `command_scheduler.ts` for when each may start), and writes the replies strictly in request
 * order, batching every reply that is ready into one socket write.
 *
 * Backpressure: the connection stops reading while `pipelineRequestsMax` requests are unanswered
 * or while the socket's write buffer is full, and resumes when both clear. A protocol error is
 * answered with `-ERR Protocol error: ...` after the replies to earlier requests, and then the
 * connection closes; nothing a client sends can affect another connection or crash the server.
 */
import type { Socket } from "node:net";
import { authorizeCommand } from "../auth/resp_auth.js";
import { certificateUser } from "../auth/client_tls.js";
import { classifyError, messageOf } from "../errors.js";
import type { KvService } from "../kv_service.js";
import type { Logger } from "../logger.js";
import type { RespMetrics } from "../metrics.js";
import type {
  ClientState,
  CommandContext,
  CommandKind,
  CommandSpec,
  ServerState,
} from "./command_context.js";
import { CommandScheduler } from "./command_scheduler.js";
import { isCommandSpec, resolveCommand } from "./commands.js";
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
  readonly service: KvService;
  readonly logger: Logger;
  readonly server: ServerState;
  readonly options: RespServerOptions;
  readonly metrics: RespMetrics | null;
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
  /** A local command (AUTH, HELLO AUTH, INFO) is settling: later requests wait for it. */
  #barrier = false;
  #partialTimer: NodeJS.Timeout | null = null;

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
      commandsProcessed: 0,
      user: certificateUser(socket, deps.server.auth),
    };
    const { server, service, logger } = deps;
    this.#context = { client: this.client, server, service, logger };
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => { this.#onData(chunk); });
    socket.on("drain", () => {
      this.#writeBlocked = false;
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

  #onData(chunk: Buffer): void {
    if (this.#closing) return;
    this.#parser.push(chunk);
    this.#pump();
  }

  #onClose(): void {
    this.#closed = true;
    this.#clearPartialTimer();
  }

  /** Parses and starts every complete request the limits allow, then flushes ready replies. */
  #pump(): void {
    let progressed = false;
    let starved = false;
    const { pipelineRequestsMax } = this.#deps.options;
    while (!this.#closing && !this.#closed && !this.#barrier &&
      this.#slots.length < pipelineRequestsMax) {
      const result = this.#parser.next();
      if (result.kind === "incomplete") {
        starved = true;
        break;
      }
      progressed = true;
      if (result.kind === "error") {
        this.#deps.logger.info({ clientId: this.client.id, reason: result.message },
          "RESP protocol error; closing the connection");
        this.#slots.push({ reply: error(`ERR ${result.message}`), protocol: 2, closeAfter: true });
        this.#closing = true;
        break;
      }
      this.#dispatch(result.args);
    }
    this.#updatePartialTimer(starved, progressed);
    this.#flush();
    this.#updateReading();
  }

  #dispatch(args: Buffer[]): void {
    const { server } = this.#deps;
    server.stats.commandsProcessed += 1;
    this.client.commandsProcessed += 1;
    const slot: Slot = { reply: null, protocol: this.client.protocol, closeAfter: false };
    this.#slots.push(slot);
    const resolved = resolveCommand(args);
    if (!isCommandSpec(resolved)) {
      this.#deps.metrics?.commands.inc({ command: "unknown" });
      slot.reply = resolved;
      return;
    }
    this.#deps.metrics?.commands.inc({ command: resolved.name });
    const refused = authorizeCommand(this.#context, resolved, args);
    if (refused !== null) {
      slot.reply = refused;
      return;
    }
    const kind: CommandKind = resolved.kind;
    if (kind === "local") {
      this.#run(resolved, args, slot, null);
      return;
    }
    this.#scheduler.submit(kind, () => { this.#run(resolved, args, slot, kind); });
  }

  /** Runs a handler and fills `slot` when it settles; a thrown error becomes an error reply. */
  #run(spec: CommandSpec, args: Buffer[], slot: Slot, kind: "read" | "write" | null): void {
    const settle = (reply: Reply): void => {
      slot.reply = reply;
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
    if (closeAfter) {
      this.#closed = true;
      this.#socket.end(bytes);
      return;
    }
    if (!this.#socket.write(bytes)) this.#writeBlocked = true;
  }

  #updateReading(): void {
    if (this.#closed) return;
    const full = this.#slots.length >= this.#deps.options.pipelineRequestsMax;
    const shouldPause = this.#closing || full || this.#writeBlocked || this.#barrier;
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
      this.#deps.logger.info({ clientId: this.client.id },
        "RESP request incomplete for too long; closing");
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
