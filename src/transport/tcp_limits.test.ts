/**
 * Limits of the TCP listener: connections beyond `inboundConnectionsMax` are refused at once
 * (logged, counted) without disturbing the ones held; a dialler refused for the same reason on
 * every redial logs the error once, then quietly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { nodeId, term, logIndex } from "../core/index.js";
import { TcpTransport } from "./tcp_transport.js";
import { errorWithCode, freePort, type LogEntry, RecordingLogger } from "./test_support.js";

const [n1, n2] = [nodeId("n1"), nodeId("n2")];
const host = "127.0.0.1";

function open(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => { resolve(socket); });
    socket.on("error", () => undefined);
  });
}

const opts = { timeout: 10_000 };

test("connections beyond inboundConnectionsMax are refused; the ones held stay", opts, async () => {
  const logger = new RecordingLogger();
  const port = await freePort();
  const transport = new TcpTransport({
    clusterId: "limits", nodeId: n2, listen: { host, port }, logger,
    peers: new Map([[n1, { host, port: 1 }]]), limits: { inboundConnectionsMax: 2 },
    backoff: { initialMs: 1000, maxMs: 1000 },
  });
  transport.onMessage(() => undefined);
  await transport.start();
  const held: Socket[] = [];
  try {
    held.push(await open(port), await open(port));
    const third = await open(port);
    await new Promise((resolve) => third.once("close", resolve));
    const refusal = (e: LogEntry): boolean =>
      e.level === "warn" && /inboundConnectionsMax/.test(e.msg);
    const refused = await logger.waitFor(refusal);
    assert.equal(refused.obj["inbound"], 2);
    assert.equal(transport.stats().connectionsRejected, 1);
    assert.deepEqual(held.map((s) => s.closed), [false, false]);
  } finally {
    for (const socket of held) socket.destroy();
    await transport.close();
  }
});

test("a dialler refused on every redial logs the error once, then at debug", opts, async () => {
  const [port1, port2] = [await freePort(), await freePort()];
  const dialLogger = new RecordingLogger();
  const other = new TcpTransport({
    clusterId: "cluster-b", nodeId: n2, listen: { host, port: port2 },
    peers: new Map([[n1, { host, port: port1 }]]), backoff: { initialMs: 1000, maxMs: 1000 },
  });
  const dialler = new TcpTransport({
    clusterId: "cluster-a", nodeId: n1, listen: { host, port: port1 }, logger: dialLogger,
    peers: new Map([[n2, { host, port: port2 }]]), backoff: { initialMs: 5, maxMs: 5 },
  });
  other.onMessage(() => undefined);
  dialler.onMessage(() => undefined);
  try {
    await Promise.all([other.start(), dialler.start()]);
    const commit = logIndex(0);
    dialler.send({ type: "Heartbeat", from: n1, to: n2, term: term(1), commit, context: null });
    const quiet = (e: LogEntry): boolean =>
      e.level === "debug" && e.obj["code"] === "HANDSHAKE_REJECTED" && e.obj["repeated"] === true;
    await dialLogger.waitFor(quiet);
    await dialLogger.waitFor(quiet, dialLogger.entries.length); // and again
    // Only the dialling side's entries (the listener also logs n2's own refused hello).
    const dialSide = dialLogger.entries.filter((e) => e.obj["peer"] === n2);
    assert.equal(dialSide.filter(errorWithCode("HANDSHAKE_REJECTED")).length, 1);
  } finally {
    await Promise.all([other.close(), dialler.close()]);
  }
});
