/**
 * Snapshot files: `snapshot-<index>.snap` (20-digit zero-padded last included index), written
 * atomically: temp file, write, fsync, rename, fsync the directory (a rename is not durable until
 * its directory is synced: etcd#6368).
 *
 * Layout (little endian):
 *
 *     0  "RKVSNAP1"     magic
 *     8  u32 metaBytes   JSON metadata: { index, term, confState }
 *    12  u32 dataBytes
 *    16  u32 dataCrc     crc32 of the data
 *    20  u32 headerCrc   crc32 of bytes 0..20 followed by the metadata
 *    24  metadata, then data
 */
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { ConfState, Snapshot } from "../core/messages.js";
import { isNodeId, logIndex, nodeId, term, type NodeId } from "../core/types.js";
import { SnapshotCorruptError } from "./errors.js";
import type { FailStop } from "./fail_stop.js";
import { writeAll, type FileSystem } from "./file_system.js";

const MAGIC = new TextEncoder().encode("RKVSNAP1");
const HEADER_BYTES = 24;
const NAME_PATTERN = /^snapshot-(\d{20})\.snap$/;
/** The file format stores sizes as u32. */
export const SNAPSHOT_DATA_BYTES_MAX = 0xffff_ffff;

export function snapshotFileName(index: number): string {
  return `snapshot-${String(index).padStart(20, "0")}.snap`;
}

/** The index a snapshot file name carries, or null if `name` is not a snapshot file. */
export function parseSnapshotFileName(name: string): number | null {
  const match = NAME_PATTERN.exec(name);
  return match?.[1] === undefined ? null : Number(match[1]);
}

export function encodeSnapshot(snapshot: Snapshot): Uint8Array {
  const { index, term: snapTerm, confState } = snapshot.metadata;
  const meta = new TextEncoder().encode(JSON.stringify({ index, term: snapTerm, confState }));
  const out = new Uint8Array(HEADER_BYTES + meta.byteLength + snapshot.data.byteLength);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(8, meta.byteLength, true);
  view.setUint32(12, snapshot.data.byteLength, true);
  view.setUint32(16, crc32(snapshot.data), true);
  out.set(meta, HEADER_BYTES);
  view.setUint32(20, crc32(meta, crc32(out.subarray(0, 20))), true);
  out.set(snapshot.data, HEADER_BYTES + meta.byteLength);
  return out;
}

/** @throws SnapshotCorruptError naming `file` and the offset of what is wrong. */
export function decodeSnapshot(file: string, bytes: Uint8Array): Snapshot {
  const fail = (offset: number | null, reason: string): SnapshotCorruptError =>
    new SnapshotCorruptError(file, offset, reason);
  if (bytes.byteLength < HEADER_BYTES) throw fail(0, "file shorter than its header");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [i, b] of MAGIC.entries()) if (bytes[i] !== b) throw fail(0, "bad magic");
  const metaBytes = view.getUint32(8, true);
  const dataBytes = view.getUint32(12, true);
  if (HEADER_BYTES + metaBytes + dataBytes !== bytes.byteLength) {
    throw fail(8, `sizes in the header do not match the file size ${bytes.byteLength}`);
  }
  const meta = bytes.subarray(HEADER_BYTES, HEADER_BYTES + metaBytes);
  if (crc32(meta, crc32(bytes.subarray(0, 20))) !== view.getUint32(20, true)) {
    throw fail(20, "header checksum mismatch");
  }
  const data = bytes.subarray(HEADER_BYTES + metaBytes);
  if (crc32(data) !== view.getUint32(16, true)) throw fail(HEADER_BYTES + metaBytes, "data checksum mismatch");
  const metadata = parseMetadata(meta, (reason) => fail(HEADER_BYTES, reason));
  return { metadata, data: new Uint8Array(data) }; // a copy, and not a Buffer
}

function parseMetadata(
  meta: Uint8Array,
  fail: (reason: string) => SnapshotCorruptError,
): Snapshot["metadata"] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(meta));
  } catch {
    throw fail("metadata is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null) throw fail("metadata is not an object");
  const { index, term: snapTerm, confState } = parsed as Record<string, unknown>;
  if (!isCount(index) || !isCount(snapTerm)) throw fail("metadata index or term invalid");
  const conf = parseConfState(confState);
  if (conf === null) throw fail("metadata confState invalid");
  return { index: logIndex(index), term: term(snapTerm), confState: conf };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}


function parseConfState(value: unknown): ConfState | null {
  if (typeof value !== "object" || value === null) return null;
  const record = value as Record<string, unknown>;
  const lists: NodeId[][] = [];
  for (const key of ["voters", "learners", "votersOutgoing"]) {
    const list = record[key];
    if (!Array.isArray(list)) return null;
    const ids: NodeId[] = [];
    for (const id of list) {
      if (!isNodeId(id)) return null;
      ids.push(nodeId(id));
    }
    lists.push(ids);
  }
  const [voters = [], learners = [], votersOutgoing = []] = lists;
  return { voters, learners, votersOutgoing };
}

/**
 * Writes `snapshot` durably under its final name (temp, write, fsync, rename, fsync directory).
 * @throws DiskFailedError if any step fails.
 */
export async function writeSnapshotFile(
  fs: FileSystem,
  failStop: FailStop,
  dir: string,
  snapshot: Snapshot,
): Promise<string> {
  const name = snapshotFileName(snapshot.metadata.index);
  const temp = `${name}.tmp`;
  const bytes = encodeSnapshot(snapshot);
  const handle = await failStop.run("create", temp, () => fs.create(join(dir, temp)));
  try {
    await failStop.run("write", temp, () => writeAll(handle, bytes));
    await failStop.run("fsync", temp, () => handle.sync());
  } finally {
    await handle.close().catch(() => undefined);
  }
  await failStop.run("rename", temp, () => fs.rename(join(dir, temp), join(dir, name)));
  await failStop.run("fsync directory", dir, () => fs.syncDir(dir));
  return name;
}
