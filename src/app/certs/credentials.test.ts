import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureNodeCertificates, initCa, issueClient, issueNode, readCa } from "./cluster_pki.js";
import { loadTlsMaterial, type TlsFilePaths } from "./credentials.js";
import { CertificateError, type CertificateErrorCode } from "./errors.js";
import { certificateUris } from "../../transport/peer_identity.js";
import { X509Certificate } from "node:crypto";

const identity = { clusterId: "prod", nodeId: "n1" };
const DAY_MS = 86_400_000;

async function withCa(body: (dir: string, paths: TlsFilePaths) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-certs-"));
  try {
    const ca = await initCa(dir, "prod");
    const node = await issueNode(dir, { nodeId: "n1", hosts: ["10.0.0.1"] });
    await body(dir, { ...node, ca: ca.cert });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function refusal(paths: TlsFilePaths, options: Parameters<typeof loadTlsMaterial>[1] = {}):
  CertificateErrorCode {
  try {
    loadTlsMaterial(paths, options);
  } catch (error) {
    assert.ok(error instanceof CertificateError, String(error));
    return error.code;
  }
  return assert.fail("accepted unusable credentials");
}

test("certs init and issue: keys 0600, the node named by URI and its hosts", async () => {
  await withCa(async (dir, paths) => {
    assert.equal(statSync(paths.key).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, "ca.key")).mode & 0o777, 0o600);
    const material = loadTlsMaterial(paths, { identity });
    const cert = new X509Certificate(material.cert);
    assert.deepEqual(certificateUris(cert), ["raftkv://prod/n1"]);
    assert.equal(cert.checkIP("10.0.0.1"), "10.0.0.1");
    assert.equal(cert.checkHost("localhost"), "localhost");
    assert.equal((await readCa(dir)).clusterId, "prod");
    const client = await issueClient(dir, { user: "alice" });
    const clientCert = new X509Certificate(readFileSync(client.cert));
    assert.deepEqual(certificateUris(clientCert), ["raftkv://prod/users/alice"]);
    assert.match(clientCert.subject, /CN=alice/);
    await assert.rejects(initCa(dir, "prod"), (e) => e instanceof CertificateError
      && e.code === "CERT_EXISTS");
  });
});

test("an expired or not yet valid certificate is refused, saying when", async () => {
  await withCa((_dir, paths) => {
    assert.equal(refusal(paths, { now: new Date(Date.now() + 400 * DAY_MS) }), "CERT_EXPIRED");
    assert.equal(refusal(paths, { now: new Date(Date.now() - 2 * DAY_MS) }), "CERT_NOT_YET_VALID");
    assert.throws(() => loadTlsMaterial(paths, { now: new Date(Date.now() + 400 * DAY_MS) }),
      /n1\.crt: certificate expired at \d{4}-/);
    return Promise.resolve();
  });
});

test("unreadable files, a foreign key, another CA and another node id are refused", async () => {
  await withCa(async (dir, paths) => {
    assert.equal(refusal({ ...paths, cert: join(dir, "missing.crt") }), "CERT_UNREADABLE");
    const other = await issueNode(dir, { nodeId: "n2", hosts: [] });
    assert.equal(refusal({ ...paths, key: other.key }), "CERT_KEY_MISMATCH");
    assert.equal(refusal({ ...other, ca: paths.ca }, { identity }), "CERT_WRONG_IDENTITY");
    writeFileSync(join(dir, "garbage.crt"), "not a certificate");
    assert.equal(refusal({ ...paths, cert: join(dir, "garbage.crt") }), "CERT_INVALID");
    const foreign = mkdtempSync(join(tmpdir(), "raftkv-certs-other-"));
    try {
      const otherCa = await initCa(foreign, "prod");
      assert.equal(refusal({ ...paths, ca: otherCa.cert }), "CERT_NOT_SIGNED_BY_CA");
    } finally {
      rmSync(foreign, { recursive: true, force: true });
    }
  });
});

test("ensureNodeCertificates creates once, reuses, and reissues a missing or expired one",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "raftkv-certs-ensure-"));
    try {
      const nodes = { ids: ["n1", "n2"], hosts: ["127.0.0.1"] };
      const paths = await ensureNodeCertificates(dir, "local-1", nodes);
      assert.equal(paths.cert, join(dir, "{id}.crt"));
      const first = readFileSync(join(dir, "n1.crt"), "utf8");
      const caFirst = readFileSync(join(dir, "ca.crt"), "utf8");
      await ensureNodeCertificates(dir, "local-1", nodes);
      assert.equal(readFileSync(join(dir, "n1.crt"), "utf8"), first);
      // An expired n2 is replaced; the CA and n1 stay.
      await issueNode(dir, { nodeId: "n2", hosts: [] }, { now: new Date(Date.now() - 10 * DAY_MS), days: 1 });
      rmSync(join(dir, "n1.key"));
      await ensureNodeCertificates(dir, "local-1", nodes);
      assert.equal(readFileSync(join(dir, "ca.crt"), "utf8"), caFirst);
      const at = (id: string): TlsFilePaths =>
        ({ cert: join(dir, `${id}.crt`), key: join(dir, `${id}.key`), ca: join(dir, "ca.crt") });
      loadTlsMaterial(at("n1"), { identity: { clusterId: "local-1", nodeId: "n1" } });
      loadTlsMaterial(at("n2"), { identity: { clusterId: "local-1", nodeId: "n2" } });
      // Another cluster id means a new CA, and certificates from it.
      await ensureNodeCertificates(dir, "local-2", nodes);
      assert.notEqual(readFileSync(join(dir, "ca.crt"), "utf8"), caFirst);
      loadTlsMaterial(at("n1"), { identity: { clusterId: "local-2", nodeId: "n1" } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

test("certificateUris reads quoted names as Node prints them", () => {
  const names = 'DNS:a, URI:"raftkv://a,b/n1", URI:raftkv://c/n2, IP Address:127.0.0.1';
  assert.deepEqual(certificateUris({ subjectAltName: names }), ["raftkv://a,b/n1", "raftkv://c/n2"]);
  assert.deepEqual(certificateUris({ subjectAltName: undefined }), []);
});
