/**
 * Hostile peers over real TLS sockets (issue 11): only a node holding a certificate from the
 * cluster CA that names the id it claims can complete the peer handshake.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { connect as connectTls } from "node:tls";
import { type Message, nodeId, type NodeId, term, logIndex } from "../../core/index.js";
import { PeerTlsCredentials, type PeerTlsMaterial } from "../../transport/peer_tls.js";
import { TcpTransport } from "../../transport/tcp_transport.js";
import {
  errorWithCode, freePort, Inbox, RecordingLogger,
} from "../../transport/test_support.js";
import { encodeFrame } from "../../transport/frame.js";
import { encodeHandshake, helloFrame } from "../../transport/handshake.js";
import { PlaintextPeersRefusedError } from "../../transport/errors.js";
import { createTestPki, type TestPki } from "./testing_pki.js";

const [n1, n2] = [nodeId("n1"), nodeId("n2")];
const CLUSTER = "tls-test";

function heartbeat(from: NodeId, to: NodeId, commit: number): Message {
  return { type: "Heartbeat", from, to, term: term(1), commit: logIndex(commit), context: null };
}

interface Endpoint {
  readonly transport: TcpTransport;
  readonly inbox: Inbox;
  readonly logger: RecordingLogger;
}

async function endpoint(
  id: NodeId,
  port: number,
  peers: ReadonlyMap<NodeId, number>,
  material: PeerTlsMaterial | PeerTlsCredentials,
): Promise<Endpoint> {
  const inbox = new Inbox();
  const logger = new RecordingLogger();
  const tls = material instanceof PeerTlsCredentials ? material : new PeerTlsCredentials(material);
  const transport = new TcpTransport({
    clusterId: CLUSTER, nodeId: id, listen: { host: "127.0.0.1", port },
    peers: new Map([...peers].map(([peer, p]) => [peer, { host: "127.0.0.1", port: p }])),
    tls, logger, backoff: { initialMs: 5, maxMs: 50 },
  });
  transport.onMessage(inbox.handler);
  await transport.start();
  return { transport, inbox, logger };
}

let pki: TestPki | null = null;
async function cluster(): Promise<TestPki> {
  pki ??= await createTestPki(CLUSTER);
  return pki;
}

test("two nodes with certificates from the cluster CA exchange messages over TLS", async () => {
  const p = await cluster();
  const [port1, port2] = [await freePort(), await freePort()];
  const a = await endpoint(n1, port1, new Map([[n2, port2]]), await p.material("n1"));
  const b = await endpoint(n2, port2, new Map([[n1, port1]]), await p.material("n2"));
  try {
    a.transport.send(heartbeat(n1, n2, 5));
    b.transport.send(heartbeat(n2, n1, 6));
    await Promise.all([a.inbox.waitFor(1), b.inbox.waitFor(1)]);
    assert.equal(b.inbox.messages[0]?.from, n1);
    assert.equal(a.inbox.messages[0]?.from, n2);
  } finally {
    await Promise.all([a.transport.close(), b.transport.close()]);
  }
});

test("a valid certificate for n4 claiming to be n2 is refused, and the acceptor logs why", async () => {
  const p = await cluster();
  const [port1, port2] = [await freePort(), await freePort()];
  const acceptor = await endpoint(n1, port1, new Map([[n2, port2]]), await p.material("n1"));
  // The impostor holds n4's genuine certificate but says "I am n2" in its Hello.
  const impostor = await endpoint(n2, port2, new Map([[n1, port1]]), await p.material("n4"));
  try {
    impostor.transport.send(heartbeat(n2, n1, 1));
    const refused = await acceptor.logger.waitFor((e) =>
      e.level === "error" && /CERTIFICATE_MISMATCH/.test(e.msg));
    assert.match(refused.msg, /raftkv:\/\/tls-test\/n4/);
    assert.ok(typeof refused.obj["remote"] === "string");
    await impostor.logger.waitFor(errorWithCode("HANDSHAKE_REJECTED"));
    assert.equal(acceptor.inbox.messages.length, 0);
  } finally {
    await Promise.all([acceptor.transport.close(), impostor.transport.close()]);
  }
});

/** Opens a raw TLS connection to `port` with `material` (or none) and sends a Hello. */
function rawHello(port: number, from: NodeId, material?: PeerTlsMaterial): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTls({
      host: "127.0.0.1", port, rejectUnauthorized: false,
      ...(material === undefined ? {} : { cert: material.cert, key: material.key }),
    });
    const identity = { clusterId: CLUSTER, nodeId: from, isPeer: () => true };
    socket.on("secureConnect", () => {
      socket.write(encodeFrame(encodeHandshake(helloFrame(identity, n1))));
    });
    let received = "";
    socket.on("data", (chunk: Buffer) => { received += chunk.toString("latin1"); });
    socket.on("error", () => undefined);
    socket.on("close", () => { resolve(received); });
  });
}

