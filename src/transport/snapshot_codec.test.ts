import { test } from "node:test";
import assert from "node:assert/strict";
import { logIndex, nodeId, term } from "../core/index.js";
import { MessageDecodeError } from "./errors.js";
import { newUnpacker, packValue } from "./msgpack.js";
import {
  decodeInboundFrame, decodeReceiverFrame, encodeSnapshotFrame, installSnapshotOf,
  type SnapshotReceiverFrame, type SnapshotSenderFrame, type SnapshotStart,
} from "./snapshot_codec.js";
import { bytes, sampleMessages } from "./test_support.js";

const [n1, n2] = [nodeId("n1"), nodeId("n2")];
const unpack = newUnpacker();
const start: SnapshotStart = {
  type: "SnapshotStart", id: 3, from: n1, to: n2, term: term(4), resume: true,
  metadata: {
    index: logIndex(90), term: term(3),
    confState: { voters: [n1, n2], learners: [], votersOutgoing: [] },
  },
};
const senderFrames: SnapshotSenderFrame[] = [
  start,
  { type: "SnapshotChunk", id: 3, offset: 4096, crc: 0xffff_ffff, data: bytes(100) },
  { type: "SnapshotEnd", id: 3, bytes: 2 ** 40, crc: 0 },
  { type: "SnapshotAbort", id: 3, reason: "superseded" },
];
const receiverFrames: SnapshotReceiverFrame[] = [
  { type: "SnapshotAck", id: 3, offset: 8192, crc: 12345, done: false },
  { type: "SnapshotReject", id: 3, reason: "CHUNK_CHECKSUM" },
];

test("every snapshot frame survives encode and decode unchanged", () => {
  for (const frame of senderFrames) {
    const decoded = decodeInboundFrame(unpack(encodeSnapshotFrame(frame)));
    assert.ok(decoded.kind === "snapshot");
    const got = decoded.frame.type === "SnapshotChunk"
      ? { ...decoded.frame, data: Uint8Array.from(decoded.frame.data) } // a Buffer view
      : decoded.frame;
    assert.deepEqual(got, frame);
  }
  for (const frame of receiverFrames) {
    assert.deepEqual(decodeReceiverFrame(unpack(encodeSnapshotFrame(frame))), frame);
  }
});

test("inbound frames that are not snapshot frames decode as Raft messages", () => {
  for (const message of sampleMessages(n1, n2)) {
    assert.deepEqual(decodeInboundFrame(unpack(packValue(message))), { kind: "message", message });
  }
});

test("the assembled transfer is delivered as the InstallSnapshot it was started from", () => {
  const data = bytes(10);
  assert.deepEqual(installSnapshotOf(start, data), {
    type: "InstallSnapshot", from: n1, to: n2, term: term(4),
    snapshot: { metadata: start.metadata, data },
  });
});

function refused(value: unknown, decode: (v: unknown) => unknown, path: string): void {
  assert.throws(() => decode(value), (error: unknown) => {
    assert.ok(error instanceof MessageDecodeError, String(error));
    assert.equal(error.path, path);
    return true;
  });
}

test("malformed snapshot frames are refused, naming the field", () => {
  const chunk = { type: "SnapshotChunk", id: 1, offset: 0, crc: 1, data: bytes(3) };
  refused({ ...chunk, crc: 2 ** 32 }, decodeInboundFrame, "crc");
  refused({ ...chunk, offset: -1 }, decodeInboundFrame, "offset");
  refused({ ...chunk, data: "abc" }, decodeInboundFrame, "data");
  refused({ ...chunk, id: 1.5 }, decodeInboundFrame, "id");
  refused({ ...start, metadata: { ...start.metadata, index: "9" } }, decodeInboundFrame,
    "metadata.index");
  refused({ ...start, resume: 1 }, decodeInboundFrame, "resume");
  refused({ type: "SnapshotEnd", id: 1, bytes: 3 }, decodeInboundFrame, "crc");
  const ack = { type: "SnapshotAck", id: 1, offset: 0, crc: 0, done: false };
  refused({ ...ack, done: "yes" }, decodeReceiverFrame, "done");
  refused({ type: "SnapshotReject", id: 1, reason: "BORED" }, decodeReceiverFrame, "reason");
  refused({ ...ack, type: "Heartbeat" }, decodeReceiverFrame, "type");
  refused([1, 2], decodeReceiverFrame, "");
});
