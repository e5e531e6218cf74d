/**
 * A misbehaving snapshot sender, played by a raw socket authenticated as peer n3: a bad chunk
 * checksum, an out-of-order chunk, a truncated or oversized transfer each drop THAT transfer
 * (SnapshotReject, partial file deleted, logged) and keep the connection, over which a good
 * transfer is then delivered; a malformed snapshot frame closes the connection. Nothing bad is
 * ever delivered.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { logIndex, nodeId, term } from "../core/index.js";
import { encodeFrame, FrameDecoder } from "./frame.js";
import { helloFrame } from "./handshake.js";
import { newUnpacker, packValue } from "./msgpack.js";
import {
  decodeReceiverFrame, type SnapshotReceiverFrame, type SnapshotSenderFrame,
} from "./snapshot_codec.js";
import { TcpTransport } from "./tcp_transport.js";
import { bytes, errorWithCode, freePort, Inbox, RecordingLogger } from "./test_support.js";

const [n1, n2, n3] = [nodeId("n1"), nodeId("n2"), nodeId("n3")];
const clusterId = "snap-bad";
const opts = { timeout: 10_000 };
const logger = new RecordingLogger();
const inbox = new Inbox();
let dir = "";
let port = 0;
let receiver: TcpTransport;

before(async () => {
  port = await freePort();
  dir = await mkdtemp(join(tmpdir(), "raftkv-snapshot-bad-"));
  receiver = new TcpTransport({
    clusterId, nodeId: n2, listen: { host: "127.0.0.1", port }, logger, snapshotDir: dir,
    peers: new Map([[n1, { host: "127.0.0.1", port: 1 }], [n3, { host: "127.0.0.1", port: 1 }]]),
    backoff: { initialMs: 1000, maxMs: 1000 },
    snapshot: { chunkBytes: 1000, snapshotBytesMax: 5000 },
  });
  receiver.onMessage(inbox.handler);
  await receiver.start();
});

after(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw peer n3: handshaken, writes snapshot frames, reads the receiver's replies. */
class RawPeer {
  private readonly decoder = new FrameDecoder(4096);
  private readonly unpack = newUnpacker();
  private readonly replies: SnapshotReceiverFrame[] = [];
  private wake: (() => void) | null = null;
  readonly closed: Promise<void>;
  private handshaken = false;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let frame = this.decoder.next(); frame !== null; frame = this.decoder.next()) {
        if (this.handshaken) this.replies.push(decodeReceiverFrame(this.unpack(frame)));
        this.handshaken = true;
      }
      this.wake?.();
    });
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) => socket.on("close", () => {
      resolve();
      this.wake?.();
    }));
  }

  static connect(): RawPeer {
    const socket = connect({ host: "127.0.0.1", port });
    const identity = { clusterId, nodeId: n3, isPeer: () => true };
    socket.write(encodeFrame(packValue(helloFrame(identity, n2))));
    return new RawPeer(socket);
  }

  send(...frames: (SnapshotSenderFrame | Record<string, unknown>)[]): void {
    for (const frame of frames) this.socket.write(encodeFrame(packValue(frame)));
  }

  /** The next reply, or null if the connection closed first. */
  async next(): Promise<SnapshotReceiverFrame | null> {
    while (this.replies.length === 0) {
      if (this.socket.closed) return null;
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
    return this.replies.shift() ?? null;
  }

  end(): void {
    this.socket.destroy();
  }
}

function start(id: number, index = 40): SnapshotSenderFrame {
  const confState = { voters: [n1, n2, n3], learners: [], votersOutgoing: [] };
  return {
    type: "SnapshotStart", id, from: n3, to: n2, term: term(5), resume: false,
    metadata: { index: logIndex(index), term: term(4), confState },
  };
}

function chunk(id: number, data: Uint8Array, offset: number, size = 1000): SnapshotSenderFrame {
  const part = data.subarray(offset, offset + size);
  return { type: "SnapshotChunk", id, offset, crc: crc32(part), data: part };
}

async function partialFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(".snapshot-partial"));
}

