/**
 * Bad-disk tests: torn tails are cut and reported; corruption anywhere else, a missing segment or
 * a corrupt snapshot refuses to open (or falls back without loss), naming file and offset; a
 * failed write or fdatasync makes storage fail-stop.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, truncate, unlink, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import type { Logger } from "../core/logger.js";
import type { ConfState } from "../core/messages.js";
import { logIndex, nodeId, term } from "../core/types.js";
import { DiskStorage } from "./disk_storage.js";
import { DiskFailedError, SnapshotCorruptError, WalCorruptError } from "./errors.js";
import { nodeFileSystem } from "./file_system.js";
import { InstrumentedFileSystem } from "./instrumented_file_system.js";
import type { DiskStorageOptions } from "./options.js";
import { entry, entryRange } from "./storage_compliance.js";
import { FRAME_HEADER_BYTES } from "./wal/record.js";

const CONF: ConfState = { voters: [nodeId("n1")], learners: [], votersOutgoing: [] };
const BIG = { bytesMax: Number.MAX_SAFE_INTEGER };
let dir = "";

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "raftkv-bad-disk-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function open(options: DiskStorageOptions = {}): Promise<DiskStorage> {
  return DiskStorage.open(dir, { confState: CONF, segmentBytesMax: 2048, ...options });
}

/** Writes entries 1..count (one save each) and closes; returns the segment files, oldest first. */
async function populate(count: number): Promise<string[]> {
  const s = await open();
  for (let i = 1; i <= count; i++) await s.save({ hardState: null, entries: [entry(i, 1)], snapshot: null });
  await s.close();
  return segments();
}

async function segments(): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith(".wal")).sort();
}

async function flipByte(name: string, offset: number): Promise<void> {
  const bytes = await readFile(join(dir, name));
  bytes[offset] = (bytes[offset] ?? 0) ^ 0x40;
  await writeFile(join(dir, name), bytes);
}

/** A logger that keeps the messages of warnings. */
function warningsInto(warnings: string[]): Logger {
  const ignore = (): void => undefined;
  return { debug: ignore, info: ignore, error: ignore, warn: (_f, m) => { warnings.push(m ?? ""); } };
}

function lastIndexes(s: DiskStorage): number[] {
  return s.entries(s.firstIndex(), logIndex(s.lastIndex() + 1), BIG).map((e) => e.index);
}

test("a record cut short at the end of the last segment is truncated and reported", async () => {
  const files = await populate(10);
  const last = files.at(-1)!;
  const size = (await readFile(join(dir, last))).byteLength;
  await truncate(join(dir, last), size - 5);
  const warnings: string[] = [];
  const s = await open({ logger: warningsInto(warnings) });
  assert.equal(s.lastIndex(), 9);
  assert.equal(s.recoveryReport.tornTail?.file, last);
  assert.equal(s.recoveryReport.tornTail.cutBytes, size - 5 - s.recoveryReport.tornTail.offsetBytes);
  assert.match(warnings.join("\n"), /torn tail/);
  await s.save({ hardState: null, entries: [entry(10, 1, "again")], snapshot: null });
  await s.close();
  const again = await open(); // the cut segment is no longer the last: it must now be clean
  assert.equal(again.recoveryReport.tornTail, null);
  assert.deepEqual(lastIndexes(again), entryRange(1, 10, 1).map((e) => e.index));
  await again.close();
});

test("a record header cut short, and a zero-filled tail, are torn tails", async () => {
  const files = await populate(3);
  const last = files.at(-1)!;
  await appendFile(join(dir, last), new Uint8Array(FRAME_HEADER_BYTES - 3).fill(7));
  let s = await open();
  assert.equal(s.recoveryReport.tornTail?.reason, "record header cut short");
  assert.equal(s.lastIndex(), 3);
  await s.close();
  const newest = (await segments()).at(-1)!;
  await appendFile(join(dir, newest), new Uint8Array(4096));
  s = await open();
  assert.equal(s.recoveryReport.tornTail?.reason, "zero-filled tail");
  assert.equal(s.lastIndex(), 3);
  await s.close();
});

test("a complete last record with a bad checksum is a torn tail; followed by a valid record it is corruption", async () => {
  const files = await populate(5);
  const last = files.at(-1)!;
  const size = (await readFile(join(dir, last))).byteLength;
  await flipByte(last, size - 1); // the last entry's payload
  const s = await open();
  assert.equal(s.lastIndex(), 4);
  assert.equal(s.recoveryReport.tornTail?.reason, "record payload checksum mismatch");
  await s.close();

  await rm(dir, { recursive: true });
  const files2 = await populate(5);
  const last2 = files2.at(-1)!;
  const size2 = (await readFile(join(dir, last2))).byteLength;
  const recordBytes = FRAME_HEADER_BYTES + 17 + 4; // "e5t1"
  await flipByte(last2, size2 - recordBytes - 1); // the payload of the second-to-last record
  await assert.rejects(open(), (error: unknown) => {
    assert.ok(error instanceof WalCorruptError);
    assert.equal(error.code, "WAL_CORRUPT");
    assert.equal(error.file, last2);
    assert.equal(error.offsetBytes, size2 - 2 * recordBytes);
    assert.match(error.message, /followed by a valid record/);
    assert.match(error.message, /remove this node's data directory/);
    return true;
  });
});

test("a flipped byte in an earlier segment refuses to open, naming file and offset", async () => {
  const files = await populate(200);
  assert.ok(files.length >= 3, `expected several segments, got ${files.length}`);
  const middle = files[1]!;
  await flipByte(middle, 100);
  await assert.rejects(open(), (error: unknown) => {
    assert.ok(error instanceof WalCorruptError);
    assert.equal(error.file, middle);
    assert.ok(error.offsetBytes <= 100, `offset ${error.offsetBytes}`);
    assert.match(error.message, new RegExp(`${middle}.*offset ${error.offsetBytes}`));
    return true;
  });
});

test("a missing segment refuses to open, naming it", async () => {
  const files = await populate(200);
  const missing = files[2]!;
  await unlink(join(dir, missing));
  await assert.rejects(open(), { name: "WalCorruptError", file: missing, reason: "segment file missing" });
});

test("missing oldest segments refuse to open (the log no longer reaches the snapshot)", async () => {
  const files = await populate(200);
  await unlink(join(dir, files[0]!));
  await assert.rejects(open(), { code: "WAL_CORRUPT", reason: /older segments are missing/ });
});

async function snapshotFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith(".snap")).sort();
}

