import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PeerTlsCredentials, isLoopbackHost } from "../../transport/peer_tls.js";
import { RecordingLogger } from "../../transport/test_support.js";
import { initCa, issueNode } from "./cluster_pki.js";
import { loadTlsMaterial, type LoadedTlsMaterial, type TlsFilePaths } from "./credentials.js";
import { CertificateReloader } from "./reloader.js";

async function setUp(): Promise<{ dir: string; paths: TlsFilePaths }> {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-reload-"));
  const ca = await initCa(dir, "prod");
  const node = await issueNode(dir, { nodeId: "n1", hosts: [] });
  return { dir, paths: { ...node, ca: ca.cert } };
}

function reloaderFor(paths: TlsFilePaths, logger: RecordingLogger): {
  reloader: CertificateReloader<LoadedTlsMaterial>; credentials: PeerTlsCredentials;
} {
  const load = (): LoadedTlsMaterial =>
    loadTlsMaterial(paths, { identity: { clusterId: "prod", nodeId: "n1" } });
  const material = load();
  const credentials = new PeerTlsCredentials(material);
  const reloader = new CertificateReloader(material, {
    what: "peer TLS", files: [paths.cert, paths.key, paths.ca], load,
    apply: (next) => { credentials.replace(next); },
    same: (a, b) => a.cert === b.cert && a.key === b.key && a.ca === b.ca,
    logger, debounceMs: 50,
  });
  return { reloader, credentials };
}

test("a rotated certificate is picked up from the files without a restart", async () => {
  const { dir, paths } = await setUp();
  const logger = new RecordingLogger();
  const { reloader, credentials } = reloaderFor(paths, logger);
  // The watchers do not keep a process alive (a node's sockets do): this stands in for them.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    reloader.watchFiles();
    await issueNode(dir, { nodeId: "n1", hosts: ["10.0.0.9"] });
    await logger.waitFor((e) => e.level === "info" && /Reloaded the peer TLS/.test(e.msg));
    assert.equal(credentials.version, 2);
    assert.equal(credentials.material.cert, readFileSync(paths.cert, "utf8"));
    // SIGHUP with nothing changed does nothing.
    assert.equal(reloader.reload("SIGHUP"), false);
  } finally {
    clearInterval(keepAlive);
    reloader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an unusable new certificate is refused and the one in force stays", async () => {
  const { dir, paths } = await setUp();
  const logger = new RecordingLogger();
  const { reloader, credentials } = reloaderFor(paths, logger);
  try {
    const before = credentials.material.cert;
    await issueNode(dir, { nodeId: "n2", hosts: [] });
    writeFileSync(paths.cert, readFileSync(join(dir, "n2.crt")));
    assert.equal(reloader.reload("SIGHUP"), false);
    const refused = logger.entries.find((e) => e.level === "error");
    assert.match(refused?.msg ?? "", /Kept the peer TLS certificates in force: reload \(SIGHUP\)/);
    assert.equal(refused?.obj["code"], "CERT_KEY_MISMATCH");
    assert.equal(credentials.material.cert, before);
    assert.equal(credentials.version, 1);
  } finally {
    reloader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("isLoopbackHost: 127/8, ::1 and localhost only", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"]) {
    assert.ok(isLoopbackHost(host), host);
  }
  for (const host of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "example.com", "localhost.evil.com"]) {
    assert.ok(!isLoopbackHost(host), host);
  }
});
