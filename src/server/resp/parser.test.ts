import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { RespParser, type ParseResult, type RespParserLimits } from "./parser.js";

const limits: RespParserLimits = {
  bulkBytesMax: 1024,
  arrayLengthMax: 16,
  inlineBytesMax: 64,
  requestBytesMax: 2048,
};

function encodeRequest(args: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    parts.push(Buffer.from(`$${arg.length}\r\n`), Buffer.from(arg), Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Feeds `chunks` one by one and collects every request, stopping at an error. */
function parseAll(chunks: readonly Buffer[], parserLimits = limits): (Buffer[] | string)[] {
  const parser = new RespParser(parserLimits);
  const out: (Buffer[] | string)[] = [];
  for (const chunk of chunks) {
    parser.push(chunk);
    for (;;) {
      const result: ParseResult = parser.next();
      if (result.kind === "incomplete") break;
      if (result.kind === "error") return [...out, result.message];
      out.push(result.args);
    }
  }
  return out;
}

/** The arguments of each parsed request as strings, or the error message. */
function parseText(text: string): (string[] | string)[] {
  return parseAll([Buffer.from(text, "latin1")])
    .map((r) => typeof r === "string" ? r : r.map((arg) => arg.toString("latin1")));
}

test("requests split at any byte boundaries parse to the same arguments", () => {
  const arg = fc.uint8Array({ maxLength: 40 });
  const request = fc.array(arg, { minLength: 1, maxLength: 6 });
  const requestLists = fc.array(request, { minLength: 1, maxLength: 5 });
  fc.assert(fc.property(requestLists, fc.array(fc.nat(), { maxLength: 10 }), (requests, cuts) => {
    const bytes = Buffer.concat(requests.map(encodeRequest));
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let from = 0;
    for (const point of [...points, bytes.length]) {
      chunks.push(bytes.subarray(from, point));
      from = point;
    }
    const parsed = parseAll(chunks);
    assert.deepEqual(parsed.map((args) => (args as Buffer[]).map((a) => [...a])),
      requests.map((args) => args.map((a) => [...a])));
  }));
});

test("a byte-at-a-time sender gets the same result as one chunk", () => {
  const bytes = Buffer.from("*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\nPING x\r\n");
  const oneByOne = [...bytes].map((b) => Buffer.from([b]));
  assert.deepEqual(parseAll(oneByOne), parseAll([bytes]));
  assert.deepEqual(parseText(bytes.toString()), [["ECHO", "hello"], ["PING", "x"]]);
});

test("arguments stay intact while later bytes arrive and are parsed", () => {
  const parser = new RespParser(limits);
  parser.push(Buffer.from("*2\r\n$3\r\nabc\r\n$2\r\nde\r\n*1\r\n$2\r\nfg"));
  const first = parser.next();
  assert.ok(first.kind === "request");
  parser.push(Buffer.from("\r\n"));
  assert.equal(parser.next().kind, "request");
  assert.deepEqual(first.args.map(String), ["abc", "de"]);
});

test("empty multibulk and empty inline lines are skipped, as in Redis", () => {
  assert.deepEqual(parseText("*0\r\n*-1\r\n\r\n   \r\nPING\r\n"), [["PING"]]);
});

test("limits are enforced when a length is declared, before its bytes arrive", () => {
  assert.deepEqual(parseText("*1\r\n$1025\r\n"), ["Protocol error: invalid bulk length"]);
  assert.deepEqual(parseText("*17\r\n"), ["Protocol error: invalid multibulk length"]);
  const bulk1000 = "$1000\r\n" + "x".repeat(1000) + "\r\n";
  assert.deepEqual(parseText(`*3\r\n${bulk1000}${bulk1000}$100\r\n`),
    ["Protocol error: request larger than 2048 bytes"]);
  assert.deepEqual(parseText("x".repeat(65)), ["Protocol error: too big inline request"]);
  assert.deepEqual(parseText("x".repeat(64)), []);
  assert.deepEqual(parseText(`*${"1".repeat(40)}`), ["Protocol error: too big mbulk count string"]);
});

test("malformed headers are errors with Redis's wording", () => {
  assert.deepEqual(parseText("*1\r\n:1\r\n"), ["Protocol error: expected '$', got ':'"]);
  assert.deepEqual(parseText("*1\r\n$01\r\nx\r\n"), ["Protocol error: invalid bulk length"]);
  assert.deepEqual(parseText("*+1\r\n"), ["Protocol error: invalid multibulk length"]);
});

test("an incomplete bulk string waits for its bytes", () => {
  const parser = new RespParser(limits);
  parser.push(Buffer.from("*1\r\n$5\r\nhel"));
  assert.equal(parser.next().kind, "incomplete");
  parser.push(Buffer.from("lo\r"));
  assert.equal(parser.next().kind, "incomplete");
  parser.push(Buffer.from("\n"));
  const result = parser.next();
  assert.equal(result.kind, "request");
  assert.equal(parser.bufferedBytes, 0);
});

test("arbitrary bytes never make the parser throw, and an error is final", () => {
  const noise = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom("*", "$", "\r\n", "*2\r\n", "$3\r\n", "-1", "99999", "\"", "'", " ")
      .map((text) => Buffer.from(text)),
  );
  fc.assert(fc.property(fc.array(noise, { maxLength: 30 }), (pieces) => {
    const parser = new RespParser(limits);
    for (const piece of pieces) {
      parser.push(Buffer.from(piece));
      for (;;) {
        const result = parser.next();
        if (result.kind === "error") {
          assert.match(result.message, /^Protocol error: /);
          return;
        }
        if (result.kind === "incomplete") break;
        assert.ok(result.args.length > 0);
      }
    }
  }), { numRuns: 500 });
});
