/**
 * An in-process network for tests and examples: a `MemoryNetwork` hub and one `MemoryTransport`
 * endpoint per node, implementing the same `Transport` contract as TCP and passing the same
 * compliance suite. Messages go through the real codec (so size limits, validation and copy
 * semantics match TCP), wait in the same bounded per-peer queues, and are delivered
 * asynchronously in per-pair FIFO order. Optional hooks lose or delay messages in flight.
 * While a peer is closed, messages for it wait in the sender's queue, as they would while a TCP
 * link redials; a new endpoint with the same id models the restarted node.
 */
import type { Message, NodeId } from "../core/index.js";
import { assert, silentLogger, type Logger } from "../core/index.js";
import { MessageDecodeError } from "./errors.js";
import { FRAME_HEADER_BYTES } from "./frame.js";
import {
  DEFAULT_TRANSPORT_LIMITS, type TransportLimits, validateTransportLimits,
} from "./limits.js";
import { encodeMessage, unpackMessage } from "./message_codec.js";
import { newUnpacker } from "./msgpack.js";
import { PeerStateEvents } from "./peer_state_events.js";
import {
  type MessageHandler, type PeerConnectionState, type PeerStateListener, type PeerStats,
  type Transport, type TransportStats,
} from "./transport.js";

export interface MemoryNetworkOptions {
  readonly limits?: Partial<TransportLimits>;
  readonly logger?: Logger;
  /** Return true to lose `message` in flight (`send` still returns true, as on a real network). */
  readonly dropHook?: (message: Message) => boolean;
  /** Extra delivery delay for `message` in ms; per-pair FIFO order is kept regardless. */
  readonly delayHook?: (message: Message) => number;
}

export class MemoryNetwork {
  readonly limits: TransportLimits;
  readonly logger: Logger;
  dropHook: ((message: Message) => boolean) | null;
  delayHook: ((message: Message) => number) | null;
  /** Messages lost by `dropHook`. */
  messagesLost = 0;
  private readonly endpoints = new Map<NodeId, MemoryTransport>();

  /** @throws ConfigError if a limit is invalid. */
  constructor(options: MemoryNetworkOptions = {}) {
    this.limits = validateTransportLimits({ ...DEFAULT_TRANSPORT_LIMITS, ...options.limits });
    this.logger = options.logger ?? silentLogger;
    this.dropHook = options.dropHook ?? null;
    this.delayHook = options.delayHook ?? null;
  }

  /**
   * A new endpoint for `nodeId`, sending to `peers`. Creating one again after the previous
   * endpoint for that id closed models a restart of that node.
   * @throws AssertionError if an endpoint for `nodeId` exists and is not closed.
   */
  endpoint(nodeId: NodeId, peers: Iterable<NodeId>): MemoryTransport {
    const existing = this.endpoints.get(nodeId);
    assert(existing === undefined || existing.isClosed, `endpoint ${nodeId} exists and is open`);
    const endpoint = new MemoryTransport(this, nodeId, peers);
    this.endpoints.set(nodeId, endpoint);
    return endpoint;
  }

  /** The started, open endpoint for `nodeId`, if any. */
  attached(nodeId: NodeId): MemoryTransport | null {
    const endpoint = this.endpoints.get(nodeId);
    return endpoint?.isStarted === true && !endpoint.isClosed ? endpoint : null;
  }

  /** Tells every other endpoint that `nodeId` came up or went down. */
  notify(nodeId: NodeId): void {
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.nodeId !== nodeId) endpoint.peerChanged(nodeId);
    }
  }
}

interface InFlight {
  readonly payload: Uint8Array;
  readonly dueMs: number;
}

/** The sending side of one ordered pair: a bounded queue plus a pump that delivers due items. */
class MemoryLink {
  state: PeerConnectionState = "disconnected";
  readonly items: InFlight[] = [];
  queuedBytes = 0;
  lastDueMs = 0;
  pumpScheduled = false;
  timer: NodeJS.Timeout | null = null;
  readonly counters = { messagesSent: 0, bytesSent: 0, messagesDropped: 0, connectsTotal: 0 };

  constructor(readonly peer: NodeId) {}
}

interface ReceivedCounters {
  messagesReceived: number;
  bytesReceived: number;
}

export class MemoryTransport implements Transport {
  private readonly links = new Map<NodeId, MemoryLink>();
  private readonly received = new Map<NodeId, ReceivedCounters>();
  private readonly events = new PeerStateEvents();
  private readonly unpack = newUnpacker();
  private handler: MessageHandler | null = null;
  private lifecycle: "new" | "started" | "closed" = "new";
  private droppedUnknownPeer = 0;

  constructor(
    private readonly network: MemoryNetwork,
    readonly nodeId: NodeId,
    peers: Iterable<NodeId>,
  ) {
    for (const peer of peers) {
      if (peer === nodeId) continue;
      this.links.set(peer, new MemoryLink(peer));
      this.received.set(peer, { messagesReceived: 0, bytesReceived: 0 });
    }
  }

  get isStarted(): boolean {
    return this.lifecycle === "started";
  }

  get isClosed(): boolean {
    return this.lifecycle === "closed";
  }

