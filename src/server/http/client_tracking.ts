/**
 * The HTTP API's side of the shared client limits (client_resources.ts): every connection counts
 * against its source address's `connectionsPerAddressMax` (past it the connection gets a 429 and
 * is closed before anything is parsed), and what it holds counts against the global client-memory
 * cap: the bytes of the request body received so far (Fastify buffers a body until it is whole;
 * a body of at most 64 KiB declared by Content-Length counts whole from the request's start)
 * plus the response bytes not yet taken by the kernel. Failing `accept` for lack of descriptors
 * is logged once per burst.
 */
import type { Socket } from "node:net";
import { Transform, type TransformCallback } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { MemoryHandle } from "../client_memory.js";
import type { ClientResources } from "../client_resources.js";
import type { Logger } from "../../core/logger.js";

interface TrackedSocket {
  bodyBytes: number;
  readonly handle: MemoryHandle;
}

const tooManyBody = JSON.stringify({
  error: { code: "TOO_MANY_CONNECTIONS", message: "connectionsPerAddressMax reached",
    definite: true },
});
const tooManyFromAddress = "HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\n" +
  `Content-Type: application/json\r\nContent-Length: ${tooManyBody.length}\r\n\r\n` +
  tooManyBody;

/** Bodies up to this declared length are counted when the request starts, not as they arrive. */
export const COUNT_UP_FRONT_BYTES_MAX = 64 * 1024;

/** Counts the body bytes passing through into the request's socket tracker. */
class BodyCounter extends Transform {
  constructor(private readonly tracked: TrackedSocket) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.tracked.bodyBytes += chunk.length;
    this.tracked.handle.update();
    done(null, chunk);
  }
}

/** What a request handled outside Fastify's hooks (kv_fast_path.ts) reports of its body. */
export interface HttpBodyAccounting {
  /** A body of `bytes` (at most COUNT_UP_FRONT_BYTES_MAX) arrives on `socket`. */
  countDeclared(socket: Socket, bytes: number): void;
  /** The request on `socket` is answered or abandoned: its body no longer counts. */
  requestDone(socket: Socket): void;
}

/**
 * Installs the connection and memory accounting on `app` (before it listens); returns the body
 * accounting for requests served without Fastify's hooks.
 */
export function trackHttpClients(
  app: FastifyInstance,
  resources: ClientResources,
  logger: Logger,
): HttpBodyAccounting {
  const sockets = new WeakMap<Socket, TrackedSocket>();
  let nextId = 1;
  app.server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "?";
    const release = resources.addresses.tryAcquire(address);
    if (release === null) {
      resources.memory.countDisconnect("connections_per_address");
      socket.on("error", () => undefined);
      socket.end(tooManyFromAddress, () => { socket.destroy(); });
      return;
    }
    const tracked: TrackedSocket = {
      bodyBytes: 0,
      handle: resources.memory.register({
        label: `http:${nextId++}`,
        remoteAddress: `${address}:${socket.remotePort ?? 0}`,
        memoryBytes: () => tracked.bodyBytes + socket.writableLength,
        disconnect: () => { socket.destroy(); },
      }),
    };
    sockets.set(socket, tracked);
    socket.on("drain", () => { tracked.handle.update(); });
    socket.once("close", () => {
      tracked.handle.release();
      release();
    });
  });
  app.server.on("error", (cause: Error) => {
    if (!resources.fdExhaustion.record(cause, "HTTP")) {
      logger.error({ err: cause.message }, "HTTP server error");
    }
  });
  const trackedOf = (request: FastifyRequest): TrackedSocket | undefined =>
    sockets.get(request.raw.socket);
  app.addHook("preParsing", (request, _reply, payload, done) => {
    const tracked = trackedOf(request);
    if (tracked === undefined) {
      done(null, payload);
      return;
    }
    // A small body of declared length is counted whole up front (Fastify refuses a longer one),
    // without a stream stage per request; no body, nothing to count; anything else as it comes.
    const { headers } = request;
    const declared = headers["content-length"] === undefined ? NaN : Number(headers["content-length"]);
    if (headers["transfer-encoding"] === undefined && (Number.isNaN(declared) || declared === 0)) {
      done(null, payload);
      return;
    }
    if (Number.isSafeInteger(declared) && declared <= COUNT_UP_FRONT_BYTES_MAX) {
      tracked.bodyBytes += declared;
      tracked.handle.update();
      done(null, payload);
      return;
    }
    done(null, payload.pipe(new BodyCounter(tracked)));
  });
  const requestDone = (socket: Socket): void => {
    const tracked = sockets.get(socket);
    if (tracked !== undefined) {
      tracked.bodyBytes = 0;
      tracked.handle.update();
    }
  };
  app.addHook("onResponse", (request, _reply, done) => {
    requestDone(request.raw.socket);
    done();
  });
  return {
    countDeclared: (socket, bytes) => {
      const tracked = sockets.get(socket);
      if (tracked === undefined) return;
      tracked.bodyBytes += bytes;
      tracked.handle.update();
    },
    requestDone,
  };
}
