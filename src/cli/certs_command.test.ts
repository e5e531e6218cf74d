/**
 * `raftkv certs` and `raftkv node` start-up checks of peer certificates, as processes: the CLI's
 * one-line errors and exit codes, and a node that refuses to start on an expired certificate,
 * on one for another node, or on plaintext peers bound to a non-loopback address.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify as stringifyYaml } from "yaml";
import { issueNode } from "../app/certs/index.js";
import { ENTRY_PATH } from "./entry.js";
import { EXIT_CONFIG } from "./node_command.js";

const dir = mkdtempSync(join(tmpdir(), "raftkv-certs-cli-"));
after(() => { rmSync(dir, { recursive: true, force: true }); });

function raftkv(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [ENTRY_PATH, ...args], { timeout: 20_000 },
      (_error, stdout, stderr) => { done({ code: child.exitCode, stdout, stderr }); });
  });
}

function writeConfig(name: string, extra: Record<string, unknown>, peerHost = "127.0.0.1"): string {
  const path = join(dir, name);
  writeFileSync(path, stringifyYaml({
    clusterId: "prod", nodeId: "n1", dataDir: join(dir, "data-{id}"),
    members: [{ id: "n1", peer: `${peerHost}:1`, redis: "127.0.0.1:2", http: "127.0.0.1:3" }],
    ...extra,
  }));
  return path;
}

const certs = join(dir, "certs");
const peerTls = { cert: join(certs, "{id}.crt"), key: join(certs, "{id}.key"), ca: join(certs, "ca.crt") };

test("certs init, issue and client write the files; bad flags are one-line errors", async () => {
  const init = await raftkv("certs", "init", "--cluster-id", "prod", "--out", certs);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /Created the CA of cluster prod/);
  assert.equal((await raftkv("certs", "issue", "--id", "n1", "--dir", certs)).code, 0);
  assert.equal((await raftkv("certs", "client", "--user", "alice", "--dir", certs)).code, 0);
  assert.equal(statSync(join(certs, "client-alice.key")).mode & 0o777, 0o600);
  const bad = await raftkv("certs", "issue", "--id", "n1", "--days", "soon", "--dir", certs);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "raftkv certs: --days must be an integer from 1 to 36500, got \"soon\"\n");
  const again = await raftkv("certs", "init", "--cluster-id", "prod", "--out", certs);
  assert.equal(again.code, EXIT_CONFIG);
  assert.match(again.stderr, /ca\.crt: already exists \(--force replaces it\)\n$/);
});

test("a node with an expired certificate says so at start and exits 78", async () => {
  const expired = join(dir, "expired");
  await raftkv("certs", "init", "--cluster-id", "prod", "--out", expired);
  await issueNode(expired, { nodeId: "n1", hosts: [] },
    { now: new Date(Date.now() - 10 * 86_400_000), days: 2 });
  const config = writeConfig("expired.yaml", {
    peerTls: { ...peerTls, cert: join(expired, "n1.crt"), key: join(expired, "n1.key"),
      ca: join(expired, "ca.crt") },
  });
  const result = await raftkv("node", "--config", config);
  assert.equal(result.code, EXIT_CONFIG, result.stderr);
  assert.match(result.stderr, /Cannot start: .*n1\.crt: certificate expired at \d{4}-/);
});

test("a node whose certificate names another node exits 78 naming what it needs", async () => {
  const result = await raftkv("node", "--config", writeConfig("wrong.yaml", { peerTls }),
    "--id", "n1", "--cluster-id", "other");
  assert.equal(result.code, EXIT_CONFIG, result.stderr);
  assert.match(result.stderr, /needs raftkv:\/\/other\/n1/);
});

test("plaintext peers: refused on a non-loopback peer address, even with --insecure-peers",
  async () => {
    const noTls = await raftkv("node", "--config", writeConfig("none.yaml", {}));
    assert.equal(noTls.code, EXIT_CONFIG);
    assert.match(noTls.stderr, /peerTls: is required/);
    const exposed = writeConfig("exposed.yaml", { peerTls }, "0.0.0.0");
    const result = await raftkv("node", "--config", exposed, "--insecure-peers");
    assert.equal(result.code, EXIT_CONFIG);
    assert.match(result.stderr, /peerTls: false \(plaintext peers\) is refused: .*0\.0\.0\.0/);
  });
