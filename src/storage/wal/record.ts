/**
 * WAL record framing and payload encodings (hand-written binary: compact and allocation-light;
 * `npm run bench:wal` compares it with msgpackr).
 *
 * Frame (16-byte header, little endian, then the payload):
 *
 *     0  u32 payloadBytes
 *     4  u8  type          5..7 zero
 *     8  u32 payloadCrc    crc32 of the payload
 *    12  u32 headerCrc     crc32 of bytes 0..12
 *
 * The header has its own checksum so a length can be trusted before the payload is read: a flipped
 * bit in a length can then never make a record in the middle of the log look like a torn tail.
 *
 * Payloads (u64 = two u32 halves, high first; values are safe integers):
 * - segmentHeader: u64 seq, u64 baseIndex, u64 baseTerm, hardState. First record of every segment:
 *   the log position the segment continues from and the hard state at that point, so old
 *   segments can be deleted without losing the hard state (etcd writes the same at each cut).
 * - entry:         u64 index, u64 term, u8 kind, data...
 * - hardState:     u64 term, u64 commit, u8 voteBytes, vote (UTF-8; 0 bytes = no vote)
 * - snapshotInstall: u64 index, u64 term. The log was replaced by the snapshot at (index, term),
 *   whose file was durable before this record was written.
 */
import { crc32 } from "node:zlib";
import type { Entry, EntryKind, HardState } from "../../core/messages.js";
import {
  assert, assertNever, isNodeId, logIndex, nodeId, term, type LogIndex, type Term,
} from "../../core/types.js";

export const FRAME_HEADER_BYTES = 16;

const TYPE_SEGMENT_HEADER = 1;
const TYPE_ENTRY = 2;
const TYPE_HARD_STATE = 3;
const TYPE_SNAPSHOT_INSTALL = 4;

const KIND_CODES: Record<EntryKind, number> = { normal: 0, noop: 1, config: 2 };
const KINDS: readonly EntryKind[] = ["normal", "noop", "config"];
const TWO_32 = 0x1_0000_0000;
/** The NodeId rule of core/types.ts, checked here so bad bytes are corruption, not a bug. */

export interface SegmentHeader {
  readonly seq: number;
  readonly baseIndex: LogIndex;
  readonly baseTerm: Term;
  readonly hardState: HardState;
}

export type WalRecord =
  | { readonly type: "segmentHeader"; readonly header: SegmentHeader }
  | { readonly type: "entry"; readonly entry: Entry }
  | { readonly type: "hardState"; readonly hardState: HardState }
  | { readonly type: "snapshotInstall"; readonly index: LogIndex; readonly term: Term };

/** A record whose checksums hold but whose payload does not parse: always corruption or a bug. */
export class MalformedRecordError extends Error {
  override readonly name = "MalformedRecordError";
}

/** Encodes one record, frame included. */
export function encodeRecord(record: WalRecord): Uint8Array {
  return encodeRecords([record]);
}

/**
 * Encodes records back to back into ONE buffer (one allocation per save: small typed arrays
 * are expensive to allocate one by one, and the buffer is written with a single write call).
 */
export function encodeRecords(records: readonly WalRecord[]): Uint8Array {
  const votes = records.map(recordVoteBytes);
  let totalBytes = 0;
  for (const [i, record] of records.entries()) totalBytes += FRAME_HEADER_BYTES + payloadBytes(record, votes[i] ?? null);
  // A pooled allocation; every byte is written below.
  const buf = Buffer.allocUnsafe(totalBytes);
  const w = new Writer(buf);
  for (const [i, record] of records.entries()) {
    const start = w.begin();
    writePayload(w, record, votes[i] ?? null);
    w.end(start, TYPE_CODES[record.type]);
  }
  assert(w.position() === totalBytes, "record sizes miscomputed");
  return buf;
}

const TYPE_CODES: Record<WalRecord["type"], number> = {
  segmentHeader: TYPE_SEGMENT_HEADER,
  entry: TYPE_ENTRY,
  hardState: TYPE_HARD_STATE,
  snapshotInstall: TYPE_SNAPSHOT_INSTALL,
};

function payloadBytes(record: WalRecord, vote: Uint8Array | null): number {
  switch (record.type) {
    case "segmentHeader":
      return 24 + 17 + (vote?.byteLength ?? 0);
    case "entry":
      return 17 + record.entry.data.byteLength;
    case "hardState":
      return 17 + (vote?.byteLength ?? 0);
    case "snapshotInstall":
      return 16;
    default:
      return assertNever(record, "WAL record");
  }
}

function writePayload(w: Writer, record: WalRecord, vote: Uint8Array | null): void {
  switch (record.type) {
    case "segmentHeader": {
      const { seq, baseIndex, baseTerm, hardState } = record.header;
      w.u64(seq).u64(baseIndex).u64(baseTerm);
      writeHardState(w, hardState, vote ?? new Uint8Array(0));
      return;
    }
    case "entry": {
      const { entry } = record;
      w.u64(entry.index).u64(entry.term).u8(KIND_CODES[entry.kind]).bytes(entry.data);
      return;
    }
    case "hardState":
      writeHardState(w, record.hardState, vote ?? new Uint8Array(0));
      return;
    case "snapshotInstall":
      w.u64(record.index).u64(record.term);
      return;
    default:
      assertNever(record, "WAL record");
  }
}

export type FrameCheck =
  | { readonly ok: true; readonly type: number; readonly payload: Uint8Array; readonly end: number }
  | { readonly ok: false; readonly reason: string };

