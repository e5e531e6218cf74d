/**
 * Test support: reads whole RESP2/RESP3 replies out of a byte stream, keeping each reply's exact
 * bytes (the differential test compares those) and a parsed tree (for the comparisons that must
 * ignore an order Redis takes from its hash tables). Also a minimal pipelining client built on it.
 */
import { connect, type Socket } from "node:net";
import { once } from "node:events";

/** One parsed reply. Aggregates keep their children; `raw` is the reply's bytes on the wire. */
export interface Frame {
  /** The RESP type byte: + - : $ * _ , # ( = % ~ > */
  readonly kind: string;
  readonly raw: Buffer;
  /** Simple/error/integer/double/bulk payload; null for null bulk/array and aggregates. */
  readonly text: string | null;
  /** Children of an array, set, push or map (a map's keys and values alternate). */
  readonly items: readonly Frame[] | null;
}

class Incomplete extends Error {}

/** Parses one frame at `offset`; throws Incomplete when the buffer ends first. */
function parseAt(buffer: Buffer, offset: number): Frame {
  const lineEnd = buffer.indexOf("\r\n", offset, "latin1");
  if (lineEnd < 0) throw new Incomplete();
  const kind = String.fromCharCode(buffer[offset] ?? 0);
  const header = buffer.toString("latin1", offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  const done = (end: number, text: string | null, items: Frame[] | null): Frame =>
    ({ kind, raw: buffer.subarray(offset, end), text, items });
  switch (kind) {
    case "+": case "-": case ":": case ",": case "(": case "#":
      return done(afterLine, header, null);
    case "_":
      return done(afterLine, null, null);
    case "$": case "=": case "!": {
      const length = Number(header);
      if (length < 0) return done(afterLine, null, null);
      if (buffer.length < afterLine + length + 2) throw new Incomplete();
      return done(afterLine + length + 2, buffer.toString("latin1", afterLine, afterLine + length),
        null);
    }
    case "*": case "~": case ">": case "%": {
      const count = Number(header);
      if (count < 0) return done(afterLine, null, null);
      const items: Frame[] = [];
      let at = afterLine;
      for (let i = 0; i < (kind === "%" ? count * 2 : count); i++) {
        const item = parseAt(buffer, at);
        items.push(item);
        at += item.raw.length;
      }
      return done(at, null, items);
    }
    default:
      throw new Error(`not a RESP reply at byte ${offset}: ${JSON.stringify(header.slice(0, 40))}`);
  }
}

/** Splits complete frames off the front of a growing buffer. */
export class FrameReader {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
  }

  /** The next whole frame, or null until more bytes arrive. */
  next(): Frame | null {
    if (this.#buffer.length === 0) return null;
    try {
      const frame = parseAt(this.#buffer, 0);
      // Copy, so later chunks do not keep the whole buffer alive (and the raw bytes are stable).
      const raw = Buffer.from(frame.raw);
      this.#buffer = this.#buffer.subarray(frame.raw.length);
      return parseAt(raw, 0);
    } catch (error) {
      if (error instanceof Incomplete) return null;
      throw error;
    }
  }
}

/** Parses exactly one whole frame (tests of the comparator). */
export function parseFrame(bytes: string | Buffer): Frame {
  const raw = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
  return parseAt(raw, 0);
}

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(argv: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const arg of argv) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "latin1") : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** A pipelining RESP client: each `call` resolves with its reply frame, in request order. */
export class FrameClient {
  readonly #socket: Socket;
  readonly #reader = new FrameReader();
  readonly #waiting: { resolve: (frame: Frame) => void; reject: (error: Error) => void }[] = [];
  #failure: Error | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#reader.push(chunk);
      try {
        for (let frame = this.#reader.next(); frame !== null; frame = this.#reader.next()) {
          this.#waiting.shift()?.resolve(frame);
        }
      } catch (error) {
        this.#fail(error as Error);
      }
    });
    socket.on("error", (error) => { this.#fail(error); });
    socket.on("close", () => { this.#fail(new Error("connection closed")); });
  }

  static async connect(port: number): Promise<FrameClient> {
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    socket.setNoDelay(true);
    return new FrameClient(socket);
  }

  call(argv: readonly (string | Buffer)[]): Promise<Frame> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#socket.write(encodeCommand(argv));
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }
}
