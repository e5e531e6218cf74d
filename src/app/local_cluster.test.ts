/**
 * What `raftkv cluster` writes before it starts any node: the generated config file, with peer
 * mutual TLS from certificates under the data directory by default, and plaintext peers only when
 * asked (`--insecure-peers`, which passes `peerTls: false`). The children here are a stand-in
 * script that exits at once, so no node really runs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { LocalCluster } from "./local_cluster.js";

async function writtenConfig(config: Record<string, unknown>): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-local-cluster-"));
  try {
    const entryPath = join(dir, "exit.mjs");
    writeFileSync(entryPath, "process.exit(0);\n");
    const cluster = new LocalCluster({
      nodes: 3, dataDir: join(dir, "data"), entryPath, config,
      redisPortBase: 46380, httpPortBase: 48080, peerPortBase: 49080,
    });
    await cluster.start();
    await cluster.stop(1000);
    const written = parseYaml(readFileSync(cluster.configPath, "utf8")) as Record<string, unknown>;
    return { ...written, certsMade: existsSync(cluster.certsDir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the local cluster's peers use mutual TLS with certificates it makes", async () => {
  const config = await writtenConfig({});
  assert.equal(config["certsMade"], true);
  const peerTls = config["peerTls"] as Record<string, unknown>;
  assert.match(String(peerTls["cert"]), /\{id\}/);
  assert.ok(typeof peerTls["key"] === "string" && typeof peerTls["ca"] === "string");
});

test("--insecure-peers (peerTls: false) writes plaintext peers and makes no certificates",
  async () => {
    const config = await writtenConfig({ peerTls: false });
    assert.equal(config["peerTls"], false);
    assert.equal(config["certsMade"], false);
  });
