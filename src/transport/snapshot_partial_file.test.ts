import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { logIndex, nodeId, term } from "../core/index.js";
import {
  PartialFile, parsePartialFileName, partialFileName, scanPartials,
} from "./snapshot_partial_file.js";
import { bytes } from "./test_support.js";

const key = { peer: nodeId("node:7.a"), index: logIndex(123), term: term(9) };

test("partial file names round-trip any node id and refuse anything else", () => {
  assert.deepEqual(parsePartialFileName(partialFileName(key)), key);
  for (const bad of ["x.snapshot-partial", "6e31-1.snapshot-partial", "zz-1-2.snapshot-partial",
    `${Buffer.from("bad id!").toString("hex")}-1-2.snapshot-partial`, "6e31-1-2.snapshot"]) {
    assert.equal(parsePartialFileName(bad), null, bad);
  }
});

test("on start, stale and unparseable partial files are deleted; fresh ones kept; others untouched",
  async () => {
  const dir = await mkdtemp(join(tmpdir(), "raftkv-partial-"));
  try {
    const fresh = partialFileName(key);
    const stale = partialFileName({ ...key, peer: nodeId("n2") });
    await writeFile(join(dir, fresh), bytes(100));
    await writeFile(join(dir, stale), bytes(100));
    await writeFile(join(dir, "junk.snapshot-partial"), "x");
    await writeFile(join(dir, "notes.txt"), "x");
    const old = new Date(Date.now() - 3_600_000);
    await utimes(join(dir, stale), old, old);
    const { kept, deleted } = await scanPartials(dir, 60_000, Date.now());
    assert.deepEqual(kept, [{ key, path: join(dir, fresh), bytes: 100 }]);
    assert.deepEqual(deleted.sort(), ["junk.snapshot-partial", stale].sort());
    assert.deepEqual((await readdir(dir)).sort(), [fresh, "notes.txt"].sort());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a partial file keeps its bytes when reopened to resume, and reads back its prefix CRC",
  async () => {
  const dir = await mkdtemp(join(tmpdir(), "raftkv-partial-"));
  try {
    const path = join(dir, partialFileName(key));
    const data = bytes(3 * 1024 * 1024 + 5, 3);
    const first = await PartialFile.open(path, true);
    await first.write(data.subarray(0, 2_000_000), 0);
    await first.close();
    const again = await PartialFile.open(path, false);
    assert.equal(await again.size(), 2_000_000);
    assert.equal(await again.prefixCrc(2_000_000), crc32(data.subarray(0, 2_000_000)));
    await again.write(data.subarray(2_000_000), 2_000_000);
    assert.deepEqual(await again.readAll(data.byteLength), data);
    await again.remove();
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
