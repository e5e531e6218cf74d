/**
 * Why a snapshot transfer was dropped, as a typed error with a stable code (STYLE.md rule 10).
 * A dropped transfer never reaches the node and never closes the connection by itself: its
 * partial file is deleted and the sender is told, so the core's retry starts a fresh transfer.
 */
import { TransportError } from "./errors.js";

export type SnapshotFailureReason =
  /** A chunk's data does not match the CRC32 it carries. */
  | "CHUNK_CHECKSUM"
  /** A chunk does not start where the previous one ended. */
  | "OUT_OF_ORDER"
  /** The transfer grew beyond `snapshotBytesMax`. */
  | "TOO_LARGE"
  /** The end frame announced more bytes than were received. */
  | "TRUNCATED"
  /** The assembled file, read back, does not match the end frame's CRC32 of the whole. */
  | "WHOLE_CHECKSUM"
  /** The sender had more chunks in flight than the receiver allows. */
  | "WINDOW_EXCEEDED"
  /** Writing or reading the partial file failed. */
  | "IO"
  /** No progress within `idleTimeoutMs`. */
  | "TIMEOUT"
  /** The connection carrying it broke the protocol (garbage, a malformed or misaddressed frame). */
  | "PROTOCOL";

const reasons = new Set<string>([
  "CHUNK_CHECKSUM", "OUT_OF_ORDER", "TOO_LARGE", "TRUNCATED", "WHOLE_CHECKSUM",
  "WINDOW_EXCEEDED", "IO", "TIMEOUT", "PROTOCOL",
] satisfies SnapshotFailureReason[]);

export function isSnapshotFailureReason(value: unknown): value is SnapshotFailureReason {
  return typeof value === "string" && reasons.has(value);
}

export class SnapshotTransferError extends TransportError {
  override readonly name = "SnapshotTransferError";
  readonly code = "SNAPSHOT_TRANSFER_FAILED";
  constructor(readonly reason: SnapshotFailureReason, detail: string, options?: ErrorOptions) {
    super(`Snapshot transfer dropped (${reason}): ${detail}`, options);
  }
}
