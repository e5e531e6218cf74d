/**
 * A save that only moves the commit index (`sync: false`) costs no fdatasync of its own: it is
 * written with the next synced save, or at close (wal.ts, "lazy submission").
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import type { ConfState, HardState } from "../core/messages.js";
import { logIndex, nodeId, term } from "../core/types.js";
import { DiskStorage } from "./disk_storage.js";
import { nodeFileSystem } from "./file_system.js";
import { InstrumentedFileSystem } from "./instrumented_file_system.js";
import { entry } from "./storage_compliance.js";

const CONF: ConfState = { voters: [nodeId("n1")], learners: [], votersOutgoing: [] };
let dir = "";

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "raftkv-lazy-commit-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function committed(commit: number): HardState {
  return { term: term(1), vote: nodeId("n1"), commit: logIndex(commit) };
}

test("a commit-only save waits for the next synced save and shares its one fdatasync", async () => {
  const fs = new InstrumentedFileSystem(nodeFileSystem);
  const s = await DiskStorage.open(dir, { confState: CONF, fs });
  await s.save({ hardState: committed(0), entries: [entry(1, 1), entry(2, 1)], snapshot: null });
  const writes = fs.count("write");
  const syncs = fs.count("datasync");
  let lazyDone = false;
  const lazy = s.save({ hardState: committed(2), entries: [], snapshot: null, sync: false })
    .then(() => { lazyDone = true; });
  assert.equal(fs.count("write"), writes, "nothing written for the commit index alone");
  assert.equal(fs.count("datasync"), syncs);
  await s.save({ hardState: null, entries: [entry(3, 1)], snapshot: null });
  assert.equal(lazyDone, true, "done in the round of the synced save");
  await lazy;
  assert.equal(fs.count("datasync"), syncs + 1, "one fdatasync for both");
  await s.close();
  const reopened = await DiskStorage.open(dir, { confState: CONF });
  assert.deepEqual(reopened.initialState().hardState, committed(2));
  assert.equal(reopened.lastIndex(), 3);
  await reopened.close();
});

test("a commit-only save is written at close; one with entries is synced at once", async () => {
  const fs = new InstrumentedFileSystem(nodeFileSystem);
  const s = await DiskStorage.open(dir, { confState: CONF, fs });
  const syncs = fs.count("datasync");
  await s.save({ hardState: committed(0), entries: [entry(1, 1)], snapshot: null, sync: false });
  assert.equal(fs.count("datasync"), syncs + 1, "entries are always synced");
  const lazy = s.save({ hardState: committed(1), entries: [], snapshot: null, sync: false });
  await s.close();
  await lazy;
  const reopened = await DiskStorage.open(dir, { confState: CONF });
  assert.deepEqual(reopened.initialState().hardState, committed(1));
  await reopened.close();
});
