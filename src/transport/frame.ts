/**
 * Framing of the peer byte stream: each frame is a uint32 big-endian payload length followed by
 * the payload. `FrameDecoder` reassembles frames from arbitrarily split chunks, rejects a length
 * above `frameBytesMax` as soon as the 4 header bytes arrive (so a hostile "1 GB" prefix never
 * allocates), and reports a stream that ends inside a frame.
 */
import { assert } from "../core/index.js";
import { FrameTooLargeError, FrameTruncatedError } from "./errors.js";
import { FRAME_BYTES_LIMIT } from "./limits.js";

export const FRAME_HEADER_BYTES = 4;

/** Payloads at least this large are written from their own buffer rather than copied. */
export const FRAME_COPY_BYTES_MAX = 16 * 1024;

/** Writes `payloads` as consecutive frames into one new buffer (one socket write per batch). */
export function encodeFrames(payloads: readonly Uint8Array[]): Buffer {
  return copyFrames(payloads, null);
}

/**
 * The frames of `payloads` as buffers for one vectored write (cork, write each, uncork): headers
 * and small payloads are copied together; a large payload is referenced, not copied again.
 */
export function frameSegments(payloads: readonly Uint8Array[]): Uint8Array[] {
  const segments: Uint8Array[] = [];
  let start = 0;
  payloads.forEach((payload, i) => {
    if (payload.byteLength < FRAME_COPY_BYTES_MAX) return;
    segments.push(copyFrames(payloads.slice(start, i), payload.byteLength), payload);
    start = i + 1;
  });
  if (start < payloads.length) segments.push(copyFrames(payloads.slice(start), null));
  return segments;
}

/** Frames `payloads` into one buffer, ending with the bare header of `trailingBytes` if given. */
function copyFrames(payloads: readonly Uint8Array[], trailingBytes: number | null): Buffer {
  let total = trailingBytes === null ? 0 : FRAME_HEADER_BYTES;
  for (const payload of payloads) total += FRAME_HEADER_BYTES + payload.byteLength;
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const payload of payloads) {
    assert(payload.byteLength <= FRAME_BYTES_LIMIT, "frame payload exceeds the uint32 prefix");
    out.writeUInt32BE(payload.byteLength, offset);
    out.set(payload, offset + FRAME_HEADER_BYTES);
    offset += FRAME_HEADER_BYTES + payload.byteLength;
  }
  if (trailingBytes !== null) {
    assert(trailingBytes <= FRAME_BYTES_LIMIT, "frame payload exceeds the uint32 prefix");
    out.writeUInt32BE(trailingBytes, offset);
  }
  return out;
}

/** One frame; see `encodeFrames`. */
export function encodeFrame(payload: Uint8Array): Buffer {
  return encodeFrames([payload]);
}

/**
 * Incremental decoder. Usage: `push(chunk)`, then call `next()` until it returns null; at end of
 * stream call `finish()`. Pulling one frame at a time lets the caller stop, or change
 * `frameBytesMax` (after a handshake), between frames. Buffered bytes never exceed
 * `frameBytesMax + 4` plus the unread remainder of the last chunk pushed.
 */
export class FrameDecoder {
  private readonly chunks: Uint8Array[] = [];
  /** Read position inside `chunks[0]`. */
  private offset = 0;
  private buffered = 0;
  /** Payload length of the frame being assembled, once its header has been read. */
  private pendingBytes: number | null = null;

  constructor(public frameBytesMax: number) {
    assert(Number.isSafeInteger(frameBytesMax) && frameBytesMax >= 0, "frameBytesMax must be >= 0");
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
  }

  /**
   * The next complete frame's payload, or null if more bytes are needed. A payload may be a view
   * of a pushed chunk: copy it before keeping it beyond the next `push`.
   * @throws FrameTooLargeError if the next header announces more than `frameBytesMax`.
   */
  next(): Uint8Array | null {
    if (this.pendingBytes === null) {
      if (this.buffered < FRAME_HEADER_BYTES) return null;
      const header = this.take(FRAME_HEADER_BYTES);
      const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = header;
      const length = b0 * 0x1000000 + ((b1 << 16) | (b2 << 8) | b3); // unsigned, unlike b0 << 24
      if (length > this.frameBytesMax) throw new FrameTooLargeError(length, this.frameBytesMax);
      this.pendingBytes = length;
    }
    if (this.buffered < this.pendingBytes) return null;
    const payload = this.take(this.pendingBytes);
    this.pendingBytes = null;
    return payload;
  }

  /** @throws FrameTruncatedError if the stream ended inside a frame. */
  finish(): void {
    const partial = this.buffered + (this.pendingBytes === null ? 0 : FRAME_HEADER_BYTES);
    if (partial > 0) throw new FrameTruncatedError(partial);
  }

  /** Removes `n <= buffered` bytes: a view when they lie in one chunk, else one copy. */
  private take(n: number): Uint8Array {
    assert(n <= this.buffered, "take beyond buffered bytes");
    this.buffered -= n;
    const first = this.chunks[0];
    if (first === undefined) return new Uint8Array(0);
    if (first.byteLength - this.offset >= n) {
      const view = first.subarray(this.offset, this.offset + n);
      this.advance(first, n);
      return view;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      assert(chunk !== undefined, "buffered count out of step with chunks");
      const count = Math.min(n - filled, chunk.byteLength - this.offset);
      out.set(chunk.subarray(this.offset, this.offset + count), filled);
      filled += count;
      this.advance(chunk, count);
    }
    return out;
  }

  private advance(chunk: Uint8Array, count: number): void {
    this.offset += count;
    if (this.offset === chunk.byteLength) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
