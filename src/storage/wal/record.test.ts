/** Record framing: round trips, and every single-byte corruption is caught by a checksum. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { logIndex, nodeId, term } from "../../core/types.js";
import { WalCorruptError } from "../errors.js";
import { checkFrame, decodeRecord, encodeRecord, encodeRecords, FRAME_HEADER_BYTES, type WalRecord } from "./record.js";
import { scanSegment } from "./segment.js";

const PAYLOAD_MAX = 1 << 20;

const arbRecord: fc.Arbitrary<WalRecord> = fc.oneof(
  fc.record({
    index: fc.nat(),
    term: fc.nat(),
    kind: fc.constantFrom("normal" as const, "noop" as const, "config" as const),
    data: fc.uint8Array({ maxLength: 300 }),
  }).map(({ index, term: t, kind, data }) => ({
    type: "entry" as const,
    entry: { index: logIndex(index), term: term(t), kind, data },
  })),
  fc.record({ t: fc.nat(), vote: fc.option(fc.constantFrom("n1", "node-22", "a.b:c")), commit: fc.nat() }).map(
    ({ t, vote, commit }) => ({
      type: "hardState" as const,
      hardState: { term: term(t), vote: vote === null ? null : nodeId(vote), commit: logIndex(commit) },
    }),
  ),
  fc.record({ index: fc.nat(), t: fc.nat() }).map(({ index, t }) => ({
    type: "snapshotInstall" as const,
    index: logIndex(index),
    term: term(t),
  })),
  fc.record({ seq: fc.nat(), base: fc.nat(), t: fc.nat() }).map(({ seq, base, t }) => ({
    type: "segmentHeader" as const,
    header: { seq, baseIndex: logIndex(base), baseTerm: term(t), hardState: { term: term(t), vote: null, commit: logIndex(base) } },
  })),
);

test("records round-trip through encode, checkFrame and decode", () => {
  fc.assert(
    fc.property(fc.array(arbRecord, { minLength: 1, maxLength: 8 }), (records) => {
      const bytes = encodeRecords(records);
      let offset = 0;
      for (const record of records) {
        const frame = checkFrame(bytes, offset, PAYLOAD_MAX);
        assert.ok(frame.ok);
        assert.deepEqual(decodeRecord(frame.type, frame.payload), record);
        offset = frame.end;
      }
      assert.equal(offset, bytes.byteLength);
    }),
  );
});

test("any single flipped byte of a record fails its frame check", () => {
  fc.assert(
    fc.property(arbRecord, fc.nat(), fc.integer({ min: 1, max: 255 }), (record, at, mask) => {
      const bytes = new Uint8Array(encodeRecord(record));
      const i = at % bytes.byteLength;
      bytes[i] = (bytes[i] ?? 0) ^ mask;
      const frame = checkFrame(bytes, 0, PAYLOAD_MAX);
      // Flipping a reserved or type byte is caught by the header checksum too.
      assert.equal(frame.ok, false, `flip at ${i} went unnoticed`);
    }),
  );
});

test("a cut-short record fails its frame check", () => {
  const bytes = encodeRecord({ type: "entry", entry: { index: logIndex(1), term: term(1), kind: "normal", data: new Uint8Array(40) } });
  for (let length = 0; length < bytes.byteLength; length++) {
    assert.equal(checkFrame(bytes.subarray(0, length), 0, PAYLOAD_MAX).ok, false, `length ${length}`);
  }
  assert.equal(checkFrame(bytes, 0, 10).ok, false, "a length over the limit");
});

function entries(count: number): Uint8Array {
  const records: WalRecord[] = [];
  for (let i = 1; i <= count; i++) {
    records.push({ type: "entry", entry: { index: logIndex(i), term: term(1), kind: "normal", data: new Uint8Array([i]) } });
  }
  return encodeRecords(records);
}

test("scanSegment: a torn last record is reported only in the last segment", () => {
  const bytes = entries(3);
  const torn = bytes.subarray(0, bytes.byteLength - 4);
  const scan = scanSegment("s.wal", torn, { isLast: true, payloadBytesMax: PAYLOAD_MAX });
  assert.equal(scan.records.length, 2);
  assert.equal(scan.torn?.offsetBytes, scan.validBytes);
  assert.throws(() => scanSegment("s.wal", torn, { isLast: false, payloadBytesMax: PAYLOAD_MAX }), WalCorruptError);
});

test("scanSegment: garbage with a valid record after it is corruption, even in the last segment", () => {
  const good = entries(3);
  const recordBytes = good.byteLength / 3;
  const bytes = new Uint8Array(good);
  bytes[recordBytes + FRAME_HEADER_BYTES + 2] = 0xff; // the second record's payload
  assert.throws(
    () => scanSegment("s.wal", bytes, { isLast: true, payloadBytesMax: PAYLOAD_MAX }),
    { name: "WalCorruptError", offsetBytes: recordBytes },
  );
  const zeroedHeader = new Uint8Array(good);
  zeroedHeader.fill(0, recordBytes, recordBytes + FRAME_HEADER_BYTES); // zeros, then valid data
  assert.throws(() => scanSegment("s.wal", zeroedHeader, { isLast: true, payloadBytesMax: PAYLOAD_MAX }), WalCorruptError);
});
