/**
 * `reclaim` (raftkv snapshot): after a snapshot, the log behind it stops holding disk. Before it,
 * compaction never touched the active segment, so a node whose whole log fits one segment
 * freed nothing and the snapshot file only added to the data directory.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logIndex, nodeId, term, type ConfState, type Entry } from "../core/index.js";
import { DiskStorage } from "./disk_storage.js";

const conf: ConfState = { voters: [nodeId("n1")], learners: [], votersOutgoing: [] };

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

async function filledStorage(dir: string): Promise<DiskStorage> {
  const storage = await DiskStorage.open(dir, { confState: conf });
  const payload = new Uint8Array(1024).fill(7);
  const entries: Entry[] = Array.from({ length: 500 }, (_, i) => ({
    term: term(1), index: logIndex(i + 1), kind: "normal", data: payload,
  }));
  await storage.save({ hardState: { term: term(1), vote: null, commit: logIndex(500) }, entries, snapshot: null });
  await storage.createSnapshot(logIndex(500), conf, new TextEncoder().encode("image"));
  return storage;
}

test("compact alone leaves the active segment: the snapshot only adds to the data directory", async () => {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-reclaim-"));
  try {
    const storage = await filledStorage(dir);
    const before = dirBytes(dir);
    await storage.compact(logIndex(500));
    assert.ok(dirBytes(dir) >= before, "nothing freed (the known-bad case reclaim fixes)");
    await storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("reclaim rolls the active segment and deletes the log behind a verified snapshot", async () => {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-reclaim-"));
  try {
    const storage = await filledStorage(dir);
    const before = dirBytes(dir);
    await storage.reclaim(logIndex(500));
    const after = dirBytes(dir);
    assert.ok(after < before / 10, `data directory went from ${before} to ${after} bytes`);
    // Still usable and still recovers: new entries go to the new segment, and a reopen sees them.
    await storage.save({ hardState: { term: term(1), vote: null, commit: logIndex(501) },
      entries: [{ term: term(1), index: logIndex(501), kind: "normal", data: new Uint8Array(3) }],
      snapshot: null });
    await storage.close();
    const reopened = await DiskStorage.open(dir, { confState: conf });
    assert.equal(reopened.snapshot().metadata.index, 500);
    assert.equal(reopened.lastIndex(), 501);
    assert.equal(reopened.firstIndex(), 501);
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
