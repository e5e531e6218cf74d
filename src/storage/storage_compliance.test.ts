/** Runs the compliance suite against every StableStorage implementation. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiskStorage } from "./disk_storage.js";
import { MemoryStorage } from "./memory_storage.js";
import type { StableStorage } from "./stable_storage.js";
import { registerStorageCompliance } from "./storage_compliance.js";

registerStorageCompliance("MemoryStorage", {
  create: (confState) => Promise.resolve(new MemoryStorage(confState)),
});

const dirs: string[] = [];
registerStorageCompliance("DiskStorage", {
  async create(confState) {
    const dir = await mkdtemp(join(tmpdir(), "raftkv-compliance-"));
    dirs.push(dir);
    // Small segments so the suite crosses segment cuts and deletes old segments.
    return DiskStorage.open(dir, { confState, segmentBytesMax: 1024 });
  },
  async reopen(storage: StableStorage) {
    await storage.close();
    const dir = dirs.at(-1);
    if (dir === undefined) throw new Error("reopen before create");
    return DiskStorage.open(dir, { segmentBytesMax: 1024 });
  },
  async cleanup() {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  },
});
