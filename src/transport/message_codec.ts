/**
 * Encoding of Raft messages for the wire, and `decodeMessage`, the gate every received object
 * passes before the core sees it. Garbage must never change node state, so the validator checks
 * the full shape of the `Message` union (every field's type and range, recursively) and builds a
 * fresh object holding only the known fields, with byte fields copied into plain `Uint8Array`s
 * that share no memory with the receive buffers. Every number is range-checked against the
 * documented bounds of core/bounds.ts (terms, indexes, counts), so a term near 2^53 can never
 * reach the core and make a later election overflow (MessageOutOfRangeError).
 */
import type {
  ConfState, Entry, EntryKind, LogIndex, Message, NodeId, Snapshot, Term,
} from "../core/index.js";
import { assertNever, isNodeId, LOG_INDEX_MAX, TERM_MAX, WIRE_COUNT_MAX } from "../core/index.js";
import { MessageDecodeError, MessageOutOfRangeError } from "./errors.js";
import { newUnpacker, packValue } from "./msgpack.js";

/** Encodes a message as a frame payload. */
export function encodeMessage(message: Message): Uint8Array {
  return packValue(message);
}

/**
 * Decodes and validates one frame payload with the given (per-connection) unpacker.
 * @throws MessageDecodeError if the bytes are not msgpack or not a well-formed message.
 */
export function unpackMessage(bytes: Uint8Array, unpack = newUnpacker()): Message {
  return decodeMessage(unpack(bytes));
}

/** The validators below are shared with snapshot_codec.ts, which checks its frames alike. */
export type Fields = Readonly<Record<string, unknown>>;

function fail(path: string, reason: string): never {
  throw new MessageDecodeError(path, reason);
}

export function record(value: unknown, path: string): Fields {
  const isMap = typeof value === "object" && value !== null && !Array.isArray(value);
  if (!isMap || value instanceof Uint8Array) fail(path, "expected a map");
  return value as Fields;
}

/** Own properties only: an inherited value (prototype tricks) is treated as missing. */
export function field(fields: Fields, key: string): unknown {
  return Object.hasOwn(fields, key) ? fields[key] : undefined;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** A non-negative integer at most `max` (named `bound` in the error). */
function bounded(fields: Fields, key: string, path: string, bound: Bound): number {
  const value = field(fields, key);
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    fail(join(path, key), `expected a safe non-negative integer, got ${describe(value)}`);
  }
  if (value > bound.max) {
    throw new MessageOutOfRangeError(join(path, key), value, bound.max, bound.name);
  }
  return value;
}

interface Bound {
  readonly name: string;
  readonly max: number;
}

const termBound: Bound = { name: "TERM_MAX", max: TERM_MAX };
const indexBound: Bound = { name: "LOG_INDEX_MAX", max: LOG_INDEX_MAX };
const countBound: Bound = { name: "WIRE_COUNT_MAX", max: WIRE_COUNT_MAX };

/** A count, size, offset or id: a non-negative integer up to WIRE_COUNT_MAX (core/bounds.ts). */
export function count(fields: Fields, key: string, path: string): number {
  return bounded(fields, key, path, countBound);
}

/** A term up to TERM_MAX (core/bounds.ts). */
export function termField(f: Fields, key: string, path: string): Term {
  return bounded(f, key, path, termBound) as Term;
}

/** A log index up to LOG_INDEX_MAX (core/bounds.ts). */
export function indexField(f: Fields, key: string, path: string): LogIndex {
  return bounded(f, key, path, indexBound) as LogIndex;
}


export function nodeIdValue(value: unknown, path: string): NodeId {
  if (!isNodeId(value)) fail(path, `expected a node id, got ${describe(value)}`);
  return value;
}

export function boolField(fields: Fields, key: string, path: string): boolean {
  const value = field(fields, key);
  if (typeof value !== "boolean") {
    fail(join(path, key), `expected a boolean, got ${describe(value)}`);
  }
  return value;
}

export function stringField(fields: Fields, key: string, path: string): string {
  const value = field(fields, key);
  if (typeof value !== "string") fail(join(path, key), `expected a string, got ${describe(value)}`);
  return value;
}

function contextField(fields: Fields, key: string, path: string): string | null {
  return field(fields, key) === null ? null : stringField(fields, key, path);
}

function bytesField(fields: Fields, key: string, path: string): Uint8Array {
  const value = field(fields, key);
  if (!(value instanceof Uint8Array)) {
    fail(join(path, key), `expected bytes, got ${describe(value)}`);
  }
  return new Uint8Array(value); // a copy: never a view of a receive buffer
}

function arrayField(fields: Fields, key: string, path: string): readonly unknown[] {
  const value = field(fields, key);
  if (!Array.isArray(value)) fail(join(path, key), `expected an array, got ${describe(value)}`);
  return value as readonly unknown[];
}

