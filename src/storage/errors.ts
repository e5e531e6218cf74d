/**
 * Typed failures of durable storage, with stable codes (STYLE.md rule 10). Callers branch on the
 * class or `code`, never on message text.
 *
 * - `WalCorruptError` / `SnapshotCorruptError`: open() found data it cannot trust. The node must
 *   not guess: Protocol-Aware Recovery (Alagappan et al., FAST'18) showed LogCabin and ZooKeeper
 *   losing acknowledged data by treating mid-log corruption as a torn tail and truncating it.
 * - `DiskFailedError`: a write or sync failed. Storage is fail-stop from then on: after a failed
 *   fsync the kernel may have dropped the dirty pages, so retrying and carrying on can silently
 *   lose acknowledged writes ("fsyncgate", PostgreSQL 2018).
 */

const OPERATOR_ADVICE =
  "Do not restart this node on the same data: remove this node's data directory and rejoin it " +
  "from its peers (it will receive a snapshot and the log from the leader).";

/** Base class of every storage failure. */
export abstract class StorageError extends Error {
  abstract readonly code: string;
}

/** A WAL segment is corrupt (or missing) at `file`, byte `offsetBytes`. */
export class WalCorruptError extends StorageError {
  override readonly name = "WalCorruptError";
  readonly code = "WAL_CORRUPT";
  constructor(
    readonly file: string,
    readonly offsetBytes: number,
    readonly reason: string,
  ) {
    super(`Cannot open WAL segment ${file}: ${reason} at offset ${offsetBytes}. ${OPERATOR_ADVICE}`);
  }
}

/** No usable snapshot: `file` is corrupt (at `offsetBytes`, when known) and nothing can replace it. */
export class SnapshotCorruptError extends StorageError {
  override readonly name = "SnapshotCorruptError";
  readonly code = "SNAPSHOT_CORRUPT";
  constructor(
    readonly file: string,
    readonly offsetBytes: number | null,
    readonly reason: string,
  ) {
    const where = offsetBytes === null ? "" : ` at offset ${offsetBytes}`;
    super(`Cannot use snapshot ${file}: ${reason}${where}. ${OPERATOR_ADVICE}`);
  }
}

/** A disk operation failed; the storage is now failed and refuses every further call. */
export class DiskFailedError extends StorageError {
  override readonly name = "DiskFailedError";
  readonly code = "DISK_FAILED";
  constructor(
    readonly operation: string,
    readonly file: string,
    override readonly cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `Disk failure: ${operation} of ${file} failed (${why}). Storage is fail-stop: the process ` +
        "must exit; nothing after this point is durable.",
    );
  }
}