  send(message: Message): boolean {
    assert(message.from === this.nodeId, `send from ${message.from} on ${this.nodeId}'s transport`);
    const link = this.links.get(message.to);
    if (link === undefined) this.droppedUnknownPeer += 1;
    if (link === undefined || this.isClosed) return false;
    const payload = encodeMessage(message);
    const { frameBytesMax, sendQueueMessagesMax, sendQueueBytesMax } = this.network.limits;
    if (
      payload.byteLength > frameBytesMax ||
      link.items.length >= sendQueueMessagesMax ||
      link.queuedBytes + payload.byteLength > sendQueueBytesMax
    ) {
      link.counters.messagesDropped += 1;
      return false;
    }
    if (this.network.dropHook?.(message) === true) {
      this.network.messagesLost += 1;
      return true;
    }
    const nowMs = performance.now();
    const dueMs = Math.max(link.lastDueMs, nowMs + (this.network.delayHook?.(message) ?? 0));
    link.lastDueMs = dueMs;
    link.items.push({ payload, dueMs });
    link.queuedBytes += payload.byteLength;
    this.schedulePump(link);
    return true;
  }

  onMessage(handler: MessageHandler): void {
    assert(this.handler === null, "onMessage: a handler is already registered");
    this.handler = handler;
  }

  onPeerState(listener: PeerStateListener): () => void {
    return this.events.subscribe(listener);
  }

  start(): Promise<void> {
    assert(this.lifecycle === "new", `start: transport is ${this.lifecycle}`);
    assert(this.handler !== null, "start: register onMessage first");
    this.lifecycle = "started";
    for (const peer of this.links.keys()) this.peerChanged(peer);
    this.network.notify(this.nodeId);
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    this.lifecycle = "closed";
    for (const link of this.links.values()) {
      if (link.timer !== null) clearTimeout(link.timer);
      link.timer = null;
      link.items.length = 0;
      link.queuedBytes = 0;
      this.setState(link, "closed");
    }
    this.network.notify(this.nodeId);
    return Promise.resolve();
  }

  stats(): TransportStats {
    const peers: PeerStats[] = [];
    for (const [peer, link] of this.links) {
      const received = this.received.get(peer) ?? { messagesReceived: 0, bytesReceived: 0 };
      peers.push({
        peer, state: link.state, ...link.counters, ...received,
        queuedMessages: link.items.length, queuedBytes: link.queuedBytes,
      });
    }
    const messagesDroppedUnknownPeer = this.droppedUnknownPeer;
    return { nodeId: this.nodeId, peers, messagesDroppedUnknownPeer, connectionsRejected: 0 };
  }

  /** Adds a peer (membership changes); in memory no address is needed, so none is taken. */
  setPeer(peer: NodeId): void {
    assert(peer !== this.nodeId, "setPeer: a node is not its own peer");
    if (this.links.has(peer)) return;
    this.links.set(peer, new MemoryLink(peer));
    this.received.set(peer, { messagesReceived: 0, bytesReceived: 0 });
    this.peerChanged(peer);
  }

  /** Forgets a peer: messages queued for it are dropped. */
  removePeer(peer: NodeId): Promise<void> {
    const link = this.links.get(peer);
    if (link === undefined) return Promise.resolve();
    if (link.timer !== null) clearTimeout(link.timer);
    link.timer = null;
    link.items.length = 0;
    link.queuedBytes = 0;
    this.links.delete(peer);
    this.received.delete(peer);
    this.setState(link, "closed");
    return Promise.resolve();
  }

  /** The network says `peer` came up or went down: update our link to it and deliver. */
  peerChanged(peer: NodeId): void {
    const link = this.links.get(peer);
    if (link === undefined || !this.isStarted) return;
    const up = this.network.attached(peer) !== null;
    if (up && link.state !== "connected") link.counters.connectsTotal += 1;
    this.setState(link, up ? "connected" : "disconnected");
    if (up) this.schedulePump(link);
  }

  /** Delivery into this endpoint from `from`; frames are validated exactly as TCP does. */
  receive(from: NodeId, payload: Uint8Array): void {
    const handler = this.handler;
    if (!this.isStarted || handler === null) return;
    let message: Message;
    try {
      message = unpackMessage(payload, this.unpack);
    } catch (error: unknown) {
      if (!(error instanceof MessageDecodeError)) throw error;
      const fields = { peer: from, code: error.code, err: error };
      this.network.logger.error(fields, `Dropped a message from ${from}`);
      return;
    }
    const counters = this.received.get(from);
    if (counters !== undefined) {
      counters.messagesReceived += 1;
      counters.bytesReceived += payload.byteLength + FRAME_HEADER_BYTES;
    }
    handler(message);
  }

  private schedulePump(link: MemoryLink): void {
    if (link.pumpScheduled || link.timer !== null || !this.isStarted) return;
    link.pumpScheduled = true;
    setImmediate(() => {
      link.pumpScheduled = false;
      this.pump(link);
    });
  }

  /** Delivers every due message, in order, while both ends are up; re-arms for the next one. */
  private pump(link: MemoryLink): void {
    link.timer = null;
    for (;;) {
      const receiver = this.network.attached(link.peer);
      const head = link.items[0];
      if (!this.isStarted || receiver === null || head === undefined) return;
      const waitMs = head.dueMs - performance.now();
      if (waitMs > 0) {
        link.timer = setTimeout(() => { this.pump(link); }, Math.ceil(waitMs));
        return;
      }
      link.items.shift();
      link.queuedBytes -= head.payload.byteLength;
      link.counters.messagesSent += 1;
      link.counters.bytesSent += head.payload.byteLength + FRAME_HEADER_BYTES;
      receiver.receive(this.nodeId, head.payload);
    }
  }

  private setState(link: MemoryLink, state: PeerConnectionState): void {
    if (link.state === state) return;
    link.state = state;
    this.events.emit(link.peer, state);
  }
}