function nodeIdsField(fields: Fields, key: string, path: string): NodeId[] {
  return arrayField(fields, key, path).map((v, i) => nodeIdValue(v, `${join(path, key)}[${i}]`));
}

const entryKinds: readonly EntryKind[] = ["normal", "noop", "config"];

function entryValue(value: unknown, path: string): Entry {
  const f = record(value, path);
  const kind = field(f, "kind");
  if (!entryKinds.includes(kind as EntryKind)) {
    fail(join(path, "kind"), `unknown entry kind ${describe(kind)}`);
  }
  return {
    term: termField(f, "term", path),
    index: indexField(f, "index", path),
    kind: kind as EntryKind,
    data: bytesField(f, "data", path),
  };
}

export function confStateValue(value: unknown, path: string): ConfState {
  const f = record(value, path);
  return {
    voters: nodeIdsField(f, "voters", path),
    learners: nodeIdsField(f, "learners", path),
    votersOutgoing: nodeIdsField(f, "votersOutgoing", path),
  };
}

function snapshotValue(value: unknown, path: string): Snapshot {
  const f = record(value, path);
  const metaPath = join(path, "metadata");
  const meta = record(field(f, "metadata"), metaPath);
  return {
    metadata: {
      index: indexField(meta, "index", metaPath),
      term: termField(meta, "term", metaPath),
      confState: confStateValue(field(meta, "confState"), join(metaPath, "confState")),
    },
    data: bytesField(f, "data", path),
  };
}

const messageTypes = new Set<string>([
  "PreVote", "PreVoteResponse", "RequestVote", "RequestVoteResponse", "AppendEntries",
  "AppendEntriesResponse", "Heartbeat", "HeartbeatResponse", "InstallSnapshot", "Propose",
  "ReadIndexRequest", "ReadIndexResponse", "TimeoutNow",
] satisfies Message["type"][]);

/**
 * Validates a decoded value as a `Message` and returns a fresh copy with only its known fields.
 * @throws MessageDecodeError naming the first offending field path.
 */
export function decodeMessage(value: unknown): Message {
  const f = record(value, "");
  const type = field(f, "type");
  if (typeof type !== "string" || !messageTypes.has(type)) {
    fail("type", `unknown message type ${describe(type)}`);
  }
  const envelope = {
    from: nodeIdValue(field(f, "from"), "from"),
    to: nodeIdValue(field(f, "to"), "to"),
    term: termField(f, "term", ""),
  };
  return bodyOf(type as Message["type"], f, envelope);
}

interface EnvelopeFields {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: Term;
}

function bodyOf(type: Message["type"], f: Fields, e: EnvelopeFields): Message {
  switch (type) {
    case "PreVote":
      return {
        type, ...e,
        lastLogIndex: indexField(f, "lastLogIndex", ""),
        lastLogTerm: termField(f, "lastLogTerm", ""),
      };
    case "RequestVote":
      return {
        type, ...e,
        lastLogIndex: indexField(f, "lastLogIndex", ""),
        lastLogTerm: termField(f, "lastLogTerm", ""),
        transfer: boolField(f, "transfer", ""),
      };
    case "PreVoteResponse":
    case "RequestVoteResponse":
      return { type, ...e, reject: boolField(f, "reject", "") };
    case "AppendEntries":
      return {
        type, ...e,
        prevLogIndex: indexField(f, "prevLogIndex", ""),
        prevLogTerm: termField(f, "prevLogTerm", ""),
        entries: arrayField(f, "entries", "").map((v, i) => entryValue(v, `entries[${i}]`)),
        commit: indexField(f, "commit", ""),
      };
    case "AppendEntriesResponse":
      return {
        type, ...e,
        reject: boolField(f, "reject", ""),
        index: indexField(f, "index", ""),
        hintIndex: indexField(f, "hintIndex", ""),
        hintTerm: termField(f, "hintTerm", ""),
      };
    case "Heartbeat":
      return {
        type, ...e, commit: indexField(f, "commit", ""), context: contextField(f, "context", ""),
      };
    case "HeartbeatResponse":
      return { type, ...e, context: contextField(f, "context", "") };
    case "InstallSnapshot":
      return { type, ...e, snapshot: snapshotValue(field(f, "snapshot"), "snapshot") };
    case "Propose":
      return { type, ...e, data: bytesField(f, "data", "") };
    case "ReadIndexRequest":
      return { type, ...e, context: stringField(f, "context", "") };
    case "ReadIndexResponse":
      return {
        type, ...e, context: stringField(f, "context", ""), index: indexField(f, "index", ""),
      };
    case "TimeoutNow":
      return { type, ...e };
    default:
      return assertNever(type, "message type");
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (typeof value === "object") return value === null ? "null" : "a map";
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}
