/**
 * A peer that stops reading must not make the sender's memory grow: the link stops writing when
 * the socket asks it to wait, the bounded queue fills, and further sends drop and are counted.
 * When the peer reads again, everything that was accepted is delivered.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { type Message, nodeId, term } from "../core/index.js";
import { encodeFrame, FrameDecoder } from "./frame.js";
import { encodeHandshake, welcomeFrame } from "./handshake.js";
import { TcpTransport } from "./tcp_transport.js";
import { bytes } from "./test_support.js";

const [n1, n2] = [nodeId("n1"), nodeId("n2")];
const payloadBytes = 64 * 1024;
const sendQueueBytesMax = 2 * 1024 * 1024;

const title = "a peer that stops reading makes sends drop at the queue bound instead of growing";
test(title, { timeout: 20_000 }, async () => {
  let peerSocket: Socket | null = null;
  let framesReceived = 0;
  let onFrames: (() => void) | null = null;
  const server = createServer((socket) => {
    peerSocket = socket;
    const decoder = new FrameDecoder(1024 * 1024);
    let welcomed = false;
    socket.on("data", (chunk: Buffer) => {
      decoder.push(chunk);
      for (let f = decoder.next(); f !== null; f = decoder.next()) {
        if (!welcomed) {
          welcomed = true;
          const identity = { clusterId: "bp", nodeId: n2, isPeer: () => true };
          socket.write(encodeFrame(encodeHandshake(welcomeFrame(identity, n1))));
          socket.pause(); // stop reading: the sender's writes back up
        } else {
          framesReceived += 1;
          onFrames?.();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const address = server.address();
  assert.ok(typeof address === "object" && address !== null);
  const transport = new TcpTransport({
    clusterId: "bp", nodeId: n1, listen: { host: "127.0.0.1", port: 0 },
    peers: new Map([[n2, { host: "127.0.0.1", port: address.port }]]),
    limits: { sendQueueBytesMax, frameBytesMax: 1024 * 1024 },
  });
  transport.onMessage(() => undefined);
  try {
    const connected = new Promise<void>((resolve) => {
      transport.onPeerState((_peer, state) => { if (state === "connected") resolve(); });
    });
    await transport.start();
    await connected;
    const total = 1000; // 64 MB offered, far beyond what the queue and the kernel buffers hold
    let accepted = 0;
    for (let i = 0; i < total; i++) {
      const data = bytes(payloadBytes, i + 1);
      const message: Message = { type: "Propose", from: n1, to: n2, term: term(1), data };
      if (transport.send(message)) accepted += 1;
      // Let the link flush between bursts.
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      const stats = transport.stats().peers[0];
      assert.ok(stats !== undefined && stats.queuedBytes <= sendQueueBytesMax);
    }
    const stats = transport.stats().peers[0];
    assert.ok(stats !== undefined);
    assert.equal(stats.messagesDropped, total - accepted);
    assert.ok(stats.messagesDropped > total / 2, `only ${stats.messagesDropped} dropped`);
    // Handed to the socket: bounded by kernel buffers plus one batch, not by what was offered.
    const written = stats.bytesSent;
    assert.ok(written < 32 * 1024 * 1024, `${written} bytes written to a stalled socket`);
    const allDelivered = new Promise<void>((resolve) => {
      onFrames = () => { if (framesReceived === accepted) resolve(); };
    });
    (peerSocket as Socket | null)?.resume();
    await allDelivered;
    assert.equal(transport.stats().peers[0]?.queuedMessages, 0);
  } finally {
    await transport.close();
    (peerSocket as Socket | null)?.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});
