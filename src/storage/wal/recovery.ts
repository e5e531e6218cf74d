/**
 * WAL replay on open: read every retained segment in order, verify every checksum, and rebuild
 * the log and hard state the records describe.
 *
 * Checks beyond the checksums (each failure is `WalCorruptError` with file and offset):
 * - sequence numbers of the retained segments are consecutive (a missing segment);
 * - each segment starts with its header, whose sequence number matches its name, and whose base
 *   (the log's last index and term when it was cut) continues the log replayed so far;
 * - every entry continues the log (no gaps) and never rewrites the position the replay started
 *   from (that would rewrite compacted, committed entries).
 * The last segment may end in a torn record (see segment.ts); the caller truncates it.
 */
import type { HardState } from "../../core/messages.js";
import { assertNever, type LogIndex, type Term } from "../../core/types.js";
import { EntryLog } from "../entry_log.js";
import { WalCorruptError } from "../errors.js";
import type { WalRecord } from "./record.js";
import { scanSegment, segmentFileName, type TornTail } from "./segment.js";

export interface SegmentInfo {
  readonly seq: number;
  readonly name: string;
  /** The log's last index when this segment was started. */
  readonly baseIndex: LogIndex;
}

export type WalReplayResult =
  | WalReplay
  /** The only segment held no complete header: a crash right after a new directory's creation. */
  | { readonly kind: "empty"; readonly file: string; readonly torn: TornTail | null };

export interface WalReplay {
  readonly kind: "log";
  readonly hardState: HardState;
  readonly log: EntryLog;
  /** Segments holding a header, oldest first. */
  readonly segments: readonly SegmentInfo[];
  readonly torn: TornTail | null;
  /** Bytes of the last segment to keep (set when it ends in a torn record). */
  readonly lastValidBytes: number;
  /** The last segment, when it held no complete header (a crash right after it was created). */
  readonly emptyLastSegment: string | null;
  readonly entriesRead: number;
}

/**
 * Replays segments (already sorted by sequence number, at least one).
 * @throws WalCorruptError on any checksum failure, gap or inconsistency outside a torn tail.
 */
export async function replayWal(
  files: readonly { seq: number; name: string }[],
  options: { readFile: (name: string) => Promise<Uint8Array>; payloadBytesMax: number },
): Promise<WalReplayResult> {
  let state: { hardState: HardState; log: EntryLog } | null = null;
  const segments: SegmentInfo[] = [];
  let torn: TornTail | null = null;
  let lastValidBytes = 0;
  let emptyLastSegment: string | null = null;
  let entriesRead = 0;
  for (const [i, file] of files.entries()) {
    const previous = files[i - 1];
    if (previous !== undefined && file.seq !== previous.seq + 1) {
      throw new WalCorruptError(segmentFileName(previous.seq + 1), 0, "segment file missing");
    }
    const isLast = i === files.length - 1;
    const bytes = await options.readFile(file.name);
    const scan = scanSegment(file.name, bytes, { isLast, payloadBytesMax: options.payloadBytesMax });
    if (isLast) {
      torn = scan.torn;
      lastValidBytes = scan.validBytes;
      if (scan.records.length === 0) {
        emptyLastSegment = file.name;
        break;
      }
    }
    for (const [r, { record, offsetBytes }] of scan.records.entries()) {
      const where = { file: file.name, offsetBytes };
      if (r === 0) {
        state = applyHeader(state, record, file.seq, where);
        segments.push({ seq: file.seq, name: file.name, baseIndex: state.log.lastIndex() });
        continue;
      }
      if (state === null) throw new WalCorruptError(file.name, offsetBytes, "record before any segment header");
      if (record.type === "entry") entriesRead++;
      state.hardState = applyRecord(state.log, state.hardState, record, where);
    }
  }
  if (state === null) {
    const first = files[0];
    if (files.length === 1 && first !== undefined && emptyLastSegment !== null) {
      return { kind: "empty", file: first.name, torn };
    }
    throw new WalCorruptError(first === undefined ? "(none)" : first.name, 0, "no segment holds a header");
  }
  return { kind: "log", ...state, segments, torn, lastValidBytes, emptyLastSegment, entriesRead };
}

interface Where {
  readonly file: string;
  readonly offsetBytes: number;
}

function applyHeader(
  state: { hardState: HardState; log: EntryLog } | null,
  record: WalRecord,
  seq: number,
  where: Where,
): { hardState: HardState; log: EntryLog } {
  if (record.type !== "segmentHeader") throw corrupt(where, `segment starts with a ${record.type} record`);
  const { header } = record;
  if (header.seq !== seq) throw corrupt(where, `segment header names sequence ${header.seq}`);
  if (state === null) return { hardState: header.hardState, log: new EntryLog(header.baseIndex, header.baseTerm) };
  const last = state.log.lastIndex();
  const lastTerm = state.log.term(last);
  if (header.baseIndex !== last || header.baseTerm !== lastTerm) {
    throw corrupt(
      where,
      `segment continues from index ${header.baseIndex} term ${header.baseTerm} but the log ` +
        `before it ends at index ${last} term ${lastTerm}`,
    );
  }
  return { hardState: header.hardState, log: state.log };
}

function applyRecord(log: EntryLog, hardState: HardState, record: WalRecord, where: Where): HardState {
  switch (record.type) {
    case "segmentHeader":
      throw corrupt(where, "segment header in the middle of a segment");
    case "entry": {
      const { index } = record.entry;
      if (index <= log.offset()) {
        throw corrupt(where, `entry ${index} rewrites the log before its start at ${log.offset()}`);
      }
      if (index > log.lastIndex() + 1) {
        throw corrupt(where, `entry ${index} leaves a gap after index ${log.lastIndex()}`);
      }
      log.append([record.entry]);
      return hardState;
    }
    case "hardState":
      return record.hardState;
    case "snapshotInstall":
      log.reset(record.index, record.term);
      return hardState;
    default:
      return assertNever(record, "WAL record");
  }
}

function corrupt(where: Where, reason: string): WalCorruptError {
  return new WalCorruptError(where.file, where.offsetBytes, reason);
}

/** The log's last position, as the next segment header must record it. */
export function logEnd(log: EntryLog): { index: LogIndex; term: Term } {
  const index = log.lastIndex();
  return { index, term: log.term(index) };
}
