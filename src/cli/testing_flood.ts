/**
 * Test support for the flood tests: clients that push a node as hard as the attacks did,
 * with nothing but TCP. `pipelineGets` writes `requests` GETs on each of `connections`
 * connections without waiting (reading the replies or never reading them); `holdPartialRequests`
 * opens connections that each send most of one huge request and then stop.
 */
import { connect, type Socket } from "node:net";
import { once } from "node:events";

/** What happened to the connections of one flood. */
export interface FloodResult {
  /** Replies counted on connections that read them (a reply is one "+", "$" or "-" line). */
  readonly replies: number;
  /** Connections the server closed before the flood ended. */
  readonly closedByServer: number;
}

/** One GET request, encoded once and repeated. */
function getRequest(key: string): Buffer {
  const keyBytes = Buffer.from(key);
  return Buffer.concat([Buffer.from(`*2\r\n$3\r\nGET\r\n$${keyBytes.length}\r\n`), keyBytes,
    Buffer.from("\r\n")]);
}

async function open(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  await once(socket, "connect");
  return socket;
}

/** Counts complete replies in the bytes of a GET flood: every reply to GET ends a line with CRLF. */
class ReplyCounter {
  count = 0;
  #inBulk = false;

  push(chunk: Buffer): void {
    // A reply is "$-1\r\n", "$<n>\r\n<bytes>\r\n" or "-ERR ...\r\n". Bulk bodies in the floods
    // are short values without CR/LF, so counting lines and halving bulks is exact.
    let at = chunk.indexOf(0x0a);
    while (at !== -1) {
      const bulkHeader = this.#inBulk ? false : this.#isBulkHeader(chunk, at);
      if (this.#inBulk) {
        this.#inBulk = false;
        this.count += 1;
      } else if (bulkHeader) {
        this.#inBulk = true;
      } else {
        this.count += 1;
      }
      at = chunk.indexOf(0x0a, at + 1);
    }
  }

  /** Whether the line ending at `lf` is a "$<n>" header with n >= 0 (a body line follows). */
  #isBulkHeader(chunk: Buffer, lf: number): boolean {
    const start = chunk.lastIndexOf(0x0a, lf - 1) + 1;
    return chunk[start] === 0x24 && chunk[start + 1] !== 0x2d;
  }
}

/**
 * Pipelines `requests` GETs of `key` on each of `connections` connections to `port`. With
 * `readReplies`, resolves once every reply arrived (or the server closed the connection); without,
 * the client never reads: resolves once everything is written or the server closed the socket.
 */
export async function pipelineGets(port: number, options: {
  readonly connections: number;
  readonly requests: number;
  readonly key: string;
  readonly readReplies: boolean;
}): Promise<FloodResult> {
  const request = getRequest(options.key);
  const batchRequests = 1000;
  const batch = Buffer.concat(Array.from({ length: batchRequests }, () => request));
  let replies = 0;
  let closedByServer = 0;
  const one = async (): Promise<void> => {
    const socket = await open(port);
    const counter = new ReplyCounter();
    let closed = false;
    const finished = new Promise<void>((resolve) => {
      socket.on("close", () => { closed = true; resolve(); });
      if (options.readReplies) {
        socket.on("data", (chunk: Buffer) => {
          counter.push(chunk);
          if (counter.count >= options.requests) resolve();
        });
      } else {
        socket.pause();
      }
    });
    for (let sent = 0; sent < options.requests && !closed; sent += batchRequests) {
      const n = Math.min(batchRequests, options.requests - sent);
      const chunk = n === batchRequests ? batch : batch.subarray(0, n * request.length);
      if (!socket.write(chunk)) {
        await Promise.race([once(socket, "drain"), once(socket, "close")]);
      }
    }
    if (options.readReplies) await finished;
    if (closed) closedByServer += 1;
    replies += counter.count;
    socket.destroy();
  };
  await Promise.all(Array.from({ length: options.connections }, one));
  return { replies, closedByServer };
}

/** Connections holding a partial request; `closedByServer()` counts those the server closed. */
export interface PartialFlood {
  readonly sockets: readonly Socket[];
  closedByServer(): number;
  /** Resolves once the server closed at least `count` of the connections. */
  waitClosed(count: number): Promise<void>;
  close(): void;
}

/**
 * Opens `connections` connections to `port`, each sending the header of a SET whose value is
 * `valueBytes` long and then `sendBytes` of it (less than `valueBytes`: the request never
 * completes). Resolves once every byte is written or its connection was closed by the server.
 */
export async function holdPartialRequests(port: number, options: {
  readonly connections: number;
  readonly valueBytes: number;
  readonly sendBytes: number;
}): Promise<PartialFlood> {
  const chunkBytes = 256 * 1024;
  const filler = Buffer.alloc(chunkBytes, 0x61);
  const sockets: Socket[] = [];
  let closed = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const onClose = (): void => {
    closed += 1;
    for (const waiter of waiters.filter((w) => closed >= w.count)) waiter.resolve();
  };
  const one = async (): Promise<void> => {
    const socket = await open(port);
    sockets.push(socket);
    let isClosed = false;
    socket.on("close", () => { isClosed = true; onClose(); });
    socket.write(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${options.valueBytes}\r\n`);
    for (let sent = 0; sent < options.sendBytes && !isClosed; sent += chunkBytes) {
      const n = Math.min(chunkBytes, options.sendBytes - sent);
      if (!socket.write(n === chunkBytes ? filler : filler.subarray(0, n))) {
        await Promise.race([once(socket, "drain"), once(socket, "close")]);
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, one));
  return {
    sockets,
    closedByServer: () => closed,
    waitClosed: (count) => closed >= count ? Promise.resolve() : new Promise<void>((resolve) => {
      waiters.push({ count, resolve });
    }),
    close: () => { for (const socket of sockets) socket.destroy(); },
  };
}
