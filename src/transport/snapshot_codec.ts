/**
 * The wire format of snapshot streaming. Frames share the peer connection's framing (frame.ts)
 * and msgpack encoding with Raft messages, told apart by their `type`:
 *
 *   sender -> receiver (on the sender's outbound connection, between ordinary messages)
 *     SnapshotStart  { id, from, to, term, metadata, resume }  opens attempt `id` of a transfer
 *     SnapshotChunk  { id, offset, crc, data }                 crc = CRC32 of data
 *     SnapshotEnd    { id, bytes, crc }                        crc = CRC32 of all `bytes` bytes
 *     SnapshotAbort  { id, reason }                            the sender ends attempt `id`
 *   receiver -> sender (written back on that same connection)
 *     SnapshotAck    { id, offset, crc, done }  offset = bytes stored, crc = CRC32 of them;
 *                    the first answers Start with the resume point, `done` follows delivery
 *     SnapshotReject { id, reason }             the receiver dropped the transfer (and its file)
 *
 * No size is announced up front: the receiver learns it from the end frame. `id` names one
 * attempt on one connection, so frames of an older attempt still queued are ignored.
 */
import type { InstallSnapshot, NodeId, SnapshotMetadata, Term } from "../core/index.js";
import { assertNever } from "../core/index.js";
import { MessageDecodeError } from "./errors.js";
import {
  boolField, confStateValue, count, decodeMessage, field, type Fields, indexField, nodeIdValue,
  record, stringField, termField,
} from "./message_codec.js";
import { packValue } from "./msgpack.js";
import { isSnapshotFailureReason, type SnapshotFailureReason } from "./snapshot_errors.js";

export interface SnapshotStart {
  readonly type: "SnapshotStart";
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  /** The InstallSnapshot's term, delivered with it. */
  readonly term: Term;
  readonly metadata: SnapshotMetadata;
  /** Whether the receiver may continue a partial file of the same snapshot from this sender. */
  readonly resume: boolean;
}
export interface SnapshotChunk {
  readonly type: "SnapshotChunk";
  readonly id: number;
  readonly offset: number;
  readonly crc: number;
  readonly data: Uint8Array;
}
export interface SnapshotEnd {
  readonly type: "SnapshotEnd";
  readonly id: number;
  readonly bytes: number;
  readonly crc: number;
}
export interface SnapshotAbort {
  readonly type: "SnapshotAbort";
  readonly id: number;
  readonly reason: string;
}
export type SnapshotSenderFrame = SnapshotStart | SnapshotChunk | SnapshotEnd | SnapshotAbort;

export interface SnapshotAck {
  readonly type: "SnapshotAck";
  readonly id: number;
  readonly offset: number;
  readonly crc: number;
  readonly done: boolean;
}
export interface SnapshotReject {
  readonly type: "SnapshotReject";
  readonly id: number;
  readonly reason: SnapshotFailureReason;
}
export type SnapshotReceiverFrame = SnapshotAck | SnapshotReject;

export function encodeSnapshotFrame(
  frame: SnapshotSenderFrame | SnapshotReceiverFrame,
): Uint8Array {
  return packValue(frame);
}

/** The transfer's InstallSnapshot, once all of its data is assembled. */
export function installSnapshotOf(start: SnapshotStart, data: Uint8Array): InstallSnapshot {
  const { from, to, term, metadata } = start;
  return { type: "InstallSnapshot", from, to, term, snapshot: { metadata, data } };
}

const senderTypes = new Set(["SnapshotStart", "SnapshotChunk", "SnapshotEnd", "SnapshotAbort"]);

function crcField(f: Fields, key: string): number {
  const value = count(f, key, "");
  if (value > 0xffff_ffff) throw new MessageDecodeError(key, "expected a uint32 CRC");
  return value;
}

function chunkData(f: Fields): Uint8Array {
  const value = field(f, "data");
  if (!(value instanceof Uint8Array)) throw new MessageDecodeError("data", "expected bytes");
  return value; // written out and dropped at once: no copy needed
}

function metadataValue(value: unknown): SnapshotMetadata {
  const meta = record(value, "metadata");
  return {
    index: indexField(meta, "index", "metadata"),
    term: termField(meta, "term", "metadata"),
    confState: confStateValue(field(meta, "confState"), "metadata.confState"),
  };
}

function senderFrame(type: SnapshotSenderFrame["type"], f: Fields): SnapshotSenderFrame {
  const id = count(f, "id", "");
  switch (type) {
    case "SnapshotStart":
      return {
        type, id,
        from: nodeIdValue(field(f, "from"), "from"),
        to: nodeIdValue(field(f, "to"), "to"),
        term: termField(f, "term", ""),
        metadata: metadataValue(field(f, "metadata")),
        resume: boolField(f, "resume", ""),
      };
    case "SnapshotChunk":
      return {
        type, id, offset: count(f, "offset", ""), crc: crcField(f, "crc"), data: chunkData(f),
      };
    case "SnapshotEnd":
      return { type, id, bytes: count(f, "bytes", ""), crc: crcField(f, "crc") };
    case "SnapshotAbort":
      return { type, id, reason: stringField(f, "reason", "").slice(0, 200) };
    default:
      return assertNever(type, "snapshot frame type");
  }
}

/** What an inbound connection may carry once authenticated. */
export type InboundFrame =
  | { readonly kind: "message"; readonly message: ReturnType<typeof decodeMessage> }
  | { readonly kind: "snapshot"; readonly frame: SnapshotSenderFrame };

/**
 * Validates a decoded inbound frame: a snapshot frame by its `type`, else a Raft message.
 * @throws MessageDecodeError naming the first offending field.
 */
export function decodeInboundFrame(value: unknown): InboundFrame {
  const f = record(value, "");
  const type = field(f, "type");
  if (typeof type === "string" && senderTypes.has(type)) {
    return { kind: "snapshot", frame: senderFrame(type as SnapshotSenderFrame["type"], f) };
  }
  return { kind: "message", message: decodeMessage(f) };
}

/**
 * Validates a frame a receiver wrote back on an outbound connection.
 * @throws MessageDecodeError naming the first offending field.
 */
export function decodeReceiverFrame(value: unknown): SnapshotReceiverFrame {
  const f = record(value, "");
  const type = field(f, "type");
  const id = count(f, "id", "");
  if (type === "SnapshotAck") {
    const offset = count(f, "offset", "");
    return { type, id, offset, crc: crcField(f, "crc"), done: boolField(f, "done", "") };
  }
  if (type === "SnapshotReject") {
    const reason = field(f, "reason");
    if (!isSnapshotFailureReason(reason)) throw new MessageDecodeError("reason", "unknown");
    return { type, id, reason };
  }
  throw new MessageDecodeError("type", "expected SnapshotAck or SnapshotReject");
}
