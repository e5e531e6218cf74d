/**
 * Hostile and broken input on the TCP listener: each case closes THAT connection, logs why, and
 * delivers nothing, while the transport keeps serving its real peers. A raw socket plays the
 * misbehaving client; n1 is a real peer whose traffic proves n2 still works afterwards.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { type Message, type NodeId, nodeId, term, logIndex } from "../core/index.js";
import { encodeFrame, encodeFrames, FrameDecoder } from "./frame.js";
import { decodeHandshake, type HandshakeFrame, helloFrame, PROTOCOL_NAME } from "./handshake.js";
import { encodeMessage } from "./message_codec.js";
import { newUnpacker, packValue } from "./msgpack.js";
import { TcpTransport } from "./tcp_transport.js";
import { errorWithCode, freePort, Inbox, RecordingLogger } from "./test_support.js";

const [n1, n2, n3] = [nodeId("n1"), nodeId("n2"), nodeId("n3")];
const clusterId = "bad-input";
const logger = new RecordingLogger();
const inbox = new Inbox();
let port = 0;
let t1: TcpTransport;
let t2: TcpTransport;
let barrier = 0;
/** A hang is a failure, not a stuck CI job. */
const opts = { timeout: 10_000 };

before(async () => {
  const [p1, p2] = [await freePort(), await freePort()];
  port = p2;
  const host = "127.0.0.1";
  const limits = { frameBytesMax: 64 * 1024, handshakeTimeoutMs: 300 };
  t1 = new TcpTransport({
    clusterId, nodeId: n1, listen: { host, port: p1 }, limits,
    peers: new Map([[n2, { host, port: p2 }], [n3, { host, port: 1 }]]),
  });
  t2 = new TcpTransport({
    clusterId, nodeId: n2, listen: { host, port: p2 }, limits, logger,
    peers: new Map([[n1, { host, port: p1 }], [n3, { host, port: 1 }]]),
    backoff: { initialMs: 1000, maxMs: 1000 },
  });
  t1.onMessage(() => undefined);
  t2.onMessage(inbox.handler);
  await Promise.all([t1.start(), t2.start()]);
});

after(() => Promise.all([t1.close(), t2.close()]));

function heartbeat(from: NodeId, to: NodeId, commit: number): Message {
  return { type: "Heartbeat", from, to, term: term(1), commit: logIndex(commit), context: null };
}

/** A raw client: connects, writes `bytes`, maybe ends; resolves with what it read once closed. */
function rawSession(bytes: Uint8Array, end = false): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: "127.0.0.1", port });
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    socket.on("error", () => undefined); // a reset is an acceptable way to be closed
    socket.on("close", () => { resolve(Buffer.concat(received)); });
    if (bytes.byteLength > 0) socket.write(bytes);
    if (end) socket.end();
  });
}

/** n1's traffic still reaches n2, and nothing else was delivered in between. */
async function assertStillServingAndNothingDelivered(): Promise<void> {
  barrier += 1;
  const expected = inbox.messages.length + 1;
  assert.equal(t1.send(heartbeat(n1, n2, barrier)), true);
  await inbox.waitFor(expected);
  assert.equal(inbox.messages.length, expected);
  assert.deepEqual(inbox.messages.at(-1), heartbeat(n1, n2, barrier));
  assert.ok(inbox.messages.every((m) => m.from === n1), "the bad connection delivered a message");
}

function hello(overrides: Record<string, unknown> = {}): Uint8Array {
  const identity = { clusterId, nodeId: n3, isPeer: () => true };
  return encodeFrame(packValue({ ...helloFrame(identity, n2), ...overrides }));
}

function handshakeReply(bytes: Buffer): HandshakeFrame {
  const decoder = new FrameDecoder(4096);
  decoder.push(bytes);
  const frame = decoder.next();
  assert.ok(frame !== null, "no handshake reply");
  return decodeHandshake(newUnpacker()(frame));
}

