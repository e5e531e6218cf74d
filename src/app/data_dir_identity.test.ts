import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DATA_FORMAT_VERSION, DataDirMismatchError, IDENTITY_FILE, checkDataDirIdentity, markRemoved,
  readDataDirIdentity,
} from "./data_dir_identity.js";

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "raftkv-identity-"));
}

test("the first start records the cluster, node and format; later starts match it", async () => {
  const dir = scratch();
  try {
    const me = { clusterId: "blue", nodeId: "n1" };
    assert.equal(await checkDataDirIdentity(join(dir, "n1"), me), "created");
    const written = JSON.parse(readFileSync(join(dir, "n1", IDENTITY_FILE), "utf8")) as unknown;
    assert.deepEqual(written, { ...me, formatVersion: DATA_FORMAT_VERSION });
    assert.equal(await checkDataDirIdentity(join(dir, "n1"), me), "matched");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("another cluster's, another node's or a newer format's data is refused, unchanged", async () => {
  const dir = scratch();
  try {
    await checkDataDirIdentity(dir, { clusterId: "blue", nodeId: "n1" });
    const before = readFileSync(join(dir, IDENTITY_FILE), "utf8");
    await assert.rejects(checkDataDirIdentity(dir, { clusterId: "green", nodeId: "n1" }),
      (e: unknown) => e instanceof DataDirMismatchError
        && /holds data of cluster "blue", not "green"/.test(e.message));
    await assert.rejects(checkDataDirIdentity(dir, { clusterId: "blue", nodeId: "n2" }),
      /holds the data of node n1, not n2/);
    assert.equal(readFileSync(join(dir, IDENTITY_FILE), "utf8"), before);
    writeFileSync(join(dir, IDENTITY_FILE),
      JSON.stringify({ clusterId: "blue", nodeId: "n1", formatVersion: DATA_FORMAT_VERSION + 1 }));
    await assert.rejects(checkDataDirIdentity(dir, { clusterId: "blue", nodeId: "n1" }),
      /data format version 2 is newer than this raftkv reads \(1\)/);
    writeFileSync(join(dir, IDENTITY_FILE), "{not json");
    await assert.rejects(checkDataDirIdentity(dir, { clusterId: "blue", nodeId: "n1" }),
      /raftkv\.json is not JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("data written before the identity file existed is adopted", async () => {
  const dir = scratch();
  try {
    writeFileSync(join(dir, "0000000000000001.wal"), "x");
    assert.equal(await checkDataDirIdentity(dir, { clusterId: "blue", nodeId: "n1" }), "adopted");
    assert.equal(await checkDataDirIdentity(dir, { clusterId: "blue", nodeId: "n1" }), "matched");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a node marked removed is refused on restart, naming the way back", async () => {
  const dir = scratch();
  try {
    await checkDataDirIdentity(dir, { clusterId: "blue", nodeId: "n3" });
    await markRemoved(dir, 57);
    assert.equal((await readDataDirIdentity(dir))?.removedAtIndex, 57);
    await assert.rejects(checkDataDirIdentity(dir, { clusterId: "blue", nodeId: "n3" }),
      /node n3 was removed from cluster "blue" \(configuration at index 57\); to add it again/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
