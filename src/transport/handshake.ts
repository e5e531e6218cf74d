/**
 * The handshake that opens every peer connection. The dialler's first frame is a `Hello` naming
 * the protocol version, the cluster and both nodes; the acceptor checks each against its own
 * configuration and answers `Welcome` (its own identity, which the dialler checks in turn) or
 * `Reject` with a reason, then closes. Only after a Welcome does the dialler send messages, and
 * the acceptor attributes every later frame on that connection to the authenticated peer.
 */
import type { NodeId } from "../core/index.js";
import { HandshakeError, type HandshakeRejectReason, MessageDecodeError } from "./errors.js";
import { isNodeId } from "../core/types.js";
import { packValue } from "./msgpack.js";

/** Names the protocol, so a stray client of another protocol is recognised as such. */
export const PROTOCOL_NAME = "raftkv-peer";
/**
 * Bump on any incompatible change to framing, handshake or message encoding.
 * v2: snapshot streaming frames (snapshot_codec.ts), and replies on outbound connections.
 */
export const PROTOCOL_VERSION = 2;
/** Handshake frames are small; before authentication nothing larger is accepted. */
export const HANDSHAKE_BYTES_MAX = 4096;

export interface Hello {
  readonly kind: "hello";
  readonly protocol: string;
  readonly version: number;
  readonly clusterId: string;
  readonly from: NodeId;
  readonly to: NodeId;
}
export interface Welcome {
  readonly kind: "welcome";
  readonly protocol: string;
  readonly version: number;
  readonly clusterId: string;
  readonly from: NodeId;
  readonly to: NodeId;
}
export interface Reject {
  readonly kind: "reject";
  readonly reason: HandshakeRejectReason;
  readonly detail: string;
}
export type HandshakeFrame = Hello | Welcome | Reject;

/** What one side knows about itself and its peers. */
export interface HandshakeIdentity {
  readonly clusterId: string;
  readonly nodeId: NodeId;
  readonly isPeer: (id: NodeId) => boolean;
}

export function encodeHandshake(frame: HandshakeFrame): Uint8Array {
  return packValue(frame);
}

const rejectReasons = new Set<string>([
  "MALFORMED", "VERSION_MISMATCH", "CLUSTER_MISMATCH", "UNKNOWN_NODE", "WRONG_NODE", "TIMEOUT",
  "UNTRUSTED_CERTIFICATE", "CERTIFICATE_MISMATCH",
] satisfies HandshakeRejectReason[]);

/**
 * Validates a decoded handshake frame's shape (not its content: see `checkHello`).
 * @throws MessageDecodeError if it is not a handshake frame.
 */
export function decodeHandshake(value: unknown): HandshakeFrame {
  if (typeof value !== "object" || value === null) {
    throw new MessageDecodeError("", "expected a handshake map");
  }
  const f = value as Readonly<Record<string, unknown>>;
  const get = (key: string): unknown => (Object.hasOwn(f, key) ? f[key] : undefined);
  const kind = get("kind");
  if (kind === "reject") {
    const reason = get("reason");
    const detail = get("detail");
    if (typeof reason !== "string" || !rejectReasons.has(reason)) {
      throw new MessageDecodeError("reason", "unknown");
    }
    if (typeof detail !== "string") throw new MessageDecodeError("detail", "expected a string");
    return { kind, reason: reason as HandshakeRejectReason, detail: detail.slice(0, 500) };
  }
  if (kind !== "hello" && kind !== "welcome") {
    throw new MessageDecodeError("kind", "expected hello, welcome or reject");
  }
  const protocol = get("protocol");
  const version = get("version");
  const clusterId = get("clusterId");
  const from = get("from");
  const to = get("to");
  if (typeof protocol !== "string") throw new MessageDecodeError("protocol", "expected a string");
  if (typeof version !== "number") throw new MessageDecodeError("version", "expected a number");
  if (typeof clusterId !== "string") throw new MessageDecodeError("clusterId", "expected a string");
  if (!isNodeId(from)) throw new MessageDecodeError("from", "expected a node id");
  if (!isNodeId(to)) throw new MessageDecodeError("to", "expected a node id");
  return { kind, protocol, version, clusterId: clusterId.slice(0, 200), from, to };
}

function checkCommon(frame: Hello | Welcome, self: HandshakeIdentity): void {
  if (frame.protocol !== PROTOCOL_NAME || frame.version !== PROTOCOL_VERSION) {
    const got = `${JSON.stringify(frame.protocol)} v${frame.version}`;
    throw new HandshakeError(
      "VERSION_MISMATCH",
      `expected protocol ${PROTOCOL_NAME} v${PROTOCOL_VERSION}, got ${got}`,
    );
  }
  if (frame.clusterId !== self.clusterId) {
    const [expected, got] = [JSON.stringify(self.clusterId), JSON.stringify(frame.clusterId)];
    throw new HandshakeError("CLUSTER_MISMATCH", `expected cluster id ${expected}, got ${got}`);
  }
  if (frame.to !== self.nodeId) {
    throw new HandshakeError(
      "WRONG_NODE",
      `addressed to node ${frame.to}, but this is node ${self.nodeId}`,
    );
  }
}

/**
 * Acceptor side: returns the authenticated peer id.
 * @throws HandshakeError saying which check failed and what was expected.
 */
export function checkHello(frame: HandshakeFrame, self: HandshakeIdentity): NodeId {
  if (frame.kind !== "hello") {
    throw new HandshakeError("MALFORMED", `expected hello, got ${frame.kind}`);
  }
  checkCommon(frame, self);
  if (!self.isPeer(frame.from) || frame.from === self.nodeId) {
    // Sent back to the dialler too: the usual cause is a new node started without --join.
    throw new HandshakeError("UNKNOWN_NODE", `node ${frame.from} is not a peer of ${self.nodeId}`
      + ` (did you forget --join? A new node starts with --join and is added on the leader with`
      + ` raftkv member add ${frame.from})`);
  }
  return frame.from;
}

/**
 * Dialler side: checks the acceptor is the node we meant to reach.
 * @throws HandshakeError for a Reject (carrying the acceptor's reason) or a mismatched Welcome.
 */
export function checkWelcome(
  frame: HandshakeFrame,
  self: HandshakeIdentity,
  expected: NodeId,
): void {
  if (frame.kind === "reject") {
    throw new HandshakeError(frame.reason, `peer refused us: ${frame.detail}`);
  }
  if (frame.kind !== "welcome") {
    throw new HandshakeError("MALFORMED", `expected welcome, got ${frame.kind}`);
  }
  checkCommon(frame, self);
  if (frame.from !== expected) {
    throw new HandshakeError(
      "WRONG_NODE",
      `dialled node ${expected}, but node ${frame.from} answered`,
    );
  }
}

export function helloFrame(self: HandshakeIdentity, to: NodeId): Hello {
  const { clusterId, nodeId: from } = self;
  return { kind: "hello", protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION, clusterId, from, to };
}

export function welcomeFrame(self: HandshakeIdentity, to: NodeId): Welcome {
  const { clusterId, nodeId: from } = self;
  const version = PROTOCOL_VERSION;
  return { kind: "welcome", protocol: PROTOCOL_NAME, version, clusterId, from, to };
}

export function rejectFrame(error: HandshakeError): Reject {
  return { kind: "reject", reason: error.reason, detail: error.message };
}
