/**
 * The public surface of the peer transport layer.
 *
 * How the node runtime uses a transport:
 *
 *   const transport = new TcpTransport({ clusterId, nodeId, listen, peers, logger });
 *   transport.onMessage((message) => raft.step(message));  // validated; to === nodeId
 *   await transport.start();
 *   // In the Ready loop, only after persisting (Figure 2):
 *   for (const m of ready.messages) transport.send(m);
 *   // a false return means dropped now; Raft's retries cover it (§5.1).
 *   ...
 *   await transport.close();
 *
 * `send` only enqueues; batches go out on the next turn of the event loop, one socket write per
 * batch. `stats()` feeds /metrics; `onPeerState` reports connection changes for logs and the
 * dashboard. Tests and examples use `MemoryNetwork` + `MemoryTransport`, which honour the same
 * contract. The suite both pass is `registerTransportCompliance` in transport_compliance.ts; it
 * imports node:test, so it is deliberately not re-exported here: a new implementation (say, the
 * simulator's network) imports it from that file in its own test.
 *
 * Topology (tcp_transport.ts): every node dials each peer for its outbound traffic and accepts
 * connections for inbound traffic: two connections per pair, one per direction, no dedupe race.
 *
 * Security: pass `tls: new PeerTlsCredentials({ cert, key, ca })` for mutual TLS 1.3 with node
 * identity (peer_identity.ts); `replace` rotates the credentials for new connections. Without it
 * traffic is plaintext, which `start` refuses on a non-loopback address.
 */
export type {
  MessageHandler, PeerConnectionState, PeerStateListener, PeerStats, Transport, TransportStats,
} from "./transport.js";
/** The transport logs through the one logger contract of core/logger.ts. */
export { silentLogger, type Logger } from "../core/logger.js";
export {
  type BackoffOptions, DEFAULT_BACKOFF, DEFAULT_TRANSPORT_LIMITS, type TransportLimits,
  validateBackoff, validateTransportLimits,
} from "./limits.js";
export {
  FrameTooLargeError, FrameTruncatedError, HandshakeError, type HandshakeRejectReason, ListenError,
  MessageDecodeError, MessageMisaddressedError, MessageOutOfRangeError, PlaintextPeersRefusedError,
  ProtocolViolationError,
  TransportError,
} from "./errors.js";
export {
  isLoopbackHost, PEER_TLS_VERSION, PeerTlsCredentials, type PeerTlsMaterial, peerTlsOptions,
} from "./peer_tls.js";
export { certificateUris, clusterUri, peerUri } from "./peer_identity.js";
export { decodeMessage, encodeMessage, unpackMessage } from "./message_codec.js";
export { TcpTransport, type TcpTransportOptions } from "./tcp_transport.js";
export {
  DEFAULT_SNAPSHOT_STREAM_LIMITS, resolveSnapshotStreamLimits, type SnapshotStreamLimits,
} from "./snapshot_limits.js";
export type { SnapshotEvent, SnapshotEventListener, SnapshotStats } from "./snapshot_events.js";
export { type SnapshotFailureReason, SnapshotTransferError } from "./snapshot_errors.js";
export type { PeerAddress } from "./peer_link.js";
export { MemoryNetwork, type MemoryNetworkOptions, MemoryTransport } from "./memory_network.js";
export { PROTOCOL_VERSION } from "./handshake.js";
