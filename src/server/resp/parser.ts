/**
 * Incremental parser for client requests in RESP2 (arrays of bulk strings) and inline commands.
 * Bytes are pushed as they arrive; `next()` returns one complete request at a time, or
 * "incomplete" (wait for more bytes), or a protocol error after which the connection must close.
 *
 * Memory is bounded by limits checked the moment a length is declared, before its bytes arrive:
 * a declared bulk length above `bulkBytesMax`, or a request whose declared bulk lengths add up to
 * more than `requestBytesMax`, is a protocol error at once. Nothing is ever allocated for a
 * declared length; bytes are kept only as they arrive (see `byte_queue.ts`). Error texts follow
 * Redis's wording ("Protocol error: invalid bulk length") so that clients recognise them.
 *
 * Arguments are views of the received chunks where possible (see `ByteQueue.take`).
 */
import { ByteQueue } from "./byte_queue.js";
import { splitInlineArgs } from "./inline.js";

export interface RespParserLimits {
  /** Largest bulk string accepted (Redis's proto-max-bulk-len). */
  readonly bulkBytesMax: number;
  /** Most arguments in one request. */
  readonly arrayLengthMax: number;
  /** Longest inline command line. */
  readonly inlineBytesMax: number;
  /** Most bulk-string bytes in one request, all arguments together. */
  readonly requestBytesMax: number;
}

export type ParseResult =
  | { readonly kind: "request"; readonly args: Buffer[] }
  | { readonly kind: "incomplete" }
  | { readonly kind: "error"; readonly message: string };

/** "*<count>\r\n" and "$<length>\r\n" lines: 20 digits, a sign and CRLF fit easily. */
const countLineBytesMax = 32;
const CR = 0x0d;
const LF = 0x0a;
const STAR = 0x2a;
const DOLLAR = 0x24;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** More digits than this could exceed Number.MAX_SAFE_INTEGER; no limit is that large. */
const countDigitsMax = 15;
const INCOMPLETE: ParseResult = { kind: "incomplete" };

function protocolError(detail: string): ParseResult {
  return { kind: "error", message: `Protocol error: ${detail}` };
}

/**
 * The integer after the line's type byte, as Redis's string2ll reads it (an optional minus, no
 * plus, no leading zeros), or null.
 */
function parseCount(line: Buffer): number | null {
  let i = 1;
  const negative = line[i] === MINUS;
  if (negative) i += 1;
  const digits = line.length - i;
  if (digits < 1 || digits > countDigitsMax || (line[i] === ZERO && digits > 1)) return null;
  let value = 0;
  for (; i < line.length; i += 1) {
    const c = line[i] ?? 0;
    if (c < ZERO || c > NINE) return null;
    value = value * 10 + (c - ZERO);
  }
  return negative ? -value : value;
}

export class RespParser {
  readonly #bytes = new ByteQueue();
  readonly #limits: RespParserLimits;
  /** The arguments of the array request being read, or null between requests. */
  #args: Buffer[] | null = null;
  /** How many arguments the current array request declared. */
  #count = 0;
  /** Bulk bytes the current request has declared so far. */
  #requestBytes = 0;
  /** The declared length of the bulk string being read, or -1 while reading its header. */
  #bulkLength = -1;
  /** Where the search for the current line's LF resumes, so slow senders cost O(n) in total. */
  #scannedBytes = 0;

  constructor(limits: RespParserLimits) {
    this.#limits = limits;
  }

  /** Bytes received and not yet returned as requests. */
  get bufferedBytes(): number {
    return this.#bytes.length;
  }

  push(chunk: Buffer): void {
    this.#bytes.push(chunk);
  }

  /** The next complete request, if its bytes have all arrived. */
  next(): ParseResult {
    for (;;) {
      let result: ParseResult | null;
      if (this.#args === null) {
        if (this.#bytes.length === 0) return INCOMPLETE;
        result = this.#bytes.byteAt(0) === STAR ? this.#readArrayHeader() : this.#readInline();
      } else {
        result = this.#bulkLength < 0 ? this.#readBulkHeader() : this.#readBulkBody(this.#args);
      }
      if (result !== null) return result;
    }
  }

  /**
   * The current line without its CRLF, or null when its LF has not arrived, or an error when
   * more than `lineBytesMax` bytes came without one.
   */
  #takeLine(lineBytesMax: number, tooBig: string): Buffer | ParseResult | null {
    const lf = this.#bytes.indexOf(LF, this.#scannedBytes);
    if (lf === -1) {
      this.#scannedBytes = this.#bytes.length;
      return this.#bytes.length > lineBytesMax ? protocolError(tooBig) : null;
    }
    this.#scannedBytes = 0;
    if (lf > lineBytesMax) return protocolError(tooBig);
    const line = this.#bytes.take(lf + 1);
    return line.subarray(0, lf > 0 && line[lf - 1] === CR ? lf - 1 : lf);
  }

  #readArrayHeader(): ParseResult | null {
    const line = this.#takeLine(countLineBytesMax, "too big mbulk count string");
    if (line === null) return INCOMPLETE;
    if (!Buffer.isBuffer(line)) return line;
    const count = parseCount(line);
    if (count === null || count > this.#limits.arrayLengthMax) {
      return protocolError("invalid multibulk length");
    }
    // Redis ignores "*0" and "*-1" requests.
    if (count > 0) {
      this.#args = [];
      this.#count = count;
      this.#requestBytes = 0;
      this.#bulkLength = -1;
    }
    return null;
  }

  #readBulkHeader(): ParseResult | null {
    if (this.#bytes.length === 0) return INCOMPLETE;
    const first = this.#bytes.byteAt(0);
    if (first !== DOLLAR) {
      return protocolError(`expected '$', got '${String.fromCharCode(first)}'`);
    }
    const line = this.#takeLine(countLineBytesMax, "too big bulk count string");
    if (line === null) return INCOMPLETE;
    if (!Buffer.isBuffer(line)) return line;
    const length = parseCount(line);
    if (length === null || length < 0 || length > this.#limits.bulkBytesMax) {
      return protocolError("invalid bulk length");
    }
    if (this.#requestBytes + length > this.#limits.requestBytesMax) {
      return protocolError(`request larger than ${this.#limits.requestBytesMax} bytes`);
    }
    this.#requestBytes += length;
    this.#bulkLength = length;
    return null;
  }

  #readBulkBody(args: Buffer[]): ParseResult | null {
    const length = this.#bulkLength;
    if (this.#bytes.length < length + 2) return INCOMPLETE;
    const value = this.#bytes.take(length);
    if (this.#bytes.byteAt(0) !== CR || this.#bytes.byteAt(1) !== LF) {
      return protocolError("bulk string not terminated by CRLF");
    }
    this.#bytes.skip(2);
    args.push(value);
    this.#bulkLength = -1;
    if (args.length < this.#count) return null;
    this.#args = null;
    return { kind: "request", args };
  }

  #readInline(): ParseResult | null {
    const line = this.#takeLine(this.#limits.inlineBytesMax, "too big inline request");
    if (line === null) return INCOMPLETE;
    if (!Buffer.isBuffer(line)) return line;
    const args = splitInlineArgs(line);
    if (args === null) return protocolError("unbalanced quotes in request");
    if (args.length > this.#limits.arrayLengthMax) return protocolError("invalid multibulk length");
    // An empty line is ignored, as Redis does.
    return args.length === 0 ? null : { kind: "request", args };
  }
}