test("a corrupt newest snapshot falls back to the previous one when the log still covers it", async () => {
  const s = await open();
  for (let i = 0; i < 10; i++) await s.save({ hardState: null, entries: entryRange(i * 10 + 1, i * 10 + 10, 1), snapshot: null });
  await s.createSnapshot(logIndex(50), CONF, new Uint8Array([50]));
  await s.compact(logIndex(50));
  await s.createSnapshot(logIndex(80), CONF, new Uint8Array([80]));
  await s.compact(logIndex(80));
  await s.close();
  const snaps = await snapshotFiles();
  assert.equal(snaps.length, 2, "keeps the newest two snapshots");
  await flipByte(snaps.at(-1)!, 30);
  const warnings: string[] = [];
  const r = await open({ logger: warningsInto(warnings) });
  assert.equal(r.snapshot().metadata.index, 50);
  assert.deepEqual(r.snapshot().data, new Uint8Array([50]));
  assert.deepEqual(lastIndexes(r), entryRange(51, 100, 1).map((e) => e.index));
  assert.equal(r.recoveryReport.snapshotsSkipped[0]?.file, snaps.at(-1));
  assert.match(warnings.join("\n"), /fell back/);
  await r.close();
});

test("a corrupt snapshot that the log does not cover refuses to open, naming the file", async () => {
  const s = await open();
  await s.save({ hardState: null, entries: entryRange(1, 5, 1), snapshot: null });
  const snapshot = { metadata: { index: logIndex(200), term: term(3), confState: CONF }, data: new Uint8Array(64).fill(1) };
  await s.save({ hardState: { term: term(3), vote: null, commit: logIndex(200) }, entries: [], snapshot });
  await s.close();
  const name = (await snapshotFiles()).at(-1)!;
  const size = (await readFile(join(dir, name))).byteLength;
  await flipByte(name, size - 1);
  await assert.rejects(open(), (error: unknown) => {
    assert.ok(error instanceof SnapshotCorruptError);
    assert.equal(error.code, "SNAPSHOT_CORRUPT");
    assert.equal(error.file, name);
    assert.equal(error.offsetBytes, size - 64); // where the data starts
    assert.match(error.message, /data checksum mismatch/);
    return true;
  });
});

test("a failing fdatasync is fail-stop: DiskFailedError now and on every later call", async () => {
  const fs = new InstrumentedFileSystem(nodeFileSystem);
  const s = await open({ fs });
  await s.save({ hardState: null, entries: [entry(1, 1)], snapshot: null });
  fs.injectFault({ operation: "datasync", code: "EIO" });
  const inFlight = [2, 3, 4].map((i) => s.save({ hardState: null, entries: [entry(i, 1)], snapshot: null }));
  for (const save of inFlight) {
    await assert.rejects(save, (error: unknown) => {
      assert.ok(error instanceof DiskFailedError);
      assert.equal(error.code, "DISK_FAILED");
      assert.equal(error.operation, "fdatasync");
      assert.match(error.file, /\.wal$/);
      return true;
    });
  }
  const datasyncs = fs.count("datasync");
  await assert.rejects(s.save({ hardState: null, entries: [entry(5, 1)], snapshot: null }), { code: "DISK_FAILED", operation: "fdatasync" });
  await assert.rejects(s.createSnapshot(logIndex(1), CONF, new Uint8Array(0)), { code: "DISK_FAILED" });
  await assert.rejects(s.compact(logIndex(1)), { code: "DISK_FAILED" });
  assert.throws(() => s.lastIndex(), { code: "DISK_FAILED" });
  assert.equal(fs.count("datasync"), datasyncs, "never retries the fsync");
  await s.close();
});

test("a failing write (ENOSPC) and a failing snapshot rename are fail-stop too", async () => {
  const fs = new InstrumentedFileSystem(nodeFileSystem);
  let s = await open({ fs });
  fs.injectFault({ operation: "write", code: "ENOSPC" });
  await assert.rejects(s.save({ hardState: null, entries: [entry(1, 1)], snapshot: null }), { code: "DISK_FAILED", operation: "write" });
  await assert.rejects(s.save({ hardState: null, entries: [entry(2, 1)], snapshot: null }), { code: "DISK_FAILED", operation: "write" });
  await s.close();

  s = await open({ fs });
  await s.save({ hardState: null, entries: [entry(1, 1)], snapshot: null });
  fs.injectFault({ operation: "rename", code: "EIO" });
  await assert.rejects(s.createSnapshot(logIndex(1), CONF, new Uint8Array(0)), { code: "DISK_FAILED", operation: "rename" });
  await assert.rejects(s.save({ hardState: null, entries: [entry(2, 1)], snapshot: null }), { code: "DISK_FAILED", operation: "rename" });
  await s.close();
});

test("a new directory needs a confState", async () => {
  await assert.rejects(DiskStorage.open(join(dir, "new")), { code: "INVALID_CONFIG", field: "confState" });
});
