/**
 * TEST-ONLY: a raw TCP client for the RESP server's tests, to send bytes a real client library
 * never would and to see exactly what comes back and whether the server closed the connection.
 */
import { connect, type Socket } from "node:net";
import { once } from "node:events";

export class RawRespClient {
  readonly #socket: Socket;
  #received = Buffer.alloc(0);
  #closed = false;
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
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

  get closed(): boolean {
    return this.#closed;
  }

  /** Everything received so far, as latin1 text. */
  get text(): string {
    return this.#received.toString("latin1");
  }

  send(bytes: string | Buffer): void {
    this.#socket.write(bytes);
  }

  /** Resolves once the received text satisfies `done` (or the connection closed). */
  async until(done: (text: string) => boolean): Promise<string> {
    while (!done(this.text) && !this.#closed) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.text;
  }

  /** Resolves once the server has closed the connection. */
  async untilClosed(): Promise<string> {
    return this.until(() => false);
  }

  /** Sends `request` and waits until at least `bytes` bytes of reply have arrived. */
  async exchange(request: string | Buffer, expected: string): Promise<string> {
    const before = this.#received.length;
    this.send(request);
    const length = before + Buffer.byteLength(expected, "latin1");
    const text = await this.until((t) => t.length >= length);
    return text.slice(before);
  }

  end(): void {
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
