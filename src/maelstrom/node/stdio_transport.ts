/**
 * The peer Transport of a Maelstrom node: Raft messages travel as Maelstrom messages of type
 * "raft" between node ids, over the node's stdin and stdout (Maelstrom's network carries them,
 * delaying, losing and partitioning them as the test demands). It honours the Transport
 * contract (transport/transport.ts): `send` only enqueues (MaelstromOutput writes on the next
 * turn), and everything received is validated (wire.ts) and must come from a configured peer
 * as `from`, addressed to this node, before the handler sees it.
 *
 * The peer set is fixed at `init` (Maelstrom's node_ids), so there is no `setPeer`: Maelstrom
 * has no membership changes. There are no connections either; every peer counts as connected.
 */
import { assert, type Message, type NodeId } from "../../core/index.js";
import type {
  Logger, MessageHandler, PeerStats, PeerStateListener, Transport, TransportStats,
} from "../../transport/index.js";
import type { Body, OutgoingBody } from "../protocol.js";
import { decodeRaftBody, encodeRaftBody } from "./wire.js";

export interface StdioTransportOptions {
  readonly nodeId: NodeId;
  /** The other nodes of the cluster (this node's own id is ignored). */
  readonly peers: readonly NodeId[];
  /** Queues a body for `dest` on stdout (MaelstromOutput.send). */
  readonly send: (dest: string, body: OutgoingBody) => void;
  readonly logger: Logger;
}

interface Counters {
  messagesSent: number;
  bytesSent: number;
  messagesReceived: number;
  bytesReceived: number;
}

export class StdioTransport implements Transport {
  readonly nodeId: NodeId;
  private readonly peers = new Map<NodeId, Counters>();
  private handler: MessageHandler | null = null;
  private state: "new" | "started" | "closed" = "new";
  private droppedUnknownPeer = 0;
  private rejected = 0;
  /** Held only so unsubscribing works; no state change is ever reported. */
  private readonly peerListeners = new Set<PeerStateListener>();

  constructor(private readonly options: StdioTransportOptions) {
    this.nodeId = options.nodeId;
    for (const peer of options.peers) {
      if (peer !== options.nodeId) {
        this.peers.set(peer, {
          messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0,
        });
      }
    }
  }

  send(message: Message): boolean {
    assert(message.from === this.nodeId, `a message from ${message.from} sent by ${this.nodeId}`);
    const counters = this.peers.get(message.to);
    if (counters === undefined) {
      this.droppedUnknownPeer++;
      return false;
    }
    if (this.state === "closed") return false;
    const body = encodeRaftBody(message);
    counters.messagesSent++;
    counters.bytesSent += String(body.m).length;
    this.options.send(message.to, body);
    return true;
  }

  /**
   * A "raft" body that arrived on stdin from `src`: validated, then handed to the node. Anything
   * malformed, from a stranger or misaddressed is dropped and counted (Raft tolerates loss).
   */
  deliver(src: string, body: Body): void {
    if (this.state !== "started" || this.handler === null) return;
    const counters = this.peers.get(src as NodeId);
    if (counters === undefined) {
      this.reject(src, "a raft message from a node that is not a peer");
      return;
    }
    let message: Message;
    try {
      message = decodeRaftBody(body);
    } catch (error) {
      this.reject(src, error instanceof Error ? error.message : String(error));
      return;
    }
    if (message.from !== src || message.to !== this.nodeId) {
      this.reject(src, `a message from ${message.from} to ${message.to} arrived from ${src}`);
      return;
    }
    counters.messagesReceived++;
    counters.bytesReceived += typeof body.m === "string" ? body.m.length : 0;
    this.handler(message);
  }

  onMessage(handler: MessageHandler): void {
    assert(this.handler === null, "StdioTransport.onMessage called twice");
    this.handler = handler;
  }

  /** Peers never change state: Maelstrom has no connections to lose. */
  onPeerState(listener: PeerStateListener): () => void {
    const listeners = this.peerListeners;
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  start(): Promise<void> {
    assert(this.state === "new", "StdioTransport.start called twice");
    assert(this.handler !== null, "StdioTransport.start called before onMessage");
    this.state = "started";
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.state = "closed";
    return Promise.resolve();
  }

  stats(): TransportStats {
    const connected = this.state === "closed" ? "closed" : "connected";
    const peers: PeerStats[] = [...this.peers].map(([peer, counters]) => ({
      peer, state: connected, ...counters, messagesDropped: 0, queuedMessages: 0, queuedBytes: 0,
      connectsTotal: 0,
    }));
    return {
      nodeId: this.nodeId,
      peers,
      messagesDroppedUnknownPeer: this.droppedUnknownPeer,
      connectionsRejected: this.rejected,
    };
  }

  private reject(src: string, reason: string): void {
    this.rejected++;
    this.options.logger.warn({ src, reason }, "dropping a raft message");
  }
}
