/**
 * Raft peer messaging over TCP.
 *
 * Topology: each node dials every peer for its OUTBOUND traffic (one `PeerLink` per peer) and
 * accepts connections for its INBOUND traffic. So a pair of nodes shares exactly two
 * connections, one per direction, each with a single writer. This is the reading of "one
 * connection per peer pair" chosen on purpose: a single shared duplex connection would need a
 * tie-break when both sides dial at once (the dedupe race), and it buys nothing, since Raft's
 * requests and responses are independent one-way messages (§5.1) with no request/response
 * pairing on the wire. If a peer dials again (it restarted, or its old connection is half-open),
 * the newer inbound connection replaces the older.
 *
 * Security: with `tls` every connection is mutual TLS 1.3 against the cluster CA, and the node id
 * claimed in the handshake must be the one the certificate names (peer_identity.ts). Without it
 * traffic is plaintext and unauthenticated, which `start` allows only on a loopback address.
 */
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import type { Message, NodeId, Rng } from "../core/index.js";
import { assert, silentLogger, type Logger } from "../core/index.js";
import { mathRandom } from "./backoff.js";
import { ListenError, PlaintextPeersRefusedError } from "./errors.js";
import type { HandshakeIdentity } from "./handshake.js";
import { InboundConnection } from "./inbound_connection.js";
import {
  type BackoffOptions, DEFAULT_BACKOFF, DEFAULT_TRANSPORT_LIMITS, type TransportLimits,
  validateBackoff, validateTransportLimits,
} from "./limits.js";
import { encodeMessage } from "./message_codec.js";
import { type PeerAddress, PeerLink } from "./peer_link.js";
import { PeerStateEvents } from "./peer_state_events.js";
import { isLoopbackHost, type PeerTlsCredentials, peerTlsOptions } from "./peer_tls.js";
import {
  type SnapshotEventListener, SnapshotReporter, type SnapshotStats,
} from "./snapshot_events.js";
import { resolveSnapshotStreamLimits, type SnapshotStreamLimits } from "./snapshot_limits.js";
import { SnapshotReceiver } from "./snapshot_receiver.js";
import { SnapshotSender } from "./snapshot_sender.js";
import {
  type MessageHandler, type PeerStateListener, type PeerStats, type Transport,
  type TransportStats,
} from "./transport.js";

export interface TcpTransportOptions {
  /** Every member of a cluster shares it; a peer with another cluster id is refused. */
  readonly clusterId: string;
  readonly nodeId: NodeId;
  /** Where to accept inbound connections; port 0 picks a free port (see `address()`). */
  readonly listen: PeerAddress;
  readonly peers: ReadonlyMap<NodeId, PeerAddress>;
  /**
   * Mutual TLS for every peer connection (peer_tls.ts). Leave it out only for plaintext on a
   * loopback listen address (tests, a local cluster): `start` refuses plaintext elsewhere.
   */
  readonly tls?: PeerTlsCredentials | undefined;
  readonly limits?: Partial<TransportLimits>;
  readonly backoff?: Partial<BackoffOptions>;
  readonly logger?: Logger;
  /** Jitter source for reconnect back-off; defaults to Math.random. */
  readonly rng?: Pick<Rng, "nextFloat">;
  /**
   * Where incoming snapshot transfers are assembled (created if missing; stale files in it are
   * deleted on start). Give a directory under the node's data dir so an interrupted transfer
   * resumes across a restart; by default a temporary directory, removed on close.
   */
  readonly snapshotDir?: string;
  /** Snapshot streaming bounds (snapshot_limits.ts): chunk size, window, size limit, timeouts. */
  readonly snapshot?: Partial<SnapshotStreamLimits>;
  /** Observes snapshot transfers (progress, completion, drops) for logs, metrics and tests. */
  readonly onSnapshotEvent?: SnapshotEventListener;
}

interface ReceivedCounters {
  messagesReceived: number;
  bytesReceived: number;
}

