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
const INCOMPLETE: ParseResult = { kind: "incomplete" };
const integerPattern = /^-?(0|[1-9][0-9]*)$/;

type State =
  | { readonly at: "start" }
  | { readonly at: "bulkHeader"; readonly args: Buffer[]; readonly count: number; bytes: number }
  | {
    readonly at: "bulkBody";
    readonly args: Buffer[];
    readonly count: number;
    bytes: number;
    readonly length: number;
  };

function protocolError(detail: string): ParseResult {
  return { kind: "error", message: `Protocol error: ${detail}` };
}

function parseCount(line: string): number | null {
  if (!integerPattern.test(line)) return null;
  const value = Number(line);
  return Number.isSafeInteger(value) ? value : null;
}

export class RespParser {
  readonly #bytes = new ByteQueue();
  readonly #limits: RespParserLimits;
  #state: State = { at: "start" };
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
      const state = this.#state;
      switch (state.at) {
        case "start": {
          if (this.#bytes.length === 0) return INCOMPLETE;
          const isArray = this.#bytes.byteAt(0) === 0x2a;
          const result = isArray ? this.#readArrayHeader() : this.#readInline();
          if (result !== null) return result;
          break;
        }
        case "bulkHeader": {
          const result = this.#readBulkHeader(state);
          if (result !== null) return result;
          break;
        }
        case "bulkBody": {
          const result = this.#readBulkBody(state);
          if (result !== null) return result;
          break;
        }
      }
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
    const count = parseCount(line.toString("latin1", 1));
    if (count === null || count > this.#limits.arrayLengthMax) {
      return protocolError("invalid multibulk length");
    }
    // Redis ignores "*0" and "*-1" requests.
    if (count > 0) this.#state = { at: "bulkHeader", args: [], count, bytes: 0 };
    return null;
  }

  #readBulkHeader(state: State & { at: "bulkHeader" }): ParseResult | null {
    if (this.#bytes.length === 0) return INCOMPLETE;
    const first = this.#bytes.byteAt(0);
    if (first !== 0x24) {
      return protocolError(`expected '$', got '${String.fromCharCode(first)}'`);
    }
    const line = this.#takeLine(countLineBytesMax, "too big bulk count string");
    if (line === null) return INCOMPLETE;
    if (!Buffer.isBuffer(line)) return line;
    const length = parseCount(line.toString("latin1", 1));
    if (length === null || length < 0 || length > this.#limits.bulkBytesMax) {
      return protocolError("invalid bulk length");
    }
    if (state.bytes + length > this.#limits.requestBytesMax) {
      return protocolError(`request larger than ${this.#limits.requestBytesMax} bytes`);
    }
    this.#state = { ...state, at: "bulkBody", bytes: state.bytes + length, length };
    return null;
  }

  #readBulkBody(state: State & { at: "bulkBody" }): ParseResult | null {
    if (this.#bytes.length < state.length + 2) return INCOMPLETE;
    const value = this.#bytes.take(state.length);
    if (this.#bytes.byteAt(0) !== CR || this.#bytes.byteAt(1) !== LF) {
      return protocolError("bulk string not terminated by CRLF");
    }
    this.#bytes.skip(2);
    state.args.push(value);
    if (state.args.length < state.count) {
      this.#state = { at: "bulkHeader", args: state.args, count: state.count, bytes: state.bytes };
      return null;
    }
    this.#state = { at: "start" };
    return { kind: "request", args: state.args };
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
