/**
 * TEST-ONLY: a raw TCP client for the RESP server's tests, to send bytes a real client library
 * never would and to see exactly what comes back and whether the server closed the connection.
 */
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { respReplyEnd, respRequest } from "../../kv/testing/reference_redis.js";

export class RawRespClient {
  readonly #socket: Socket;
  readonly #chunks: Buffer[] = [];
  #length = 0;
  #closed = false;
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#length += chunk.length;
      this.#wake();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.#closed = true;
      this.#wake();
    });
  }

  static async connect(port: number): Promise<RawRespClient> {
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    return new RawRespClient(socket);
  }

  /** The underlying socket, for tests that drive it directly. */
  get socket(): Socket {
    return this.#socket;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes received so far. */
  get length(): number {
    return this.#length;
  }

  /** Everything received so far, as latin1 text. */
  get text(): string {
    if (this.#chunks.length > 1) {
      const joined = Buffer.concat(this.#chunks);
      this.#chunks.length = 0;
      this.#chunks.push(joined);
    }
    return this.#chunks[0]?.toString("latin1") ?? "";
  }

  send(bytes: string | Buffer): void {
    this.#socket.write(bytes);
  }

  /** Resolves once the received text satisfies `done` (or the connection closed). */
  async until(done: (text: string) => boolean): Promise<string> {
    while (!done(this.text) && !this.#closed) await this.#nextEvent();
    return this.text;
  }

  /** Resolves once `bytes` bytes have been received in all (or the connection closed). */
  async untilLength(bytes: number): Promise<void> {
    while (this.#length < bytes && !this.#closed) await this.#nextEvent();
  }

  /** Resolves once the server has closed the connection. */
  async untilClosed(): Promise<string> {
    return this.until(() => false);
  }

  /** Sends `request` and returns the next `expected.length` bytes received, as latin1 text. */
  async exchange(request: string | Buffer, expected: string): Promise<string> {
    const before = this.#length;
    this.send(request);
    await this.untilLength(before + Buffer.byteLength(expected, "latin1"));
    return this.text.slice(before);
  }

  /**
   * Sends `args` as one command and resolves with its whole reply (RESP2 or RESP3), for
   * sessions that wait for each reply before the next request (so nothing else is unread).
   * @throws Error when the connection closes before the whole reply arrived.
   */
  async command(args: readonly string[]): Promise<string> {
    const start = this.#length;
    this.send(respRequest(args));
    const text = await this.until((t) => respReplyEnd(t, start) >= 0);
    const end = respReplyEnd(text, start);
    if (end < 0) throw new Error(`connection closed before the reply to ${args.join(" ")}`);
    return text.slice(start, end);
  }

  /** Stops reading, so the server's writes back up (to test its backpressure). */
  pauseReading(): void {
    this.#socket.pause();
  }

  resumeReading(): void {
    this.#socket.resume();
  }

  end(): void {
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #nextEvent(): Promise<void> {
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
