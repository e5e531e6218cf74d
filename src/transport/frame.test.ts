import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FrameTooLargeError, FrameTruncatedError } from "./errors.js";
import {
  encodeFrame, encodeFrames, FRAME_COPY_BYTES_MAX, FrameDecoder, frameSegments,
} from "./frame.js";

function drain(decoder: FrameDecoder): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let f = decoder.next(); f !== null; f = decoder.next()) out.push(new Uint8Array(f));
  return out;
}

/** Splits `stream` at the given cut points (any values; normalised into range). */
function split(stream: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (stream.byteLength + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, stream.byteLength]) {
    chunks.push(stream.subarray(start, p));
    start = p;
  }
  return chunks;
}

test("a frame is a uint32 big-endian length followed by the payload", () => {
  assert.deepEqual([...encodeFrame(new Uint8Array([9, 8, 7]))], [0, 0, 0, 3, 9, 8, 7]);
  const two = encodeFrames([new Uint8Array([1]), new Uint8Array(0)]);
  assert.deepEqual([...two], [0, 0, 0, 1, 1, 0, 0, 0, 0]);
});

test("property: any split of a valid stream into chunks decodes to the same frames", () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 30 }),
      (payloads, cuts) => {
        const decoder = new FrameDecoder(300);
        const frames: Uint8Array[] = [];
        for (const chunk of split(encodeFrames(payloads), cuts)) {
          decoder.push(chunk);
          frames.push(...drain(decoder));
        }
        assert.deepEqual(frames, payloads.map((p) => new Uint8Array(p)));
        decoder.finish();
        assert.equal(decoder.bufferedBytes, 0);
      },
    ),
    { numRuns: 300 },
  );
});

test("property: a stream cut inside a frame is truncated; one cut between frames is not", () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 100 }), { minLength: 1, maxLength: 10 }),
      fc.nat(),
      (payloads, cut) => {
        const stream = encodeFrames(payloads);
        const end = cut % (stream.byteLength + 1);
        const boundaries = [0];
        for (const p of payloads) boundaries.push((boundaries.at(-1) ?? 0) + 4 + p.byteLength);
        const decoder = new FrameDecoder(100);
        decoder.push(stream.subarray(0, end));
        const frames = drain(decoder);
        assert.equal(frames.length, boundaries.filter((b) => b > 0 && b <= end).length);
        if (boundaries.includes(end)) decoder.finish();
        else assert.throws(() => { decoder.finish(); }, FrameTruncatedError);
      },
    ),
    { numRuns: 300 },
  );
});

test("an oversized length prefix is rejected from the header alone, buffering nothing", () => {
  const decoder = new FrameDecoder(1024);
  decoder.push(new Uint8Array([0x40, 0, 0, 0])); // 1 GiB
  assert.throws(() => decoder.next(), (error: unknown) => {
    assert.ok(error instanceof FrameTooLargeError);
    assert.equal(error.code, "FRAME_TOO_LARGE");
    assert.equal(error.frameBytes, 0x40000000);
    return true;
  });
  assert.equal(decoder.bufferedBytes, 0);
});

test("the largest prefix (0xffffffff) is read as unsigned and rejected", () => {
  const decoder = new FrameDecoder(2 ** 31);
  decoder.push(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
  assert.throws(() => decoder.next(), FrameTooLargeError);
});

test("a frame of exactly frameBytesMax is accepted and one byte more is not", () => {
  const ok = new FrameDecoder(10);
  ok.push(encodeFrame(new Uint8Array(10)));
  assert.equal(ok.next()?.byteLength, 10);
  const tooBig = new FrameDecoder(10);
  tooBig.push(encodeFrame(new Uint8Array(11)));
  assert.throws(() => tooBig.next(), FrameTooLargeError);
});

test("finish reports a partial header as truncated too", () => {
  const decoder = new FrameDecoder(10);
  decoder.push(new Uint8Array([0, 0]));
  assert.equal(decoder.next(), null);
  assert.throws(() => { decoder.finish(); }, FrameTruncatedError);
});

test("frameBytesMax can be raised between frames (after the handshake)", () => {
  const decoder = new FrameDecoder(2);
  decoder.push(encodeFrames([new Uint8Array(2), new Uint8Array(5)]));
  assert.equal(decoder.next()?.byteLength, 2);
  decoder.frameBytesMax = 5;
  assert.equal(decoder.next()?.byteLength, 5);
});

test("property: frame segments concatenate to encodeFrames and reference large payloads", () => {
  const large = fc.integer({ min: FRAME_COPY_BYTES_MAX, max: FRAME_COPY_BYTES_MAX + 50 });
  const sizes = fc.oneof(fc.nat(100), large);
  fc.assert(
    fc.property(fc.array(sizes, { maxLength: 8 }), (lengths) => {
      const payloads = lengths.map((n, i) => new Uint8Array(n).fill(i + 1));
      const segments = frameSegments(payloads);
      assert.deepEqual(Buffer.concat(segments), encodeFrames(payloads));
      for (const p of payloads) {
        if (p.byteLength < FRAME_COPY_BYTES_MAX) continue;
        assert.ok(segments.includes(p), "a large payload was copied");
      }
    }),
    { numRuns: 100 },
  );
});
