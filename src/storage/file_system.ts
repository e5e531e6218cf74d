/**
 * The file operations storage uses, as a small interface over node:fs/promises so tests can fail
 * one specific call (an fdatasync, a rename) and check that storage stops (fail-stop).
 * Every path is absolute; directory syncs are explicit because a created, renamed or deleted file
 * is only durable once its directory is fsynced (etcd#6368 lost a renamed WAL file that way).
 */
import { fdatasync, writeSync } from "node:fs";
import * as fsp from "node:fs/promises";

/** An open file. Writes go to the current position (the end, for files made by `create`). */
export interface FileHandle {
  /** Writes some prefix of `data`; returns how many bytes were written. */
  write(data: Uint8Array): Promise<number>;
  /** fdatasync(2): file data and the metadata needed to read it (its size) are durable. */
  datasync(): Promise<void>;
  /**
   * Optional fast path for the WAL's hot loop: `write` all of `data`, then `datasync`, with the
   * same guarantee (resolves only once the bytes are durable), in one trip to the thread pool
   * instead of two (docs/performance.md). Handles without it get the two calls.
   */
  appendDurable?(data: Uint8Array): Promise<void>;
  /** fsync(2). */
  sync(): Promise<void>;
  truncate(lengthBytes: number): Promise<void>;
  close(): Promise<void>;
}

export interface FileSystem {
  /** Creates a new file (O_CREAT|O_EXCL, so it never clobbers) open for appending. */
  create(path: string): Promise<FileHandle>;
  /** Opens an existing file for reading and writing (used to truncate a torn tail). */
  openExisting(path: string): Promise<FileHandle>;
  readFile(path: string): Promise<Uint8Array>;
  readdir(path: string): Promise<string[]>;
  /** Creates the directory and any missing parents; no error if it exists. */
  mkdir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** fsync(2) of a directory, making creates, renames and deletes in it durable. */
  syncDir(path: string): Promise<void>;
}

class NodeFileHandle implements FileHandle {
  constructor(private readonly handle: fsp.FileHandle) {}

  async write(data: Uint8Array): Promise<number> {
    const { bytesWritten } = await this.handle.write(data, 0, data.byteLength, null);
    return bytesWritten;
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  /**
   * The write goes to the page cache on the calling thread (microseconds for a WAL round, which
   * is one Ready's entries), and only the fdatasync waits in the thread pool.
   */
  appendDurable(data: Uint8Array): Promise<void> {
    const fd = this.handle.fd;
    return new Promise<void>((resolve, reject) => {
      try {
        let offset = 0;
        while (offset < data.byteLength) {
          const written = writeSync(fd, data, offset, data.byteLength - offset, null);
          if (written <= 0) throw new Error(`write made no progress at byte ${offset} of ${data.byteLength}`);
          offset += written;
        }
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      fdatasync(fd, (error) => {
        if (error === null) resolve();
        else reject(error);
      });
    });
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  truncate(lengthBytes: number): Promise<void> {
    return this.handle.truncate(lengthBytes);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** The real file system. */
export const nodeFileSystem: FileSystem = {
  async create(path) {
    return new NodeFileHandle(await fsp.open(path, "wx"));
  },
  async openExisting(path) {
    return new NodeFileHandle(await fsp.open(path, "r+"));
  },
  readFile(path) {
    return fsp.readFile(path);
  },
  readdir(path) {
    return fsp.readdir(path);
  },
  async mkdir(path) {
    await fsp.mkdir(path, { recursive: true });
  },
  rename(from, to) {
    return fsp.rename(from, to);
  },
  unlink(path) {
    return fsp.unlink(path);
  },
  async syncDir(path) {
    const handle = await fsp.open(path, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/** Writes all of `data`, looping over short writes. */
export async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) {
    const written = await handle.write(data.subarray(offset));
    if (written <= 0) throw new Error(`write made no progress at byte ${offset} of ${data.byteLength}`);
    offset += written;
  }
}
