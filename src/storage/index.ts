/** The public surface of the storage layer. */
export type { SaveBatch, StableStorage } from "./stable_storage.js";
export { MemoryStorage } from "./memory_storage.js";
export { DiskStorage } from "./disk_storage.js";
export type { RecoveryReport } from "./disk_recovery.js";
export {
  DEFAULT_DISK_STORAGE_OPTIONS,
  resolveDiskStorageOptions,
  shouldSnapshot,
  type DiskStorageOptions,
  type SnapshotProgress,
} from "./options.js";
export { DiskFailedError, SnapshotCorruptError, StorageError, WalCorruptError } from "./errors.js";
export { nodeFileSystem, type FileHandle, type FileSystem } from "./file_system.js";
export type { TornTail } from "./wal/segment.js";