export class TcpTransport implements Transport {
  readonly nodeId: NodeId;
  private readonly limits: TransportLimits;
  private readonly backoff: BackoffOptions;
  private readonly logger: Logger;
  private readonly identity: HandshakeIdentity;
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly snapshotLimits: SnapshotStreamLimits;
  private readonly snapshotReporter: SnapshotReporter;
  private readonly snapshotSenders = new Map<NodeId, SnapshotSender>();
  private readonly snapshotReceiver: SnapshotReceiver;
  private readonly snapshotDir: string;
  private readonly received = new Map<NodeId, ReceivedCounters>();
  private readonly inbound = new Set<InboundConnection>();
  private readonly inboundByPeer = new Map<NodeId, InboundConnection>();
  private readonly events = new PeerStateEvents();
  private readonly server: Server;
  private handler: MessageHandler | null = null;
  private lifecycle: "new" | "started" | "closed" = "new";
  private closing: Promise<void> | null = null;
  private stopWatchingTls: () => void = () => undefined;
  private droppedUnknownPeer = 0;
  private connectionsRejected = 0;

  /** @throws ConfigError if a limit or back-off option is invalid. */
  constructor(private readonly options: TcpTransportOptions) {
    this.nodeId = options.nodeId;
    this.limits = validateTransportLimits({ ...DEFAULT_TRANSPORT_LIMITS, ...options.limits });
    this.backoff = validateBackoff({ ...DEFAULT_BACKOFF, ...options.backoff });
    this.logger = options.logger ?? silentLogger;
    this.snapshotLimits = resolveSnapshotStreamLimits(options.snapshot ?? {}, this.limits);
    this.snapshotReporter = new SnapshotReporter(options.onSnapshotEvent);
    this.snapshotDir = options.snapshotDir
      ?? join(tmpdir(), `raftkv-snapshots-${options.nodeId}-${randomUUID()}`);
    this.snapshotReceiver = new SnapshotReceiver({
      dir: this.snapshotDir,
      limits: this.snapshotLimits,
      logger: this.logger,
      reporter: this.snapshotReporter,
      deliver: (peer, message, bytes) => { this.deliver(peer, message, bytes); },
    });
    this.identity = {
      clusterId: options.clusterId,
      nodeId: options.nodeId,
      isPeer: (id) => this.links.has(id),
    };
    for (const [peer, address] of options.peers) this.setPeer(peer, address);
    this.server = this.createListener();
  }

  /**
   * A TLS server asks for the peer's certificate but does not let OpenSSL drop an unverified one
   * silently: InboundConnection refuses it with a logged reason. `maxConnections` bounds sockets
   * still in their TLS handshake too; new certificates apply to connections accepted later.
   */
  private createListener(): Server {
    const tls = this.options.tls;
    if (tls === undefined) return createServer((socket) => { this.accept(socket); });
    const server = createTlsServer({
      ...peerTlsOptions(tls.material), requestCert: true, rejectUnauthorized: false,
      handshakeTimeout: this.limits.handshakeTimeoutMs,
    }, (socket) => { this.accept(socket); });
    server.maxConnections = this.limits.inboundConnectionsMax;
    server.on("tlsClientError", (error, socket: TLSSocket) => {
      this.connectionsRejected += 1;
      // Unknown only when the dialler hung up first (it refused our certificate, and says why).
      const remote = socket.remoteAddress === undefined
        ? "an unknown address (it hung up)"
        : `${socket.remoteAddress}:${String(socket.remotePort)}`;
      this.logger.error({ remote, code: "TLS_HANDSHAKE_FAILED", err: error },
        `Refused inbound peer connection from ${remote}: TLS handshake failed: ${error.message}`);
    });
    this.stopWatchingTls = tls.onReplace((material) => {
      server.setSecureContext(peerTlsOptions(material));
    });
    return server;
  }

