/**
 * A `Transport` (src/transport/transport.ts) over the simulated network: `send` hands the
 * message to the simulation, which routes it through SimNetwork (delay, loss, duplication,
 * reordering; partitions at delivery) by its `to` id, so members added later are reachable
 * without `setPeer`. One transport per node incarnation: a crashed node's never delivers again.
 */
import type { Message } from "../core/messages.js";
import { assert, AssertionError, type NodeId } from "../core/types.js";
import type {
  MessageHandler, Transport, TransportStats,
} from "../transport/index.js";

export class SimTransport implements Transport {
  private handler: MessageHandler | null = null;
  private started = false;
  private closed = false;
  private sent = 0;

  constructor(
    readonly nodeId: NodeId,
    /** Routes a message through the simulated network. */
    private readonly route: (message: Message) => void,
    /** The node closed its transport (it stopped or failed). */
    private readonly onClose: () => void = () => undefined,
  ) {}

  send(message: Message): boolean {
    if (message.from !== this.nodeId) {
      throw new AssertionError(`${this.nodeId} sends a message from ${message.from}`);
    }
    if (this.closed) return false;
    this.sent++;
    this.route(message);
    return true;
  }

  onMessage(handler: MessageHandler): void {
    assert(this.handler === null, "a message handler is already registered");
    this.handler = handler;
  }

  /** Simulated links have no connection state: a listener is never called. */
  onPeerState(): () => void {
    return () => undefined;
  }

  start(): Promise<void> {
    assert(!this.started && this.handler !== null, "start once, after onMessage");
    this.started = true;
    return Promise.resolve();
  }

  /** Idempotent; a closed transport neither sends nor delivers. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.onClose();
    }
    return Promise.resolve();
  }

  /**
   * A message reached this node through the network; dropped unless started and open, and
   * unless addressed to this node (one sent to the id a wiped node had is for no one now), as
   * every transport validates `to` before its handler sees a message.
   */
  deliver(message: Message): void {
    if (this.started && !this.closed && message.to === this.nodeId) this.handler?.(message);
  }

  stats(): TransportStats {
    return { nodeId: this.nodeId, peers: [], messagesDroppedUnknownPeer: 0, connectionsRejected: 0 };
  }
}
