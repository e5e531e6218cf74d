/**
 * A minimal msgpack writer for the snapshot image (keyspace_image.ts), the one place where a
 * large value is encoded on the apply thread: msgpackr's generic `pack` of the keyspace built
 * as nested arrays first took 25-95 ms for 10,000 keys of 256 bytes, an event-loop stall that
 * set the p99 of every write at 64 clients (docs/performance.md). This writes the same msgpack
 * (any msgpack decoder, unpackStore included, reads it as the same values) straight into one
 * growing buffer, keys copied from their latin1 strings without a Buffer per key.
 */
export class MsgpackWriter {
  private buf: Buffer;
  private at = 0;

  constructor(capacityBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(64, capacityBytes));
  }

  /** The bytes written so far (a view of the writer's buffer: write nothing more after this). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }

  array(length: number): void {
    if (length < 16) {
      this.room(1);
      this.buf[this.at++] = 0x90 | length;
    } else if (length < 0x10000) {
      this.room(3);
      this.buf[this.at] = 0xdc;
      this.buf.writeUInt16BE(length, this.at + 1);
      this.at += 3;
    } else {
      this.room(5);
      this.buf[this.at] = 0xdd;
      this.buf.writeUInt32BE(length, this.at + 1);
      this.at += 5;
    }
  }

  nil(): void {
    this.room(1);
    this.buf[this.at++] = 0xc0;
  }

  /** Integers in 32 bits as the smallest int type; every other number (and -0) as float64. */
  number(value: number): void {
    if (Number.isInteger(value) && value >= -0x8000_0000 && value <= 0xffff_ffff
      && !Object.is(value, -0)) {
      this.integer(value);
      return;
    }
    this.room(9);
    this.buf[this.at] = 0xcb;
    this.buf.writeDoubleBE(value, this.at + 1);
    this.at += 9;
  }

  /** A msgpack str (UTF-8). */
  str(text: string): void {
    if (text.length === 1 && text.charCodeAt(0) < 0x80) { // a type tag
      this.room(2);
      this.buf[this.at] = 0xa1;
      this.buf[this.at + 1] = text.charCodeAt(0);
      this.at += 2;
      return;
    }
    const length = Buffer.byteLength(text, "utf8");
    this.strHeader(length);
    this.room(length);
    this.at += this.buf.write(text, this.at, "utf8");
  }

  bin(data: Uint8Array): void {
    const length = data.byteLength;
    this.binHeader(length);
    this.room(length);
    this.buf.set(data, this.at);
    this.at += length;
  }

  /** A msgpack bin holding the bytes of a latin1 string (a key or member name). */
  binLatin1(text: string): void {
    this.binHeader(text.length);
    this.room(text.length);
    this.at += this.buf.write(text, this.at, "latin1");
  }

  /** Bytes that already are one msgpack value. */
  raw(encoded: Uint8Array): void {
    this.room(encoded.byteLength);
    this.buf.set(encoded, this.at);
    this.at += encoded.byteLength;
  }

  private integer(value: number): void {
    this.room(5);
    const { buf, at } = this;
    if (value >= 0) {
      if (value < 0x80) {
        buf[at] = value;
        this.at += 1;
      } else if (value < 0x100) {
        buf[at] = 0xcc;
        buf[at + 1] = value;
        this.at += 2;
      } else if (value < 0x10000) {
        buf[at] = 0xcd;
        buf.writeUInt16BE(value, at + 1);
        this.at += 3;
      } else {
        buf[at] = 0xce;
        buf.writeUInt32BE(value, at + 1);
        this.at += 5;
      }
    } else if (value >= -32) {
      buf[at] = value & 0xff;
      this.at += 1;
    } else if (value >= -0x80) {
      buf[at] = 0xd0;
      buf.writeInt8(value, at + 1);
      this.at += 2;
    } else if (value >= -0x8000) {
      buf[at] = 0xd1;
      buf.writeInt16BE(value, at + 1);
      this.at += 3;
    } else {
      buf[at] = 0xd2;
      buf.writeInt32BE(value, at + 1);
      this.at += 5;
    }
  }

  private strHeader(length: number): void {
    if (length >= 32) {
      this.sizedHeader(length, 0xd9, 0xda, 0xdb);
      return;
    }
    this.room(1);
    this.buf[this.at++] = 0xa0 | length;
  }

  private binHeader(length: number): void {
    this.sizedHeader(length, 0xc4, 0xc5, 0xc6);
  }

  /** A str or bin header: the type byte for an 8, 16 or 32-bit length, then the length. */
  private sizedHeader(length: number, code8: number, code16: number, code32: number): void {
    this.room(5);
    const { buf, at } = this;
    if (length < 0x100) {
      buf[at] = code8;
      buf[at + 1] = length;
      this.at += 2;
    } else if (length < 0x10000) {
      buf[at] = code16;
      buf.writeUInt16BE(length, at + 1);
      this.at += 3;
    } else {
      buf[at] = code32;
      buf.writeUInt32BE(length, at + 1);
      this.at += 5;
    }
  }

  /** Makes room for `bytes` more, doubling the buffer as needed. */
  private room(bytes: number): void {
    const needed = this.at + bytes;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }
}
