import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import fc from "fast-check";
import { SnapshotAssembler, verifyWhole } from "./snapshot_assembler.js";
import type { SnapshotChunk } from "./snapshot_codec.js";
import { type SnapshotFailureReason, SnapshotTransferError } from "./snapshot_errors.js";
import { bytes } from "./test_support.js";

function chunk(data: Uint8Array, offset: number, size: number): SnapshotChunk {
  const part = data.subarray(offset, offset + size);
  return { type: "SnapshotChunk", id: 1, offset, crc: crc32(part), data: part };
}

function chunksOf(data: Uint8Array, size: number, from = 0): SnapshotChunk[] {
  const out: SnapshotChunk[] = [];
  for (let at = from; at < data.byteLength; at += size) out.push(chunk(data, at, size));
  return out;
}

function dropped(reason: SnapshotFailureReason): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof SnapshotTransferError, String(error));
    assert.equal(error.code, "SNAPSHOT_TRANSFER_FAILED");
    assert.equal(error.reason, reason);
    return true;
  };
}

const data = bytes(10_000, 5);
const end = { type: "SnapshotEnd", id: 1, bytes: data.byteLength, crc: crc32(data) } as const;

test("chunks in order with matching CRCs assemble to the whole, checked end to end", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 4000 }), (size) => {
    const assembler = new SnapshotAssembler({ offset: 0, crc: 0 }, 1 << 20);
    for (const c of chunksOf(data, size)) assembler.accept(c);
    assembler.finish(end);
    assert.deepEqual(assembler.prefix, { offset: data.byteLength, crc: crc32(data) });
  }));
});

test("a resumed transfer continues from the prefix's length and CRC", () => {
  const from = { offset: 3000, crc: crc32(data.subarray(0, 3000)) };
  const assembler = new SnapshotAssembler(from, 1 << 20);
  for (const c of chunksOf(data, 1000, 3000)) assembler.accept(c);
  assembler.finish(end);
  const wrongPrefix = new SnapshotAssembler({ offset: 3000, crc: 7 }, 1 << 20);
  for (const c of chunksOf(data, 1000, 3000)) wrongPrefix.accept(c);
  assert.throws(() => { wrongPrefix.finish(end); }, dropped("WHOLE_CHECKSUM"));
});

test("a chunk whose data does not match its CRC is rejected, whichever bit flipped", () => {
  fc.assert(fc.property(fc.nat(999), fc.integer({ min: 0, max: 7 }), (at, bit) => {
    const assembler = new SnapshotAssembler({ offset: 0, crc: 0 }, 1 << 20);
    const good = chunk(data, 0, 1000);
    const bad = { ...good, data: Uint8Array.from(good.data) };
    bad.data[at] = (bad.data[at] ?? 0) ^ (1 << bit);
    assert.throws(() => { assembler.accept(bad); }, dropped("CHUNK_CHECKSUM"));
  }));
});

test("a chunk that skips ahead, repeats or overlaps is rejected as out of order", () => {
  for (const offset of [1000, 500, 0]) {
    const assembler = new SnapshotAssembler({ offset: 0, crc: 0 }, 1 << 20);
    if (offset === 0 || offset === 500) assembler.accept(chunk(data, 0, 1000));
    assert.throws(() => { assembler.accept(chunk(data, offset, 100)); }, dropped("OUT_OF_ORDER"));
  }
  const assembler = new SnapshotAssembler({ offset: 0, crc: 0 }, 1 << 20);
  assert.throws(() => { assembler.accept(chunk(data, 1000, 100)); }, dropped("OUT_OF_ORDER"));
});

test("a transfer growing past snapshotBytesMax is rejected", () => {
  const assembler = new SnapshotAssembler({ offset: 0, crc: 0 }, 2500);
  assembler.accept(chunk(data, 0, 2000));
  assert.throws(() => { assembler.accept(chunk(data, 2000, 1000)); }, dropped("TOO_LARGE"));
});

test("a truncated transfer never passes its end checks", () => {
  const assembler = new SnapshotAssembler({ offset: 0, crc: 0 }, 1 << 20);
  for (const c of chunksOf(data, 1000).slice(0, -1)) assembler.accept(c);
  assert.throws(() => { assembler.finish(end); }, dropped("TRUNCATED"));
  assert.throws(() => { verifyWhole(data.subarray(0, 9000), end); }, dropped("WHOLE_CHECKSUM"));
});

test("verifyWhole catches a file that changed after its chunks were checked", () => {
  verifyWhole(data, end);
  const changed = Uint8Array.from(data);
  changed[1234] = (changed[1234] ?? 0) ^ 1;
  assert.throws(() => { verifyWhole(changed, end); }, dropped("WHOLE_CHECKSUM"));
});