test("a peer with no certificate cannot complete a handshake", async () => {
  const p = await cluster();
  const port1 = await freePort();
  const acceptor = await endpoint(n1, port1, new Map([[n2, await freePort()]]), await p.material("n1"));
  try {
    const answer = await rawHello(port1, n2);
    assert.doesNotMatch(answer, /welcome/);
    const refused = await acceptor.logger.waitFor((e) =>
      e.level === "error" && /UNTRUSTED_CERTIFICATE/.test(e.msg));
    assert.match(String(refused.obj["remote"]), /^127\.0\.0\.1:\d+$/);
    assert.equal(acceptor.transport.stats().connectionsRejected, 1);
  } finally {
    await acceptor.transport.close();
  }
});

test("a plaintext peer is refused at the TLS handshake, logged with its address", async () => {
  const p = await cluster();
  const port1 = await freePort();
  const acceptor = await endpoint(n1, port1, new Map([[n2, await freePort()]]), await p.material("n1"));
  try {
    const socket = connect({ host: "127.0.0.1", port: port1 });
    const identity = { clusterId: CLUSTER, nodeId: n2, isPeer: () => true };
    socket.write(encodeFrame(encodeHandshake(helloFrame(identity, n1))));
    socket.on("error", () => undefined);
    const refused = await acceptor.logger.waitFor(errorWithCode("TLS_HANDSHAKE_FAILED"));
    assert.match(refused.msg, /Refused inbound peer connection from 127\.0\.0\.1:\d+/);
    socket.destroy();
    assert.equal(acceptor.inbox.messages.length, 0);
  } finally {
    await acceptor.transport.close();
  }
});

test("a certificate from another CA is refused by the acceptor and by the dialler", async () => {
  const p = await cluster();
  const other = await createTestPki(CLUSTER);
  const [port1, port2] = [await freePort(), await freePort()];
  const a = await endpoint(n1, port1, new Map([[n2, port2]]), await p.material("n1"));
  try {
    // A dialler that skips checking the acceptor still cannot get its own certificate accepted.
    const answer = await rawHello(port1, n2, await other.material("n2"));
    assert.doesNotMatch(answer, /welcome/);
    const refused = await a.logger.waitFor((e) =>
      e.level === "error" && /UNTRUSTED_CERTIFICATE/.test(e.msg) && /Closed inbound/.test(e.msg));
    assert.match(refused.msg, /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    // An acceptor with another CA's certificate: n1 will not send it anything.
    const b = await endpoint(n2, port2, new Map([[n1, port1]]), await other.material("n2"));
    a.transport.send(heartbeat(n1, n2, 1));
    await a.logger.waitFor((e) => e.level === "error" && /peer n2 closed: .*TLS handshake/.test(e.msg));
    await b.transport.close();
    assert.equal(a.inbox.messages.length + b.inbox.messages.length, 0);
  } finally {
    await a.transport.close();
  }
});

test("plaintext peers are refused on a non-loopback listen address", async () => {
  const transport = new TcpTransport({
    clusterId: CLUSTER, nodeId: n1, listen: { host: "0.0.0.0", port: 0 }, peers: new Map(),
  });
  transport.onMessage(() => undefined);
  await assert.rejects(transport.start(), PlaintextPeersRefusedError);
  await transport.close();
});

test("reloaded credentials apply to new connections; open ones keep theirs", async () => {
  const p = await cluster();
  const newCa = await createTestPki(CLUSTER);
  const [port1, port2] = [await freePort(), await freePort()];
  const credentials = new PeerTlsCredentials(await p.material("n1"));
  const a = await endpoint(n1, port1, new Map([[n2, port2]]), credentials);
  const b = await endpoint(n2, port2, new Map([[n1, port1]]), await p.material("n2"));
  try {
    b.transport.send(heartbeat(n2, n1, 1));
    await a.inbox.waitFor(1);
    // Rotate n1 onto a certificate from a new CA, trusting both CAs during the change-over.
    const rotated = await newCa.material("n1");
    credentials.replace({ ...rotated, ca: p.caPem + rotated.ca });
    b.transport.send(heartbeat(n2, n1, 2));
    await a.inbox.waitFor(2);
    const served = await peerCertificateSerial(port1, await p.material("n2"));
    assert.equal(served, new (await import("node:crypto")).X509Certificate(rotated.cert).serialNumber);
    // n2 trusts only the old CA: its next connection to n1 fails on the new certificate.
    const since = b.logger.entries.length;
    b.transport.resetPeerConnection(n1);
    await b.logger.waitFor((e) => e.level === "error" && /TLS handshake/.test(e.msg), since);
  } finally {
    await Promise.all([a.transport.close(), b.transport.close()]);
  }
});

function peerCertificateSerial(port: number, material: PeerTlsMaterial): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({
      host: "127.0.0.1", port, cert: material.cert, key: material.key, rejectUnauthorized: false,
    });
    socket.on("secureConnect", () => {
      resolve(socket.getPeerX509Certificate()?.serialNumber ?? "");
      socket.destroy();
    });
    socket.on("error", reject);
  });
}
