/**
 * `raftkv node` refusing to start on storage it cannot trust: a WAL corrupted in the middle of
 * the log makes it exit 74 with the storage's advice to the operator, instead of guessing
 * (and possibly losing acknowledged writes).
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { closeSync, openSync, readdirSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ENTRY_PATH } from "../cli/entry.js";
import { EXIT_STORAGE } from "../cli/node_command.js";
import { startTestCluster, waitForLeader, type TestCluster } from "./testing/testing_cluster.js";

let running: TestCluster | null = null;
after(async () => { await running?.close(); });

test("a corrupt WAL: the node exits 74 with the operator advice", { timeout: 40_000 }, async () => {
  running = await startTestCluster(1);
  const { cluster, dir } = running;
  await waitForLeader(cluster);
  const url = cluster.node("n1").httpUrl;
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${url}/v1/kv/k${i}`, { method: "PUT", body: "x".repeat(200) });
    assert.equal(response.status, 200);
  }
  await cluster.stop();

  const walDir = join(dir, "n1");
  const segment = readdirSync(walDir).filter((name) => name.endsWith(".wal")).sort()[0];
  assert.ok(segment !== undefined, "a WAL segment exists");
  const path = join(walDir, segment);
  const fd = openSync(path, "r+");
  writeSync(fd, Buffer.from("garbage!garbage!"), 0, 16, Math.floor(statSync(path).size / 3));
  closeSync(fd);

  const args = [ENTRY_PATH, "node", "--config", cluster.configPath, "--id", "n1"];
  const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const options = { timeout: 20_000 };
    const child = execFile(process.execPath, args, options, (_error, _stdout, stderr) => {
      done({ code: child.exitCode, stderr });
    });
  });
  assert.equal(result.code, EXIT_STORAGE, result.stderr);
  assert.match(result.stderr, /Cannot open WAL segment .*\.wal: .* at offset \d+/);
  assert.match(result.stderr, /remove this node's data directory and rejoin it/);
});
