/**
 * A FileSystem wrapper for tests and benchmarks: counts every operation and can make a chosen
 * one fail (EIO, ENOSPC) to check that storage is fail-stop, or make every fsync slow (a gray
 * failure: the disk works, late).
 */
import type { FileHandle, FileSystem } from "./file_system.js";

export type FileOperation =
  | "create"
  | "openExisting"
  | "readFile"
  | "readdir"
  | "mkdir"
  | "rename"
  | "unlink"
  | "syncDir"
  | "write"
  | "datasync"
  | "sync"
  | "truncate";

export interface InjectedFault {
  readonly operation: FileOperation;
  /** Fails the `nth` matching call from now on (1 = the next one). */
  readonly nth?: number;
  /** Only calls on a path containing this string match. */
  readonly pathIncludes?: string;
  readonly code: "EIO" | "ENOSPC";
}

export class InstrumentedFileSystem implements FileSystem {
  readonly counts = new Map<FileOperation, number>();
  private fault: (InjectedFault & { remaining: number }) | null = null;
  /** Added before every datasync and sync completes (0: none); change it at any time. */
  syncDelayMs = 0;

  constructor(private readonly inner: FileSystem) {}

  /** Arms one fault; it fires once. */
  injectFault(fault: InjectedFault): void {
    this.fault = { ...fault, remaining: fault.nth ?? 1 };
  }

  count(operation: FileOperation): number {
    return this.counts.get(operation) ?? 0;
  }

  /** Counts the call and throws if it is the armed fault. */
  private enter(operation: FileOperation, path: string): void {
    this.counts.set(operation, this.count(operation) + 1);
    const fault = this.fault;
    if (fault?.operation !== operation) return;
    if (fault.pathIncludes !== undefined && !path.includes(fault.pathIncludes)) return;
    fault.remaining--;
    if (fault.remaining > 0) return;
    this.fault = null;
    throw Object.assign(new Error(`${fault.code}: injected ${operation} failure on ${path}`), { code: fault.code });
  }

  async create(path: string): Promise<FileHandle> {
    this.enter("create", path);
    return this.wrap(path, await this.inner.create(path));
  }

  async openExisting(path: string): Promise<FileHandle> {
    this.enter("openExisting", path);
    return this.wrap(path, await this.inner.openExisting(path));
  }

  readFile(path: string): Promise<Uint8Array> {
    this.enter("readFile", path);
    return this.inner.readFile(path);
  }

  readdir(path: string): Promise<string[]> {
    this.enter("readdir", path);
    return this.inner.readdir(path);
  }

  mkdir(path: string): Promise<void> {
    this.enter("mkdir", path);
    return this.inner.mkdir(path);
  }

  rename(from: string, to: string): Promise<void> {
    this.enter("rename", from);
    return this.inner.rename(from, to);
  }

  unlink(path: string): Promise<void> {
    this.enter("unlink", path);
    return this.inner.unlink(path);
  }

  syncDir(path: string): Promise<void> {
    this.enter("syncDir", path);
    return this.inner.syncDir(path);
  }

  private async delaySync(): Promise<void> {
    const delayMs = this.syncDelayMs;
    if (delayMs > 0) await new Promise((resolve) => { setTimeout(resolve, delayMs); });
  }

  private wrap(path: string, handle: FileHandle): FileHandle {
    return {
      write: async (data) => {
        this.enter("write", path);
        return handle.write(data);
      },
      datasync: async () => {
        this.enter("datasync", path);
        await handle.datasync();
        await this.delaySync();
      },
      sync: async () => {
        this.enter("sync", path);
        await handle.sync();
        await this.delaySync();
      },
      truncate: async (lengthBytes) => {
        this.enter("truncate", path);
        await handle.truncate(lengthBytes);
      },
      close: () => handle.close(),
    };
  }
}
