/**
 * DiskStorage's options in one validated object (STYLE.md rule 11), and the snapshot policy the
 * runtime asks before taking a snapshot.
 */
import { ConfigError } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import type { ConfState } from "../core/messages.js";
import { nodeFileSystem, type FileSystem } from "./file_system.js";


export interface DiskStorageOptions {
  /** Membership of a new cluster; used only when the directory holds no data yet. */
  readonly confState?: ConfState;
  /** A segment is cut once it reaches this size (so it exceeds it by at most one save batch). */
  readonly segmentBytesMax?: number;
  /** Upper bound on one WAL record (an entry's data plus 33 bytes of framing). */
  readonly recordBytesMax?: number;
  /** `shouldSnapshot` says yes once this many entries were applied since the last snapshot... */
  readonly snapshotEntriesMin?: number;
  /** ...or once this many entry bytes (see `entrySizeBytes`) were. */
  readonly snapshotBytesMin?: number;
  readonly fs?: FileSystem;
  /** Receives what recovery did (a torn tail cut, a corrupt snapshot skipped, ...). */
  readonly logger?: Logger;
}

export interface ResolvedDiskStorageOptions {
  readonly confState: ConfState | null;
  readonly segmentBytesMax: number;
  readonly recordBytesMax: number;
  readonly snapshotEntriesMin: number;
  readonly snapshotBytesMin: number;
  readonly fs: FileSystem;
  readonly logger: Logger;
}

export const DEFAULT_DISK_STORAGE_OPTIONS = {
  segmentBytesMax: 64 * 1024 * 1024,
  recordBytesMax: 64 * 1024 * 1024,
  snapshotEntriesMin: 100_000,
  snapshotBytesMin: 64 * 1024 * 1024,
} as const;

const SEGMENT_BYTES_MIN = 1024;
/** Records are framed with a u32 length. */
const RECORD_BYTES_LIMIT = 0xffff_ffff;

/** @throws ConfigError naming the first invalid field. */
export function resolveDiskStorageOptions(options: DiskStorageOptions): ResolvedDiskStorageOptions {
  const resolved: ResolvedDiskStorageOptions = {
    confState: options.confState ?? null,
    segmentBytesMax: options.segmentBytesMax ?? DEFAULT_DISK_STORAGE_OPTIONS.segmentBytesMax,
    recordBytesMax: options.recordBytesMax ?? DEFAULT_DISK_STORAGE_OPTIONS.recordBytesMax,
    snapshotEntriesMin: options.snapshotEntriesMin ?? DEFAULT_DISK_STORAGE_OPTIONS.snapshotEntriesMin,
    snapshotBytesMin: options.snapshotBytesMin ?? DEFAULT_DISK_STORAGE_OPTIONS.snapshotBytesMin,
    fs: options.fs ?? nodeFileSystem,
    logger: options.logger ?? silentLogger,
  };
  positiveInteger("segmentBytesMax", resolved.segmentBytesMax);
  positiveInteger("recordBytesMax", resolved.recordBytesMax);
  positiveInteger("snapshotEntriesMin", resolved.snapshotEntriesMin);
  positiveInteger("snapshotBytesMin", resolved.snapshotBytesMin);
  if (resolved.segmentBytesMax < SEGMENT_BYTES_MIN) {
    throw new ConfigError("segmentBytesMax", `must be at least ${SEGMENT_BYTES_MIN}`);
  }
  if (resolved.recordBytesMax > RECORD_BYTES_LIMIT) {
    throw new ConfigError("recordBytesMax", `must be at most ${RECORD_BYTES_LIMIT}`);
  }
  return resolved;
}

function positiveInteger(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

/** What has accumulated since the last snapshot. */
export interface SnapshotProgress {
  readonly entriesSinceSnapshot: number;
  readonly bytesSinceSnapshot: number;
}

/** True when the runtime should take a snapshot: either threshold has been reached. */
export function shouldSnapshot(
  progress: SnapshotProgress,
  policy: { readonly snapshotEntriesMin: number; readonly snapshotBytesMin: number },
): boolean {
  return (
    progress.entriesSinceSnapshot >= policy.snapshotEntriesMin ||
    progress.bytesSinceSnapshot >= policy.snapshotBytesMin
  );
}
