/**
 * The contract between the node runtime and any peer transport (TCP, in-memory, simulated). A
 * transport carries Raft `Message`s between cluster members and promises little, exactly as
 * Raft assumes of its network (§5.1: messages may be lost, delayed or duplicated; Raft retries):
 *
 * - `send` only enqueues (STYLE.md rule 5): it never blocks, never performs I/O synchronously and
 *   never throws for network conditions. It returns false when the message was dropped at once
 *   (unknown peer, send queue full, message larger than `frameBytesMax`, transport closed).
 *   A true return is no promise of delivery.
 * - Messages from one sender to one receiver arrive in the order sent, without duplicates, while
 *   a connection lasts; a reconnect may lose a suffix of what was in flight.
 * - Everything received is validated before the handler sees it: a well-formed `Message` whose
 *   `to` is this node and whose `from` is the peer the connection was authenticated as.
 */
import type { Message, NodeId } from "../core/index.js";
import type { PeerAddress } from "./peer_link.js";

export type MessageHandler = (message: Message) => void;

/**
 * The state of this node's outbound path to one peer. "connecting" covers dialling, the
 * handshake and the back-off wait between attempts; "closed" is final.
 */
export type PeerConnectionState = "connecting" | "connected" | "disconnected" | "closed";

export type PeerStateListener = (peer: NodeId, state: PeerConnectionState) => void;

/** Counters for one peer (for `/metrics` and the dashboard). Bytes include frame headers. */
export interface PeerStats {
  readonly peer: NodeId;
  readonly state: PeerConnectionState;
  readonly messagesSent: number;
  readonly bytesSent: number;
  readonly messagesReceived: number;
  readonly bytesReceived: number;
  /** Messages refused by `send` (queue full, too large) for this peer. */
  readonly messagesDropped: number;
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  /** Completed outbound handshakes; more than one means the connection was re-established. */
  readonly connectsTotal: number;
}

export interface TransportStats {
  readonly nodeId: NodeId;
  readonly peers: readonly PeerStats[];
  /** `send` calls for a recipient that is not a configured peer. */
  readonly messagesDroppedUnknownPeer: number;
  /** Inbound connections closed for bad input: handshake refused, garbage, bad frame or message. */
  readonly connectionsRejected: number;
}

export interface Transport {
  /** The node this endpoint belongs to; every message sent must have `from === nodeId`. */
  readonly nodeId: NodeId;
  /**
   * Queue `message` for its `to` peer. Returns false if it was dropped at once.
   * @throws AssertionError if `message.from` is not this node (a bug in the caller).
   */
  send(message: Message): boolean;
  /**
   * Register the single receiver of messages addressed to this node. Must be called before
   * `start`. The handler must not throw: a throw is a bug and is not caught.
   * @throws AssertionError if a handler is already registered.
   */
  onMessage(handler: MessageHandler): void;
  /** Observe outbound connection state changes; returns a function that unsubscribes. */
  onPeerState(listener: PeerStateListener): () => void;
  /**
   * Begin listening and connecting.
   * @throws ListenError (rejected promise) if the listener cannot be opened.
   * @throws AssertionError if called twice or before `onMessage`.
   */
  start(): Promise<void>;
  /** Close listeners and connections; queued messages are dropped. Idempotent. */
  close(): Promise<void>;
  stats(): TransportStats;
  /**
   * Adds a peer or changes its address (membership changes, §4). Optional: a transport with a
   * fixed peer set omits it, and then cannot reach members added later.
   */
  setPeer?(peer: NodeId, address: PeerAddress): void;
  /** Forgets a peer: its queue is dropped and its connections closed. Optional, as setPeer. */
  removePeer?(peer: NodeId): Promise<void>;
}