/** Checks the frame at `offset` of `bytes` (length and both checksums); never throws. */
export function checkFrame(bytes: Uint8Array, offset: number, payloadBytesMax: number): FrameCheck {
  if (bytes.byteLength - offset < FRAME_HEADER_BYTES) {
    return { ok: false, reason: "record header cut short" };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, FRAME_HEADER_BYTES);
  const header = bytes.subarray(offset, offset + 12);
  if (crc32(header) !== view.getUint32(12, true)) {
    return { ok: false, reason: "record header checksum mismatch" };
  }
  const payloadBytes = view.getUint32(0, true);
  if (payloadBytes > payloadBytesMax) {
    return { ok: false, reason: `record length ${payloadBytes} exceeds ${payloadBytesMax}` };
  }
  const start = offset + FRAME_HEADER_BYTES;
  const end = start + payloadBytes;
  if (end > bytes.byteLength) return { ok: false, reason: "record payload cut short" };
  const payload = bytes.subarray(start, end);
  if (crc32(payload) !== view.getUint32(8, true)) {
    return { ok: false, reason: "record payload checksum mismatch" };
  }
  return { ok: true, type: view.getUint8(4), payload, end };
}

/**
 * Decodes a checked payload. Entry data is copied so the segment's buffer can be freed.
 * @throws MalformedRecordError if the payload does not parse.
 */
export function decodeRecord(type: number, payload: Uint8Array): WalRecord {
  const r = new Reader(payload);
  let record: WalRecord;
  switch (type) {
    case TYPE_SEGMENT_HEADER: {
      const seq = r.u64();
      const baseIndex = logIndex(r.u64());
      const baseTerm = term(r.u64());
      record = { type: "segmentHeader", header: { seq, baseIndex, baseTerm, hardState: readHardState(r) } };
      break;
    }
    case TYPE_ENTRY: {
      const index = logIndex(r.u64());
      const entryTerm = term(r.u64());
      const kind = KINDS[r.u8()];
      if (kind === undefined) throw new MalformedRecordError("unknown entry kind");
      record = { type: "entry", entry: { index, term: entryTerm, kind, data: new Uint8Array(r.rest()) } };
      break;
    }
    case TYPE_HARD_STATE:
      record = { type: "hardState", hardState: readHardState(r) };
      break;
    case TYPE_SNAPSHOT_INSTALL:
      record = { type: "snapshotInstall", index: logIndex(r.u64()), term: term(r.u64()) };
      break;
    default:
      throw new MalformedRecordError(`unknown record type ${type}`);
  }
  r.assertDone();
  return record;
}

function recordVoteBytes(record: WalRecord): Uint8Array | null {
  if (record.type === "hardState") return voteBytes(record.hardState);
  if (record.type === "segmentHeader") return voteBytes(record.header.hardState);
  return null;
}

function voteBytes(hardState: HardState): Uint8Array {
  return hardState.vote === null ? new Uint8Array(0) : new TextEncoder().encode(hardState.vote);
}

function writeHardState(w: Writer, hardState: HardState, vote: Uint8Array): void {
  w.u64(hardState.term).u64(hardState.commit).u8(vote.byteLength).bytes(vote);
}

function readHardState(r: Reader): HardState {
  const hsTerm = term(r.u64());
  const commit = logIndex(r.u64());
  const voteLength = r.u8();
  if (voteLength === 0) return { term: hsTerm, vote: null, commit };
  const vote = new TextDecoder().decode(r.take(voteLength));
  if (!isNodeId(vote)) throw new MalformedRecordError("vote is not a valid node id");
  return { term: hsTerm, vote: nodeId(vote), commit };
}

class Writer {
  private readonly view: DataView;
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  position(): number {
    return this.pos;
  }

  /** Leaves room for a frame header; returns where the record starts. */
  begin(): number {
    const start = this.pos;
    this.pos += FRAME_HEADER_BYTES;
    return start;
  }

  /** Fills in the frame header of the record that started at `start`. */
  end(start: number, type: number): void {
    const payloadStart = start + FRAME_HEADER_BYTES;
    this.view.setUint32(start, this.pos - payloadStart, true);
    this.view.setUint32(start + 4, type, true); // type, then three zero bytes
    this.view.setUint32(start + 8, crc32(this.buf.subarray(payloadStart, this.pos)), true);
    this.view.setUint32(start + 12, crc32(this.buf.subarray(start, start + 12)), true);
  }

  u8(value: number): this {
    this.view.setUint8(this.pos, value);
    this.pos += 1;
    return this;
  }

  u64(value: number): this {
    this.view.setUint32(this.pos, Math.floor(value / TWO_32));
    this.view.setUint32(this.pos + 4, value >>> 0);
    this.pos += 8;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.buf.set(data, this.pos);
    this.pos += data.byteLength;
    return this;
  }
}

class Reader {
  private readonly view: DataView;
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.byteLength) throw new MalformedRecordError("payload too short");
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  u64(): number {
    this.need(8);
    const value = this.view.getUint32(this.pos) * TWO_32 + this.view.getUint32(this.pos + 4);
    this.pos += 8;
    if (!Number.isSafeInteger(value)) throw new MalformedRecordError("integer out of range");
    return value;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  rest(): Uint8Array {
    return this.take(this.buf.byteLength - this.pos);
  }

  assertDone(): void {
    if (this.pos !== this.buf.byteLength) throw new MalformedRecordError("trailing bytes in payload");
  }
}
