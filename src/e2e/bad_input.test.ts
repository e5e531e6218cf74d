/**
 * Hostile and broken input, end to end against real node processes: malformed RESP, an
 * unterminated bulk string, a 1 GB bulk length, binary garbage on the peer port, a node of
 * another cluster, and an invalid config file. Each gets a clear error, and the node keeps
 * serving everyone else.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import { delay } from "../app/local_cluster.js";
import { logIndex, nodeId, term } from "../core/index.js";
import { TcpTransport, type Logger } from "../transport/index.js";
import { ENTRY_PATH } from "../cli/entry.js";
import { startTestCluster, waitForLeader, type TestCluster } from "./testing/testing_cluster.js";
import { PeerTlsCredentials } from "../transport/peer_tls.js";

let running: TestCluster | null = null;
before(async () => {
  running = await startTestCluster(3);
  await waitForLeader(running.cluster);
});
after(async () => { await running?.close(); });

function cluster(): TestCluster["cluster"] {
  assert.ok(running);
  return running.cluster;
}

/** Sends `bytes` (then half-closes if asked) and collects what comes back until the close. */
async function exchange(port: number, bytes: Uint8Array | string, end = false): Promise<string> {
  const socket: Socket = connect({ port, host: "127.0.0.1" });
  await once(socket, "connect");
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.on("error", () => undefined);
  socket.write(bytes);
  if (end) socket.end();
  const closed = once(socket, "close");
  const timeout = delay(5000).then(() => "timeout");
  const outcome = await Promise.race([closed.then(() => "closed"), timeout]);
  socket.destroy();
  assert.equal(outcome, "closed", "the node should close a connection that sent bad input");
  return Buffer.concat(chunks).toString("latin1");
}

/** The node still serves a normal client, and the cluster still has its leader. */
async function assertStillServing(port: number): Promise<void> {
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const value = randomBytes(4).toString("hex");
    assert.equal(await client.set("after-bad-input", value), "OK");
    assert.equal(await client.get("after-bad-input"), value);
  } finally {
    client.disconnect();
  }
  await waitForLeader(cluster(), 5000);
  assert.equal(cluster().runningIds.length, 3);
}

test("malformed RESP gets a protocol error and the connection is closed",
  { timeout: 20_000 }, async () => {
  const port = cluster().node("n1").redisPort;
  const reply = await exchange(port, "*1\r\n$x\r\nPING\r\n");
  assert.match(reply, /^-ERR Protocol error/);
  await assertStillServing(port);
});

test("an unterminated bulk string is dropped when the client goes away",
  { timeout: 20_000 }, async () => {
  const port = cluster().node("n2").redisPort;
  const reply = await exchange(port, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc", true);
  assert.equal(reply, "");
  await assertStillServing(port);
});

test("a 1 GB bulk length is refused before anything is buffered", { timeout: 20_000 }, async () => {
  const port = cluster().node("n3").redisPort;
  const reply = await exchange(port, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1073741824\r\n");
  assert.match(reply, /^-ERR Protocol error: invalid bulk length/);
  await assertStillServing(port);
});

test("binary garbage on the peer port is rejected and logged", { timeout: 20_000 }, async () => {
  const node = cluster().node("n1");
  await exchange(node.peerPort, randomBytes(4096));
  await assertStillServing(node.redisPort);
  assert.ok(running?.output.some((line) =>
    line.startsWith("n1 ") && line.includes("Refused inbound peer connection")));
});

test("a node configured for another cluster refuses the cluster's nodes, saying why",
  { timeout: 20_000 }, async () => {
  const node = cluster().node("n2");
  // It holds n1's genuine certificate, but n2's certificate names another cluster than it expects.
  const certs = cluster().certsDir;
  const tls = new PeerTlsCredentials({
    cert: readFileSync(join(certs, "n1.crt"), "utf8"), key: readFileSync(join(certs, "n1.key"), "utf8"),
    ca: readFileSync(join(certs, "ca.crt"), "utf8"),
  });
  const errors: string[] = [];
  const log = (_fields: object, message: string): void => { errors.push(message); };
  const ignore = (): void => undefined;
  const logger: Logger = { debug: ignore, info: ignore, warn: log, error: log };
  const intruder = new TcpTransport({
    clusterId: "some-other-cluster", nodeId: nodeId("n1"), listen: { host: "127.0.0.1", port: 0 },
    peers: new Map([[nodeId("n2"), { host: "127.0.0.1", port: node.peerPort }]]), logger, tls,
  });
  const wanted = "expected raftkv://some-other-cluster/n2";
  intruder.onMessage(() => undefined);
  await intruder.start();
  try {
    for (let i = 0; i < 50 && !errors.some((e) => e.includes(wanted)); i++) {
      intruder.send({
        type: "Heartbeat", from: nodeId("n1"), to: nodeId("n2"), term: term(999),
        commit: logIndex(0), context: null,
      });
      await delay(100);
    }
  } finally {
    await intruder.close();
  }
  assert.ok(errors.some((e) => e.includes(wanted)), errors.join("\n"));
  await assertStillServing(node.redisPort);
});

test("an invalid config file is rejected naming the field, exit code 78",
  { timeout: 20_000 }, async () => {
  assert.ok(running);
  const path = join(running.dir, "bad.yaml");
  writeFileSync(path, [
    "clusterId: c", "nodeId: n1", "members:",
    "  - {id: n1, peer: '127.0.0.1:1', redis: '127.0.0.1:2', http: '127.0.0.1:3'}",
    "  - {id: n2, peer: 'nowhere', redis: '127.0.0.1:5', http: '127.0.0.1:6'}", "",
  ].join("\n"));
  const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const args = [ENTRY_PATH, "node", "--config", path];
    const child = execFile(process.execPath, args, (error, _stdout, stderr) => {
      done({ code: error === null ? 0 : child.exitCode, stderr });
    });
  });
  assert.equal(result.code, 78);
  assert.match(result.stderr, /Invalid config .*bad\.yaml: members\[1\]\.peer: expected host:port/);
  await assertStillServing(cluster().node("n1").redisPort);
});