  send(message: Message): boolean {
    assert(message.from === this.nodeId, `send from ${message.from} on ${this.nodeId}'s transport`);
    const link = this.links.get(message.to);
    if (link === undefined || this.lifecycle === "closed") {
      this.droppedUnknownPeer += link === undefined ? 1 : 0;
      link?.countDrop();
      return false;
    }
    if (message.type === "InstallSnapshot") {
      const sender = this.snapshotSenders.get(message.to);
      assert(sender !== undefined, "every peer link has a snapshot sender");
      if (SnapshotSender.streams(message, this.snapshotLimits)) return sender.offer(message);
      sender.supersede(message);
    }
    const payload = encodeMessage(message);
    if (payload.byteLength > this.limits.frameBytesMax) {
      this.logger.warn(
        { peer: message.to, type: message.type, bytes: payload.byteLength },
        `Dropped a ${message.type} of ${payload.byteLength} bytes: over frameBytesMax`,
      );
      link.countDrop();
      return false;
    }
    return link.enqueue(payload);
  }

  onMessage(handler: MessageHandler): void {
    assert(this.handler === null, "onMessage: a handler is already registered");
    this.handler = handler;
  }

  onPeerState(listener: PeerStateListener): () => void {
    return this.events.subscribe(listener);
  }

  /**
   * @throws ListenError (rejected promise) if the listener cannot be opened.
   * @throws PlaintextPeersRefusedError (rejected promise) without `tls` on a non-loopback address.
   * @throws a file-system error if `snapshotDir` cannot be created or read.
   */
  async start(): Promise<void> {
    assert(this.lifecycle === "new", `start: transport is ${this.lifecycle}`);
    assert(this.handler !== null, "start: register onMessage first");
    const { host, port } = this.options.listen;
    if (this.options.tls === undefined && !isLoopbackHost(host)) {
      throw new PlaintextPeersRefusedError(host);
    }
    this.lifecycle = "started";
    await this.snapshotReceiver.open();
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => { reject(new ListenError(host, port, error)); };
      this.server.once("error", onError);
      this.server.listen({ host, port }, () => {
        this.server.off("error", onError);
        resolve();
      });
    });
    this.server.on("error", (error) => { this.logger.error({ err: error }, "Listener error"); });
    this.logger.info({ nodeId: this.nodeId, ...this.address() }, `Transport listening`);
    for (const link of this.links.values()) link.start();
  }

  /** The bound listen address (after `start`); useful when listening on port 0. */
  address(): PeerAddress {
    const bound = this.server.address() as AddressInfo | null;
    assert(bound !== null, "address: transport is not listening");
    return { host: bound.address, port: bound.port };
  }

  /** Adds a peer or changes its address (membership changes); takes effect on its next dial. */
  setPeer(peer: NodeId, address: PeerAddress): void {
    assert(peer !== this.nodeId, "setPeer: a node is not its own peer");
    const existing = this.links.get(peer);
    if (existing !== undefined) {
      existing.address = address;
      return;
    }
    const link = new PeerLink(peer, address, {
      identity: this.identity,
      limits: this.limits,
      backoff: this.backoff,
      rng: this.options.rng ?? mathRandom,
      logger: this.logger,
      tls: this.options.tls ?? null,
      onState: (p, state) => {
        if (state === "connected") sender.connected();
        else sender.disconnected();
        this.events.emit(p, state);
      },
      onSnapshotReply: (_, frame) => { sender.handleReply(frame); },
    });
    const sender = new SnapshotSender({
      peer,
      limits: this.snapshotLimits,
      logger: this.logger,
      reporter: this.snapshotReporter,
      enqueue: (payload) => link.enqueue(payload),
      isConnected: () => link.state === "connected",
    });
    this.snapshotSenders.set(peer, sender);
    this.links.set(peer, link);
    this.received.set(peer, { messagesReceived: 0, bytesReceived: 0 });
    if (this.lifecycle === "started") link.start();
  }

  /** Forgets a peer: its queue is dropped and its connections closed. */
  async removePeer(peer: NodeId): Promise<void> {
    const link = this.links.get(peer);
    this.links.delete(peer);
    this.received.delete(peer);
    this.snapshotSenders.get(peer)?.close();
    this.snapshotSenders.delete(peer);
    await Promise.all([link?.close(), this.inboundByPeer.get(peer)?.destroy()]);
  }

  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    const wasListening = this.lifecycle === "started";
    this.lifecycle = "closed";
    this.stopWatchingTls();
    const serverClosed = new Promise<void>((resolve) => {
      if (wasListening) this.server.close(() => { resolve(); });
      else resolve();
    });
    for (const sender of this.snapshotSenders.values()) sender.close();
    const all = [serverClosed, ...[...this.links.values()].map((l) => l.close())];
    for (const connection of this.inbound) all.push(connection.destroy());
    this.closing = Promise.all(all).then(async () => {
      await this.snapshotReceiver.close();
      if (this.options.snapshotDir === undefined) {
        await rm(this.snapshotDir, { recursive: true, force: true });
      }
    });
    return this.closing;
  }

  /** Counters of snapshot streaming, both directions. */
  snapshotStats(): SnapshotStats {
    return this.snapshotReporter.stats();
  }

  /** Drops the outbound connection to `peer`; it redials after back-off (tests, operators). */
  resetPeerConnection(peer: NodeId): void {
    this.links.get(peer)?.resetConnection();
  }

  stats(): TransportStats {
    const peers: PeerStats[] = [];
    for (const [peer, link] of this.links) {
      const received = this.received.get(peer) ?? { messagesReceived: 0, bytesReceived: 0 };
      peers.push({ peer, state: link.state, ...link.stats(), ...received });
    }
    return {
      nodeId: this.nodeId,
      peers,
      messagesDroppedUnknownPeer: this.droppedUnknownPeer,
      connectionsRejected: this.connectionsRejected,
    };
  }

  private accept(socket: Socket): void {
    if (this.lifecycle !== "started" || this.inbound.size >= this.limits.inboundConnectionsMax) {
      this.logger.warn(
        { remote: socket.remoteAddress, inbound: this.inbound.size },
        this.lifecycle === "started"
          ? "Refused an inbound connection: inboundConnectionsMax reached"
          : "Refused an inbound connection: closing",
      );
      this.connectionsRejected += 1;
      socket.destroy();
      return;
    }
    this.inbound.add(new InboundConnection(socket, {
      identity: this.identity,
      limits: this.limits,
      logger: this.logger,
      authenticated: (connection, peer) => { this.authenticated(connection, peer); },
      deliver: (peer, message, frameBytes) => { this.deliver(peer, message, frameBytes); },
      snapshotFrame: (connection, peer, frame) => {
        this.snapshotReceiver.handleFrame(connection, peer, frame);
      },
      rejected: (connection, error) => {
        this.connectionsRejected += 1;
        this.snapshotReceiver.connectionFailed(connection, error.message);
      },
      closed: (connection) => {
        this.inbound.delete(connection);
        this.snapshotReceiver.connectionClosed(connection);
        const peer = connection.peer;
        if (peer !== null && this.inboundByPeer.get(peer) === connection) {
          this.inboundByPeer.delete(peer);
        }
      },
    }));
  }

  private authenticated(connection: InboundConnection, peer: NodeId): void {
    const older = this.inboundByPeer.get(peer);
    this.inboundByPeer.set(peer, connection);
    this.links.get(peer)?.peerIsUp();
    if (older !== undefined && older !== connection) {
      const fields = { peer, remote: connection.remote };
      this.logger.info(fields, `Peer ${peer} reconnected; closing its older connection`);
      void older.destroy();
    }
  }

  private deliver(peer: NodeId, message: Message, frameBytes: number): void {
    if (this.lifecycle !== "started") return;
    const counters = this.received.get(peer);
    if (counters !== undefined) {
      counters.messagesReceived += 1;
      counters.bytesReceived += frameBytes;
    }
    assert(this.handler !== null, "deliver before onMessage");
    this.handler(message);
  }
}
