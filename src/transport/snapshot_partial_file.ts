/**
 * The receiver's temporary file for one incoming snapshot, in the transport's `snapshotDir`.
 * Its name says whose snapshot it is (sender, snapshot index and term), so a transfer
 * interrupted by a dropped connection, or by a restart of this node, can be resumed: its length
 * is the resume point, and the sender checks the CRC32 of that prefix before continuing, so a
 * file torn by a crash is detected and restarted, never trusted. Files are not fsynced: a
 * snapshot is persisted by the node's storage only after it is delivered whole and verified.
 */
import { open, readdir, rm, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { LogIndex, NodeId, Term } from "../core/index.js";
import { isNodeId } from "../core/types.js";
import { SnapshotTransferError } from "./snapshot_errors.js";

export interface PartialKey {
  readonly peer: NodeId;
  readonly index: LogIndex;
  readonly term: Term;
}

export function sameSnapshot(a: PartialKey, b: PartialKey): boolean {
  return a.peer === b.peer && a.index === b.index && a.term === b.term;
}

const SUFFIX = ".snapshot-partial";
const namePattern = /^([0-9a-f]{2,128})-(\d{1,16})-(\d{1,16})\.snapshot-partial$/;

/** Node ids may hold ':' and '.'; hex keeps every file name portable. */
export function partialFileName(key: PartialKey): string {
  const peer = Buffer.from(key.peer, "utf8").toString("hex");
  return `${peer}-${key.index}-${key.term}${SUFFIX}`;
}

export function parsePartialFileName(name: string): PartialKey | null {
  const match = namePattern.exec(name);
  if (match === null) return null;
  const [, hex = "", index = "", term = ""] = match;
  const peer = Buffer.from(hex, "hex").toString("utf8");
  if (!isNodeId(peer)) return null;
  const [i, t] = [Number(index), Number(term)];
  if (!Number.isSafeInteger(i) || !Number.isSafeInteger(t)) return null;
  return { peer, index: i as LogIndex, term: t as Term };
}

export interface FoundPartial {
  readonly key: PartialKey;
  readonly path: string;
  readonly bytes: number;
}

/**
 * The partial files in `dir` still young enough to resume. Older ones, and any of our files
 * whose name does not parse, are deleted (stale leftovers of an earlier run).
 */
export async function scanPartials(dir: string, ttlMs: number, nowMs: number): Promise<{
  readonly kept: FoundPartial[];
  readonly deleted: string[];
}> {
  const kept: FoundPartial[] = [];
  const deleted: string[] = [];
  for (const name of await readdir(dir)) {
    if (!name.endsWith(SUFFIX)) continue;
    const path = join(dir, name);
    const key = parsePartialFileName(name);
    const info = await stat(path);
    const fresh = nowMs - info.mtimeMs < ttlMs && info.isFile();
    if (key !== null && fresh && !kept.some((k) => k.key.peer === key.peer)) {
      kept.push({ key, path, bytes: info.size });
    } else {
      await rm(path, { force: true });
      deleted.push(name);
    }
  }
  return { kept, deleted };
}

/** Reads are done in pieces of this size, so checking a large prefix allocates little. */
const READ_PIECE_BYTES = 1024 * 1024;

export class PartialFile {
  private constructor(readonly path: string, private readonly handle: FileHandle) {}

  /** Opens `path` for positional writes, keeping its bytes (to resume) unless `truncate`. */
  static async open(path: string, truncate: boolean): Promise<PartialFile> {
    const handle = truncate
      ? await open(path, "w+")
      : await open(path, "r+").catch((error: unknown) => {
        if (error instanceof Error && "code" in error && error.code === "ENOENT") {
          return open(path, "w+");
        }
        throw error;
      });
    return new PartialFile(path, handle);
  }

  async write(data: Uint8Array, offset: number): Promise<void> {
    let written = 0;
    while (written < data.byteLength) {
      const rest = data.subarray(written);
      const { bytesWritten } = await this.handle.write(rest, 0, rest.byteLength, offset + written);
      written += bytesWritten;
    }
  }

  /** Drops bytes beyond `bytes` (a prefix that failed its check is restarted at 0). */
  truncate(bytes: number): Promise<void> {
    return this.handle.truncate(bytes);
  }

  /** CRC32 of the first `bytes` bytes. */
  async prefixCrc(bytes: number): Promise<number> {
    const piece = new Uint8Array(Math.min(bytes, READ_PIECE_BYTES));
    let crc = 0;
    for (let at = 0; at < bytes;) {
      const want = Math.min(piece.byteLength, bytes - at);
      const { bytesRead } = await this.handle.read(piece, 0, want, at);
      if (bytesRead === 0) throw this.shortFile(at, bytes);
      crc = crc32(piece.subarray(0, bytesRead), crc);
      at += bytesRead;
    }
    return crc;
  }

  /** The first `bytes` bytes, in one buffer (the snapshot's data). */
  async readAll(bytes: number): Promise<Uint8Array> {
    const out = new Uint8Array(bytes);
    for (let at = 0; at < bytes;) {
      const { bytesRead } = await this.handle.read(out, at, bytes - at, at);
      if (bytesRead === 0) throw this.shortFile(at, bytes);
      at += bytesRead;
    }
    return out;
  }

  private shortFile(at: number, bytes: number): SnapshotTransferError {
    return new SnapshotTransferError("IO", `${this.path} ended at byte ${at} of ${bytes}`);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    return this.handle.close().catch(() => undefined);
  }

  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }
}
