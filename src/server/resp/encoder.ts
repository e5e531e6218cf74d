/**
 * Writes `Reply` values in RESP2 or RESP3. Text parts are gathered into one string and binary
 * bulk payloads are kept as their own buffers, so encoding a batch of replies costs one
 * `Buffer.concat` and no per-byte copying beyond that.
 */
import { assertNever } from "../../core/index.js";
import type { ProtocolVersion, Reply } from "./reply.js";

/** Gathers encoded bytes; `toBuffer()` returns everything written so far. */
export class ReplyWriter {
  readonly #parts: Buffer[] = [];
  #text = "";

  get isEmpty(): boolean {
    return this.#parts.length === 0 && this.#text === "";
  }

  write(reply: Reply, protocol: ProtocolVersion): void {
    switch (reply.type) {
      case "simple":
        this.#text += `+${oneLine(reply.text)}\r\n`;
        return;
      case "error":
        this.#text += `-${oneLine(reply.text)}\r\n`;
        return;
      case "integer":
        this.#text += `:${reply.value.toString()}\r\n`;
        return;
      case "bulk":
        this.#writeBulk(reply.value);
        return;
      case "null":
        this.#text += protocol === 3 ? "_\r\n" : "$-1\r\n";
        return;
      case "array":
        this.#text += `*${reply.items.length}\r\n`;
        for (const item of reply.items) this.write(item, protocol);
        return;
      case "nullArray":
        this.#text += protocol === 3 ? "_\r\n" : "*-1\r\n";
        return;
      case "set":
        this.#text += `${protocol === 3 ? "~" : "*"}${reply.items.length}\r\n`;
        for (const item of reply.items) this.write(item, protocol);
        return;
      case "double":
        if (protocol === 3) this.#text += `,${reply.text}\r\n`;
        else this.#writeBulk(reply.text);
        return;
      case "verbatim":
        if (protocol === 3) {
          const body = `${reply.format}:${reply.text}`;
          this.#text += `=${Buffer.byteLength(body)}\r\n${body}\r\n`;
        } else {
          this.#writeBulk(reply.text);
        }
        return;
      case "map":
        this.#text += protocol === 3
          ? `%${reply.entries.length}\r\n`
          : `*${reply.entries.length * 2}\r\n`;
        for (const [key, value] of reply.entries) {
          this.write(key, protocol);
          this.write(value, protocol);
        }
        return;
      case "pairs":
        this.#text += `*${reply.entries.length * (protocol === 3 ? 1 : 2)}\r\n`;
        for (const [first, second] of reply.entries) {
          if (protocol === 3) this.#text += "*2\r\n";
          this.write(first, protocol);
          this.write(second, protocol);
        }
        return;
      default:
        assertNever(reply, "reply");
    }
  }

  /** Everything written so far, and resets the writer. */
  take(): Buffer {
    this.#flushText();
    const out = this.#parts.length === 1 ? this.#parts[0] : Buffer.concat(this.#parts);
    this.#parts.length = 0;
    return out ?? Buffer.alloc(0);
  }

  #writeBulk(value: Uint8Array | string): void {
    if (typeof value === "string") {
      this.#text += `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
      return;
    }
    this.#text += `$${value.byteLength}\r\n`;
    this.#flushText();
    this.#parts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    this.#text = "\r\n";
  }

  #flushText(): void {
    if (this.#text === "") return;
    this.#parts.push(Buffer.from(this.#text, "utf8"));
    this.#text = "";
  }
}

/** Simple strings and errors may not contain CR or LF (RESP). */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}

/** Encodes one reply on its own; tests and one-off writes use it. */
export function encodeReply(reply: Reply, protocol: ProtocolVersion): Buffer {
  const writer = new ReplyWriter();
  writer.write(reply, protocol);
  return writer.take();
}
