/**
 * The receiver's checks on one snapshot transfer, free of I/O so they can be tested alone:
 * chunks must arrive in order (each starting where the last ended), carry a matching CRC32, and
 * stay within `snapshotBytesMax`; the end frame must announce exactly the bytes received and the
 * CRC32 of all of them. The running CRC starts from the resume point, so a resumed transfer is
 * checked end to end like a fresh one. Anything else throws, and the caller drops the transfer:
 * a truncated or corrupted snapshot is never delivered.
 */
import { crc32 } from "node:zlib";
import type { SnapshotChunk, SnapshotEnd } from "./snapshot_codec.js";
import { SnapshotTransferError } from "./snapshot_errors.js";

/** A prefix of the snapshot: its length and CRC32. */
export interface SnapshotPrefix {
  readonly offset: number;
  readonly crc: number;
}

export class SnapshotAssembler {
  private offsetBytes: number;
  private runningCrc: number;

  constructor(from: SnapshotPrefix, private readonly snapshotBytesMax: number) {
    this.offsetBytes = from.offset;
    this.runningCrc = from.crc;
  }

  /** The bytes accepted so far (including the resumed prefix) and their CRC32. */
  get prefix(): SnapshotPrefix {
    return { offset: this.offsetBytes, crc: this.runningCrc };
  }

  /**
   * Checks `chunk` and advances past it; the caller then stores `chunk.data` at `chunk.offset`.
   * @throws SnapshotTransferError (OUT_OF_ORDER, TOO_LARGE, CHUNK_CHECKSUM).
   */
  accept(chunk: SnapshotChunk): void {
    if (chunk.offset !== this.offsetBytes) {
      throw new SnapshotTransferError("OUT_OF_ORDER",
        `chunk at offset ${chunk.offset}, expected offset ${this.offsetBytes}`);
    }
    const end = chunk.offset + chunk.data.byteLength;
    if (end > this.snapshotBytesMax) {
      throw new SnapshotTransferError("TOO_LARGE",
        `transfer reached ${end} bytes, over snapshotBytesMax (${this.snapshotBytesMax})`);
    }
    if (crc32(chunk.data) !== chunk.crc) {
      throw new SnapshotTransferError("CHUNK_CHECKSUM",
        `chunk at offset ${chunk.offset} (${chunk.data.byteLength} bytes): CRC32 mismatch`);
    }
    this.runningCrc = crc32(chunk.data, this.runningCrc);
    this.offsetBytes = end;
  }

  /**
   * Checks the end frame against what was accepted; the caller then verifies the stored file.
   * @throws SnapshotTransferError (TRUNCATED if bytes are missing, WHOLE_CHECKSUM on a mismatch).
   */
  finish(end: SnapshotEnd): void {
    if (end.bytes !== this.offsetBytes) {
      throw new SnapshotTransferError("TRUNCATED",
        `end frame announces ${end.bytes} bytes, ${this.offsetBytes} were received`);
    }
    if (end.crc !== this.runningCrc) {
      throw new SnapshotTransferError("WHOLE_CHECKSUM",
        `the ${end.bytes} bytes received do not match the end frame's CRC32`);
    }
  }
}

/**
 * Checks the assembled data, as read back from its file, against the end frame.
 * @throws SnapshotTransferError (WHOLE_CHECKSUM).
 */
export function verifyWhole(data: Uint8Array, end: SnapshotEnd): void {
  if (data.byteLength !== end.bytes || crc32(data) !== end.crc) {
    throw new SnapshotTransferError("WHOLE_CHECKSUM",
      `the file read back (${data.byteLength} bytes) does not match the end frame's ` +
      `${end.bytes} bytes and CRC32`);
  }
}