test("binary garbage closes that connection, logged; the transport serves on", opts, async () => {
  const rejectedBefore = t2.stats().connectionsRejected;
  await rawSession(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  await logger.waitFor(errorWithCode("FRAME_TOO_LARGE"));
  const since = logger.entries.length;
  const reply = await rawSession(new Uint8Array([0, 0, 0, 8, ...new Array<number>(8).fill(0xc1)]));
  assert.deepEqual(handshakeReply(reply).kind, "reject");
  const logged = await logger.waitFor(errorWithCode("HANDSHAKE_REJECTED"), since);
  assert.match(logged.msg, /MALFORMED.*not valid msgpack/);
  assert.ok(t2.stats().connectionsRejected >= rejectedBefore + 2);
  await assertStillServingAndNothingDelivered();
});

test("a 1 GB length prefix closes the connection unallocated, at any stage", opts, async () => {
  const heapBefore = process.memoryUsage().arrayBuffers;
  const count = logger.entries.filter(errorWithCode("FRAME_TOO_LARGE")).length;
  await rawSession(new Uint8Array([0x40, 0, 0, 0]));
  const oneGigabyte = new Uint8Array([0x40, 0, 0, 0, 1, 2, 3]);
  const reply = await rawSession(Buffer.concat([hello(), oneGigabyte]));
  assert.equal(handshakeReply(reply).kind, "welcome");
  assert.equal(logger.entries.filter(errorWithCode("FRAME_TOO_LARGE")).length, count + 2);
  assert.ok(process.memoryUsage().arrayBuffers - heapBefore < 100 * 1024 * 1024);
  await assertStillServingAndNothingDelivered();
});

test("a truncated frame then end of stream is logged and delivers nothing", opts, async () => {
  const valid = encodeFrame(encodeMessage(heartbeat(n3, n2, 99)));
  const since = logger.entries.length;
  await rawSession(Buffer.concat([hello(), valid.subarray(0, valid.byteLength - 3)]), true);
  const entry = await logger.waitFor(errorWithCode("FRAME_TRUNCATED"), since);
  assert.match(entry.msg, /n3/);
  await assertStillServingAndNothingDelivered();
});

const refusals: readonly [string, Record<string, unknown>, string, RegExp][] = [
  ["a wrong cluster id", { clusterId: "other-cluster" }, "CLUSTER_MISMATCH",
    /cluster id "bad-input", got "other-cluster"/],
  ["a wrong protocol version", { version: 99 }, "VERSION_MISMATCH", /v2, got "raftkv-peer" v99/],
  ["another protocol", { protocol: "http" }, "VERSION_MISMATCH", /expected protocol raftkv-peer/],
  ["an unknown node id", { from: "n7" }, "UNKNOWN_NODE", /node n7 is not a peer of n2 \(did you forget --join\? .*raftkv member add n7\)/],
  ["the wrong addressee", { to: "n5" }, "WRONG_NODE", /addressed to node n5, but this is node n2/],
];

for (const [what, overrides, reason, detail] of refusals) {
  test(`a handshake with ${what} is refused, logged clearly, delivers nothing`, opts, async () => {
    const since = logger.entries.length;
    const sneaky = encodeFrame(encodeMessage(heartbeat(n3, n2, 7)));
    const reply = handshakeReply(await rawSession(Buffer.concat([hello(overrides), sneaky])));
    assert.ok(reply.kind === "reject");
    assert.equal(reply.reason, reason);
    const logged = await logger.waitFor((e) => e.level === "error" && detail.test(e.msg), since);
    assert.equal(logged.obj["code"], "HANDSHAKE_REJECTED");
    await assertStillServingAndNothingDelivered();
  });
}

test("a malformed handshake frame is refused", opts, async () => {
  const partial = encodeFrame(packValue({ kind: "hello", protocol: PROTOCOL_NAME }));
  const reply = handshakeReply(await rawSession(partial));
  assert.equal(reply.kind, "reject");
  await assertStillServingAndNothingDelivered();
});

test("a valid frame holding a malformed message closes it, undelivered", opts, async () => {
  const bad = encodeFrame(packValue({ type: "AppendEntries", from: "n3", to: "n2", term: -1 }));
  const after = encodeFrame(encodeMessage(heartbeat(n3, n2, 1)));
  const since = logger.entries.length;
  await rawSession(Buffer.concat([hello(), bad, after]));
  const entry = await logger.waitFor(errorWithCode("MESSAGE_MALFORMED"), since);
  assert.match(entry.msg, /at term: expected a safe non-negative integer/);
  assert.match(entry.msg, /n3/);
  await assertStillServingAndNothingDelivered();
});

test("a message with a forged sender or the wrong recipient is not delivered", opts, async () => {
  for (const forged of [heartbeat(n1, n2, 1), heartbeat(n3, n1, 1)]) {
    const since = logger.entries.length;
    await rawSession(Buffer.concat([hello(), encodeFrame(encodeMessage(forged))]));
    await logger.waitFor(errorWithCode("MESSAGE_MISADDRESSED"), since);
  }
  await assertStillServingAndNothingDelivered();
});

test("a connection that never completes the handshake closes after its timeout", opts, async () => {
  await rawSession(new Uint8Array(0));
  const reason = await logger.waitFor((e) => e.level === "error" && /TIMEOUT/.test(e.msg));
  assert.equal(reason.obj["code"], "HANDSHAKE_REJECTED");
});

test("a dialler whose cluster id differs logs the refusal and delivers nothing", opts, async () => {
  const dialLogger = new RecordingLogger();
  const stranger = new TcpTransport({
    clusterId: "elsewhere", nodeId: n3, listen: { host: "127.0.0.1", port: 0 }, logger: dialLogger,
    peers: new Map([[n2, { host: "127.0.0.1", port }]]), backoff: { initialMs: 1000, maxMs: 1000 },
  });
  stranger.onMessage(() => undefined);
  try {
    await stranger.start();
    stranger.send(heartbeat(n3, n2, 1));
    const refused = await dialLogger.waitFor(errorWithCode("HANDSHAKE_REJECTED"));
    assert.match(refused.msg, /CLUSTER_MISMATCH/);
    assert.equal(stranger.stats().peers[0]?.messagesSent, 0);
  } finally {
    await stranger.close();
  }
  await assertStillServingAndNothingDelivered();
});

// The bad-input cases above must not be failing for some other reason.
test("a well-behaved raw peer is accepted and delivered", opts, async () => {
  const before = inbox.messages.length;
  const reply = await new Promise<Buffer>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.write(Buffer.concat([hello(), encodeFrames([encodeMessage(heartbeat(n3, n2, 42))])]));
    socket.once("data", (chunk: Buffer) => {
      void inbox.waitFor(before + 1).then(() => {
        socket.destroy();
        resolve(chunk);
      });
    });
  });
  assert.equal(handshakeReply(reply).kind, "welcome");
  assert.deepEqual(inbox.messages.at(-1), heartbeat(n3, n2, 42));
  inbox.messages.pop(); // keep the "only n1" invariant of the other tests
});
