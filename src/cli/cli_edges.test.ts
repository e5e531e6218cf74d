/**
 * The `raftkv` executable's small contracts, run as a child process as a user would: `--version`
 * prints the package version, and `del` on a missing key exits 1 as the README documents.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { startHttpApi, type RunningHttpApi } from "../server/index.js";
import { MemoryKvService } from "../server/testing/memory_kv_service.js";
import { ENTRY_PATH } from "./entry.js";
import { EXIT_NO } from "./kv_commands.js";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function raftkv(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ENTRY_PATH, ...args], (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("raftkv CLI edges", { timeout: 30_000 }, () => {
  let api: RunningHttpApi;
  let endpoint: string;
  before(async () => {
    api = await startHttpApi({ service: new MemoryKvService() }, { port: 0 });
    endpoint = `127.0.0.1:${api.port}`;
  });
  after(async () => { await api.close(); });

  test("--version prints the package.json version", async () => {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url),
      "utf8")) as { version: string };
    const run = await raftkv("--version");
    assert.equal(run.code, 0);
    assert.equal(run.stdout.trim(), manifest.version);
  });

  test("del exits 0 for a key that existed and 1 for a missing one", async () => {
    assert.equal((await raftkv("put", "k", "v", "-e", endpoint)).code, 0);
    const deleted = await raftkv("del", "k", "-e", endpoint);
    assert.equal(deleted.code, 0);
    assert.equal(deleted.stdout.trim(), "deleted");
    const missing = await raftkv("del", "k", "-e", endpoint);
    assert.equal(missing.code, EXIT_NO);
    assert.match(missing.stderr, /key not found/);
  });
});
