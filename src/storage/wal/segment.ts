/**
 * One WAL segment file: its name, and the scan that checks every record in it.
 *
 * Segments are named `<seq>.wal` with a 16-digit zero-padded sequence number; sequence numbers of
 * the retained segments are consecutive, so a missing segment in the middle is detected.
 *
 * The torn-tail rule (Protocol-Aware Recovery, FAST'18: never mistake corruption for a torn
 * write). Only the last segment may end in a bad record, and only if no valid record follows it:
 * a crash during the final write can leave a short header, a short payload, a complete-length
 * record whose bytes did not all reach the disk, or zeros. A bad record followed by any valid
 * record is corruption, and so is a bad record in any earlier segment: those records were synced
 * before the next segment was created, so they may have been acknowledged.
 */
import { WalCorruptError } from "../errors.js";
import { checkFrame, decodeRecord, MalformedRecordError, type WalRecord } from "./record.js";

const SEQ_DIGITS = 16;
const NAME_PATTERN = /^(\d{16})\.wal$/;

export function segmentFileName(seq: number): string {
  return `${String(seq).padStart(SEQ_DIGITS, "0")}.wal`;
}

/** The sequence number of a segment file name, or null if `name` is not one. */
export function parseSegmentFileName(name: string): number | null {
  const match = NAME_PATTERN.exec(name);
  return match?.[1] === undefined ? null : Number(match[1]);
}

export interface ScannedRecord {
  readonly record: WalRecord;
  readonly offsetBytes: number;
}

export interface TornTail {
  readonly file: string;
  readonly offsetBytes: number;
  readonly cutBytes: number;
  readonly reason: string;
}

export interface SegmentScan {
  readonly records: readonly ScannedRecord[];
  /** Bytes up to the end of the last valid record. */
  readonly validBytes: number;
  /** Set when the scan stopped at a torn tail (last segment only). */
  readonly torn: TornTail | null;
}

/**
 * Checks and decodes every record of one segment.
 * @throws WalCorruptError naming `file` and the offset of the first bad record.
 */
export function scanSegment(
  file: string,
  bytes: Uint8Array,
  options: { isLast: boolean; payloadBytesMax: number },
): SegmentScan {
  const records: ScannedRecord[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    const frame = checkFrame(bytes, offset, options.payloadBytesMax);
    if (!frame.ok) {
      if (!options.isLast) throw new WalCorruptError(file, offset, frame.reason);
      const next = findValidRecordAfter(bytes, offset + 1, options.payloadBytesMax);
      if (next !== null) {
        throw new WalCorruptError(file, offset, `${frame.reason}, followed by a valid record at ${next}`);
      }
      const reason = isZero(bytes, offset) ? "zero-filled tail" : frame.reason;
      const cutBytes = bytes.byteLength - offset;
      return { records, validBytes: offset, torn: { file, offsetBytes: offset, cutBytes, reason } };
    }
    try {
      records.push({ record: decodeRecord(frame.type, frame.payload), offsetBytes: offset });
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      throw new WalCorruptError(file, offset, `malformed record (${error.message})`);
    }
    offset = frame.end;
  }
  return { records, validBytes: offset, torn: null };
}

/**
 * The offset of the first complete, checksummed record starting at or after `from`, or null.
 * Only runs on the failure path; zeros (preallocated or unwritten space) are skipped fast.
 */
function findValidRecordAfter(bytes: Uint8Array, from: number, payloadBytesMax: number): number | null {
  for (let offset = from; offset < bytes.byteLength; offset++) {
    if (bytes[offset + 4] === 0) continue; // every record type is non-zero
    if (checkFrame(bytes, offset, payloadBytesMax).ok) return offset;
  }
  return null;
}

function isZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.byteLength; i++) if (bytes[i] !== 0) return false;
  return true;
}