/** Opens attempt `id` and expects the receiver's resume point at 0. */
async function open(peer: RawPeer, id: number): Promise<void> {
  peer.send(start(id));
  assert.deepEqual(await peer.next(), { type: "SnapshotAck", id, offset: 0, crc: 0, done: false });
}

async function expectReject(peer: RawPeer, id: number, reason: string): Promise<void> {
  let reply = await peer.next();
  while (reply?.type === "SnapshotAck") reply = await peer.next();
  assert.deepEqual(reply, { type: "SnapshotReject", id, reason });
  await logger.waitFor((e) => e.level === "warn" && e.obj["reason"] === reason);
}

const data = bytes(3000, 21);

test("bad checksum, out-of-order, truncated and oversized transfers are dropped; " +
  "the connection serves a good one",
  opts, async () => {
  const peer = RawPeer.connect();
  const corrupt = chunk(1, data, 0);
  await open(peer, 1);
  peer.send({ ...corrupt, crc: ((corrupt.type === "SnapshotChunk" ? corrupt.crc : 0) ^ 1) >>> 0 });
  await expectReject(peer, 1, "CHUNK_CHECKSUM");

  await open(peer, 2);
  peer.send(chunk(2, data, 0), chunk(2, data, 2000));
  await expectReject(peer, 2, "OUT_OF_ORDER");

  await open(peer, 3);
  peer.send(chunk(3, data, 0), { type: "SnapshotEnd", id: 3, bytes: 3000, crc: crc32(data) });
  await expectReject(peer, 3, "TRUNCATED");

  const large = bytes(6000, 22);
  await open(peer, 4);
  peer.send(...[0, 1000, 2000, 3000, 4000, 5000].map((at) => chunk(4, large, at)));
  await expectReject(peer, 4, "TOO_LARGE");

  await open(peer, 5);
  peer.send(chunk(5, data, 0), chunk(5, data, 1000), chunk(5, data, 2000));
  peer.send({ type: "SnapshotEnd", id: 5, bytes: 3000, crc: crc32(data) });
  let reply = await peer.next();
  while (reply?.type === "SnapshotAck" && !reply.done) reply = await peer.next();
  const done = { type: "SnapshotAck", id: 5, offset: 3000, crc: crc32(data), done: true };
  assert.deepEqual(reply, done);
  await inbox.waitFor(1);
  assert.equal(inbox.messages.length, 1);
  const delivered = inbox.messages[0];
  assert.ok(delivered?.type === "InstallSnapshot");
  assert.deepEqual(delivered.snapshot.data, data);
  assert.equal(delivered.from, n3);
  assert.deepEqual(await partialFiles(), []);
  const stats = receiver.snapshotStats();
  assert.equal(stats.transfersDropped, 4);
  assert.equal(stats.transfersDelivered, 1);
  peer.end();
});

test("a malformed snapshot frame closes the connection and delivers nothing", opts, async () => {
  const peer = RawPeer.connect();
  await open(peer, 1);
  const since = logger.entries.length;
  peer.send({ type: "SnapshotChunk", id: 1, offset: 0, crc: "x", data: data.subarray(0, 10) });
  await peer.closed;
  await logger.waitFor(errorWithCode("MESSAGE_MALFORMED"), since);
  await logger.waitFor((e) => e.obj["reason"] === "PROTOCOL", since);
  assert.equal(inbox.messages.length, 1); // only the good transfer of the previous test
  assert.deepEqual(await partialFiles(), []);
});

test("frames of an attempt that ended are ignored, and a start addressed to another node " +
  "is refused",
  opts, async () => {
  const peer = RawPeer.connect();
  peer.send(chunk(9, data, 0), { type: "SnapshotEnd", id: 9, bytes: 1000, crc: 0 });
  await open(peer, 10);
  const since = logger.entries.length;
  peer.send({ ...start(11), to: n1 });
  await peer.closed;
  await logger.waitFor(errorWithCode("MESSAGE_MISADDRESSED"), since);
  await logger.waitFor((e) => e.obj["reason"] === "PROTOCOL", since);
  assert.equal(inbox.messages.length, 1);
  assert.deepEqual(await partialFiles(), []);
});
