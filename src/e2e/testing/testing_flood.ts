/**
 * Test support for the flood tests: clients that push a node as hard as the attacks did,
 * with nothing but TCP. `pipelineGets` writes `requests` GETs on each of `connections`
 * connections without waiting (reading the replies or never reading them); `holdPartialRequests`
 * opens connections that each send most of one huge request and then stop.
 */
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

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

/** Waits for "drain" or "close" (`events.once` would reject on the EPIPE a closed peer causes). */
function drainedOrClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
  });
}

async function open(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  await once(socket, "connect");
  return socket;
}

/** Counts complete replies in the bytes of a GET flood (each reply to GET ends with CRLF). */
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
 * `readReplies`, resolves once every reply arrived (or the server closed the connection). Without,
 * the client never reads (the server must stop reading once its replies back up): it writes until
 * `hold` resolves (or the server closes the socket), then closes.
 */
export async function pipelineGets(port: number, options: {
  readonly connections: number;
  readonly requests: number;
  readonly key: string;
  readonly readReplies: boolean;
  readonly hold?: Promise<void>;
}): Promise<FloodResult> {
  const request = getRequest(options.key);
  const batchRequests = 1000;
  const batch = Buffer.concat(Array.from({ length: batchRequests }, () => request));
  let replies = 0;
  let closedByServer = 0;
  const one = async (): Promise<void> => {
    const socket = await open(port);
    const counter = new ReplyCounter();
    const state = { closed: false, held: false };
    const finished = new Promise<void>((resolve) => {
      socket.on("close", () => { state.closed = true; resolve(); });
      if (options.readReplies) {
        socket.on("data", (chunk: Buffer) => {
          counter.push(chunk);
          if (counter.count >= options.requests) resolve();
        });
      } else {
        socket.pause();
      }
    });
    void options.hold?.then(() => { state.held = true; socket.destroy(); });
    for (let sent = 0; sent < options.requests && !state.closed && !state.held;
      sent += batchRequests) {
      const n = Math.min(batchRequests, options.requests - sent);
      const chunk = n === batchRequests ? batch : batch.subarray(0, n * request.length);
      if (!socket.write(chunk)) {
        await drainedOrClosed(socket);
      }
    }
    if (options.readReplies) await finished;
    else if (options.hold !== undefined && !state.held) {
      await Promise.race([options.hold, finished]);
    }
    if (state.closed && !state.held) closedByServer += 1;
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
    const state = { closed: false };
    socket.on("close", () => { state.closed = true; onClose(); });
    socket.write(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${options.valueBytes}\r\n`);
    for (let sent = 0; sent < options.sendBytes && !state.closed; sent += chunkBytes) {
      const n = Math.min(chunkBytes, options.sendBytes - sent);
      if (!socket.write(n === chunkBytes ? filler : filler.subarray(0, n))) {
        await drainedOrClosed(socket);
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

/** A sample of one Prometheus metric line from a node's `/metrics`, or null if absent. */
export async function scrapeMetric(httpUrl: string, series: string): Promise<number | null> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

/** The resident set size of process `pid` in bytes (Linux /proc), or null if unreadable. */
export function rssBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kib === undefined ? null : Number(kib) * 1024;
  } catch {
    return null;
  }
}

/**
 * Samples `pid`'s RSS every `everyMs` until `until` settles; returns the peak seen. A sampler
 * is what measuring a peak takes: there is no event for "RSS changed".
 */
export async function peakRss(pid: number, until: Promise<unknown>, everyMs = 50): Promise<number> {
  let peak = rssBytes(pid) ?? 0;
  let done = false;
  const finished = until.then(() => { done = true; }, () => { done = true; });
  while (!done) {
    await Promise.race([finished, sleep(everyMs)]);
    peak = Math.max(peak, rssBytes(pid) ?? 0);
  }
  return peak;
}

/**
 * Resolves once the RESP server at `httpUrl` has counted `total` GETs, or once its count stopped
 * moving between two polls (it stopped reading: its replies are not being taken).
 */
export async function getsSettled(httpUrl: string, total: number, pollMs = 250): Promise<void> {
  const series = 'raftkv_resp_commands_total{command="get"}';
  let last = -1;
  for (;;) {
    const count = (await scrapeMetric(httpUrl, series)) ?? 0;
    if (count >= total || count === last) return;
    last = count;
    await sleep(pollMs);
  }
}

/** The cumulative bucket counts of a Prometheus histogram, by upper bound ("+Inf" included). */
export async function scrapeBuckets(httpUrl: string, name: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const buckets = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`).exec(line);
    if (match?.[1] !== undefined) buckets.set(match[1], Number(match[2]));
  }
  return buckets;
}

/**
 * The smallest bucket bound that holds every observation made between two scrapes: an upper
 * bound on the largest value observed in between (Infinity if one fell past the last bound).
 */
export function maxObservedBound(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): number {
  const grown = (le: string): number => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const total = grown("+Inf");
  const bounds = [...after.keys()].filter((le) => le !== "+Inf").map(Number)
    .sort((a, b) => a - b);
  for (const bound of bounds) {
    if (grown(String(bound)) === total) return bound;
  }
  return Infinity;
}
