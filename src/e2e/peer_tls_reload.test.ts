/**
 * A running node rotates its peer certificate without a restart (issue 11): the files are
 * replaced, the node reloads them, and the next peer connection is served the new certificate;
 * SIGHUP reloads too and does not stop the node.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:tls";
import { issueNode } from "../app/certs/index.js";
import { delay } from "../app/local_cluster.js";
import { startTestCluster, type TestCluster } from "./testing/testing_cluster.js";

let running: TestCluster | null = null;
after(async () => { await running?.close(); });

/** The certificate a TLS server on `port` presents to a client holding `certs/n2`. */
function servedSerial(port: number, certs: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: "127.0.0.1", port, rejectUnauthorized: false,
      cert: readFileSync(join(certs, "n2.crt")), key: readFileSync(join(certs, "n2.key")),
    });
    socket.once("secureConnect", () => {
      resolve(socket.getPeerX509Certificate()?.serialNumber ?? "");
      socket.destroy();
    });
    socket.once("error", reject);
  });
}

/** The first output line matching `pattern` (the harness records lines; it has no events). */
async function outputLine(cluster: TestCluster, pattern: RegExp): Promise<string> {
  for (;;) {
    const line = cluster.output.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    await delay(25);
  }
}

test("a rotated peer certificate is used for new connections, without a restart; SIGHUP reloads",
  { timeout: 60_000 }, async () => {
    running = await startTestCluster(1);
    const { cluster } = running;
    const certs = cluster.certsDir;
    const port = cluster.node("n1").peerPort;
    await issueNode(certs, { nodeId: "n2", hosts: [] });
    const before = await servedSerial(port, certs);
    await issueNode(certs, { nodeId: "n1", hosts: ["10.9.9.9"] });
    const rotated = new X509Certificate(readFileSync(join(certs, "n1.crt"))).serialNumber;
    assert.notEqual(rotated, before);
    await outputLine(running, /Reloaded the peer TLS certificates \(file change\)/);
    assert.equal(await servedSerial(port, certs), rotated);

    const pid = cluster.pid("n1");
    assert.ok(pid !== null);
    process.kill(pid, "SIGHUP");
    await outputLine(running, /peer TLS certificates are unchanged \(SIGHUP\)/);
    const response = await fetch(`${cluster.node("n1").httpUrl}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(cluster.pid("n1"), pid, "SIGHUP must not stop the node");
  });
