/**
 * The bytes a connection has received but not yet parsed, kept as the list of chunks they
 * arrived in so that waiting for a large bulk string never re-copies what is already buffered.
 * It holds only bytes that have arrived: nothing is ever allocated for a length a peer declared.
 */
import { assert } from "../../core/index.js";

export class ByteQueue {
  #chunks: Buffer[] = [];
  /** Bytes of `#chunks[0]` already consumed. */
  #offset = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** The byte at `index` from the start, which must be buffered. */
  byteAt(index: number): number {
    assert(index >= 0 && index < this.#length, `byteAt(${index}) outside ${this.#length} bytes`);
    let at = index + this.#offset;
    for (const chunk of this.#chunks) {
      if (at < chunk.length) return chunk[at] ?? 0;
      at -= chunk.length;
    }
    return 0;
  }

  /** Index of the first `byte` at or after `from`, or -1 if it is not buffered. */
  indexOf(byte: number, from: number): number {
    let base = -this.#offset;
    for (const chunk of this.#chunks) {
      const start = Math.max(0, from - base);
      if (start < chunk.length) {
        const found = chunk.indexOf(byte, start);
        if (found !== -1) return base + found;
      }
      base += chunk.length;
    }
    return -1;
  }

  /**
   * Removes the first `count` bytes and returns them: a view of the received chunk when they lie
   * within one (no copy: the common case), else a copy joined from the chunks they span. Views
   * keep their whole chunk alive, so whoever keeps one for long must copy it (kv_service.ts).
   */
  take(count: number): Buffer {
    assert(count >= 0 && count <= this.#length, `take(${count}) of ${this.#length} bytes`);
    const first = this.#chunks[0];
    if (first !== undefined && this.#offset + count <= first.length) {
      const view = first.subarray(this.#offset, this.#offset + count);
      this.#consume(count);
      return view;
    }
    const out = Buffer.allocUnsafe(count);
    let written = 0;
    while (written < count) {
      const chunk = this.#chunks[0];
      assert(chunk !== undefined, "ByteQueue length out of step with its chunks");
      const n = Math.min(count - written, chunk.length - this.#offset);
      chunk.copy(out, written, this.#offset, this.#offset + n);
      written += n;
      this.#consume(n);
    }
    return out;
  }

  /** Removes the first `count` bytes. */
  skip(count: number): void {
    assert(count >= 0 && count <= this.#length, `skip(${count}) of ${this.#length} bytes`);
    let left = count;
    while (left > 0) {
      const chunk = this.#chunks[0];
      assert(chunk !== undefined, "ByteQueue length out of step with its chunks");
      const n = Math.min(left, chunk.length - this.#offset);
      this.#consume(n);
      left -= n;
    }
  }

  #consume(n: number): void {
    this.#offset += n;
    this.#length -= n;
    const first = this.#chunks[0];
    if (first !== undefined && this.#offset === first.length) {
      this.#chunks.shift();
      this.#offset = 0;
    }
  }
}
