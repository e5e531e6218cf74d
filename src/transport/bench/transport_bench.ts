/**
 * Loopback throughput of the TCP transport, for small (100 B) and large (64 KiB) Propose
 * messages, next to a baseline in the same run: a raw socket writing the same pre-encoded frames
 * one write per message (no encoding, validation or batching), read by a byte counter.
 * Benchmarks report numbers and assert nothing (STYLE.md rule 15).
 *
 *   npm run bench:transport                     # defaults
 *   node dist/transport/bench/transport_bench.js --small 200000 --large 4000
 *
 * Then a large InstallSnapshot, streamed and as one frame (snapshot_bench.ts). The same loop over
 * mutual TLS is app/bench/peer_tls_bench.ts (certificates are made in app/, not here).
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { type Message, nodeId, term } from "../../core/index.js";
import { encodeFrame } from "../frame.js";
import { encodeMessage } from "../message_codec.js";
import type { PeerTlsCredentials } from "../peer_tls.js";
import { TcpTransport } from "../tcp_transport.js";
import { benchSnapshots } from "./snapshot_bench.js";

const [n1, n2] = [nodeId("n1"), nodeId("n2")];
const host = "127.0.0.1";

export interface Result {
  readonly name: string;
  readonly messages: number;
  readonly payloadBytes: number;
  readonly seconds: number;
}

function propose(payloadBytes: number): Message {
  const data = new Uint8Array(payloadBytes).fill(7);
  return { type: "Propose", from: n1, to: n2, term: term(1), data };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen({ host, port: 0 }, () => { resolve((server.address() as AddressInfo).port); });
  });
}

/** Peer TLS for the sender (n1) and the receiver (n2); plaintext when absent. */
export interface BenchTls {
  readonly sender: PeerTlsCredentials;
  readonly receiver: PeerTlsCredentials;
}

/** Transport: a closed loop keeping at most `window` messages unreceived, so nothing drops. */
export async function benchTransport(
  messages: number,
  payloadBytes: number,
  options: { readonly window: number; readonly tls?: BenchTls },
): Promise<Result> {
  const { window, tls } = options;
  const probe = createServer();
  const port2 = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  const limits = { sendQueueMessagesMax: window * 2, batchBytesMax: 256 * 1024 };
  const sender = new TcpTransport({
    clusterId: "bench", nodeId: n1, listen: { host, port: 0 }, limits, tls: tls?.sender,
    peers: new Map([[n2, { host, port: port2 }]]),
  });
  const receiver = new TcpTransport({
    clusterId: "bench", nodeId: n2, listen: { host, port: port2 }, limits, tls: tls?.receiver,
    peers: new Map([[n1, { host, port: 1 }]]),
  });
  let received = 0;
  let wake: (() => void) | null = null;
  receiver.onMessage(() => {
    received += 1;
    const worthWaking = received % 64 === 0 || messages - received < window / 2;
    if (wake !== null && worthWaking) {
      const w = wake;
      wake = null;
      w();
    }
  });
  sender.onMessage(() => undefined);
  await Promise.all([receiver.start(), sender.start()]);
  const message = propose(payloadBytes);
  const started = performance.now();
  let sent = 0;
  while (received < messages) {
    while (sent < messages && sent - received < window) {
      if (!sender.send(message)) throw new Error("bench: a send was dropped; lower the window");
      sent += 1;
    }
    await new Promise<void>((resolve) => { wake = resolve; });
  }
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([sender.close(), receiver.close()]);
  return { name: tls === undefined ? "transport" : "tls", messages, payloadBytes, seconds };
}

/** Baseline: one socket.write per pre-encoded frame, honouring back-pressure. */
async function benchRawSocket(messages: number, payloadBytes: number): Promise<Result> {
  const frame = encodeFrame(encodeMessage(propose(payloadBytes)));
  const totalBytes = frame.byteLength * messages;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { done = resolve; });
  let receivedBytes = 0;
  const server = createServer((socket) => {
    socket.on("data", (chunk: Buffer) => {
      receivedBytes += chunk.byteLength;
      if (receivedBytes >= totalBytes) done();
    });
  });
  const port = await listen(server);
  const client: Socket = connect({ host, port });
  client.setNoDelay(true);
  await new Promise((resolve) => client.once("connect", resolve));
  const started = performance.now();
  for (let i = 0; i < messages; i++) {
    if (!client.write(frame)) await new Promise((resolve) => client.once("drain", resolve));
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
  return { name: "raw socket", messages, payloadBytes, seconds };
}

export function report(r: Result): void {
  const rate = r.messages / r.seconds;
  const mbPerSecond = (r.messages * r.payloadBytes) / r.seconds / 1e6;
  const size = r.payloadBytes >= 1024 ? `${r.payloadBytes / 1024} KiB` : `${r.payloadBytes} B`;
  console.log(
    `${r.name.padEnd(11)} ${size.padStart(7)} x ${String(r.messages).padStart(7)}: ` +
      `${Math.round(rate).toLocaleString("en").padStart(9)} msg/s ` +
      `${mbPerSecond.toFixed(1).padStart(8)} MB/s ` +
      `(${r.seconds.toFixed(2)} s)`,
  );
}

export function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer`);
  }
  return value;
}

async function main(): Promise<void> {
  const small = argNumber("--small", 200_000);
  const large = argNumber("--large", 4_000);
  console.log(`node ${process.version}, loopback ${host}; MB/s counts message data bytes only`);
  report(await benchRawSocket(small, 100));
  report(await benchTransport(small, 100, { window: 4096 }));
  report(await benchRawSocket(large, 64 * 1024));
  report(await benchTransport(large, 64 * 1024, { window: 256 }));
  await benchSnapshots(argNumber("--snapshot-mib", 48), argNumber("--snapshot-rounds", 3));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
