/**
 * The outbound half of the TCP topology: one `PeerLink` per peer owns this node's single
 * connection for sending to that peer. It dials, performs the handshake (handshake.ts), then
 * drains its bounded `SendQueue` in batches, one socket write per batch, honouring the socket's
 * back-pressure. When the connection fails it redials after a jittered exponential back-off,
 * keeping the queue; what was already written to the dead socket is lost, which Raft tolerates.
 *
 * With TLS (peer_tls.ts) the dialler presents its certificate, verifies the acceptor's against
 * the cluster CA, and sends its Hello only after the certificate names the node it dialled.
 */
import { connect, type Socket } from "node:net";
import { connect as connectTls, TLSSocket } from "node:tls";
import type { NodeId, Rng } from "../core/index.js";
import { Backoff } from "./backoff.js";
import { HandshakeError, TransportError } from "./errors.js";
import { encodeFrame, FrameDecoder, frameSegments } from "./frame.js";
import {
  checkWelcome, decodeHandshake, encodeHandshake, HANDSHAKE_BYTES_MAX, type HandshakeIdentity,
  helloFrame,
} from "./handshake.js";
import type { BackoffOptions, TransportLimits } from "./limits.js";
import { newUnpacker } from "./msgpack.js";
import { assertPeerCertificate } from "./peer_identity.js";
import type { PeerTlsCredentials } from "./peer_tls.js";
import { SendQueue } from "./send_queue.js";
import { decodeReceiverFrame, type SnapshotReceiverFrame } from "./snapshot_codec.js";
import type { Logger } from "../core/logger.js";
import type { PeerConnectionState, PeerStats } from "./transport.js";

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export interface PeerLinkContext {
  readonly identity: HandshakeIdentity;
  readonly limits: TransportLimits;
  readonly backoff: BackoffOptions;
  readonly rng: Pick<Rng, "nextFloat">;
  readonly logger: Logger;
  /** Peer TLS credentials; null for plaintext (loopback only, see tcp_transport.ts). */
  readonly tls: PeerTlsCredentials | null;
  readonly onState: (peer: NodeId, state: PeerConnectionState) => void;
  /** A snapshot receiver's answer, written back on this connection (snapshot_sender.ts). */
  readonly onSnapshotReply: (peer: NodeId, frame: SnapshotReceiverFrame) => void;
}

type SentCounters = Pick<
  PeerStats, "messagesSent" | "bytesSent" | "messagesDropped" | "connectsTotal"
>;
type Unpack = (bytes: Uint8Array) => unknown;

export class PeerLink {
  private linkState: PeerConnectionState = "disconnected";
  private socket: Socket | null = null;
  private handshaken = false;
  private flushScheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  /** The last handshake failure, so an unchanged one is not logged as an error every time. */
  private lastFailure: string | null = null;
  private readonly queue: SendQueue;
  private readonly backoff: Backoff;
  private readonly counters: { -readonly [K in keyof SentCounters]: number } = {
    messagesSent: 0, bytesSent: 0, messagesDropped: 0, connectsTotal: 0,
  };

  constructor(
    readonly peer: NodeId,
    public address: PeerAddress,
    private readonly ctx: PeerLinkContext,
  ) {
    this.queue = new SendQueue(ctx.limits.sendQueueMessagesMax, ctx.limits.sendQueueBytesMax);
    this.backoff = new Backoff(ctx.backoff, ctx.rng);
  }

  get state(): PeerConnectionState {
    return this.linkState;
  }

  stats(): SentCounters & { queuedMessages: number; queuedBytes: number } {
    return { ...this.counters, queuedMessages: this.queue.length, queuedBytes: this.queue.bytes };
  }

  start(): void {
    const idle = this.socket === null && this.retryTimer === null;
    if (this.linkState === "disconnected" && idle) this.dial();
  }

  /**
   * The peer just authenticated a connection to us, so it is up: a link waiting out its redial
   * back-off dials now. (A restarted peer would otherwise hear nothing from this node for up to
   * backoff.maxMs: a failover measured with a survivor's pre-vote replies stuck in such a queue
   * took 0.8 s instead of 0.2 s.)
   */
  peerIsUp(): void {
    if (this.linkState !== "disconnected" || this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    this.backoff.reset();
    this.dial();
  }

  /** Queues one encoded message; false (and counted) if the queue is full or the link closed. */
  enqueue(payload: Uint8Array): boolean {
    if (this.linkState === "closed" || !this.queue.maybePush(payload)) {
      this.countDrop();
      return false;
    }
    this.scheduleFlush();
    return true;
  }

  countDrop(): void {
    this.counters.messagesDropped += 1;
  }

  /** Drops the current connection (it redials after back-off); for tests and operators. */
  resetConnection(): void {
    this.socket?.destroy();
  }

  /** Closes the connection for good; queued messages are dropped. */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.setState("closed");
    this.clearTimers();
    this.queue.clear();
    const socket = this.socket;
    this.closing = socket === null || socket.closed
      ? Promise.resolve()
      : new Promise((resolve) => {
        socket.once("close", () => { resolve(); });
        socket.destroy();
      });
    return this.closing;
  }

  private dial(): void {
    this.retryTimer = null;
    this.setState("connecting");
    const { host, port } = this.address;
    const socket = this.connect(host, port);
    this.socket = socket;
    this.handshaken = false;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    const decoder = new FrameDecoder(HANDSHAKE_BYTES_MAX);
    const unpack = newUnpacker();
    this.handshakeTimer = setTimeout(() => {
      const fields = { peer: this.peer, host, port };
      this.ctx.logger.warn(fields, `Handshake with peer ${this.peer} timed out`);
      socket.destroy();
    }, this.ctx.limits.handshakeTimeoutMs);
    const hello = encodeFrame(encodeHandshake(helloFrame(this.ctx.identity, this.peer)));
    if (socket instanceof TLSSocket) {
      socket.once("secureConnect", () => { this.sendHelloOverTls(socket, hello); });
    } else {
      socket.write(hello);
    }
    socket.on("data", (chunk: Buffer) => { this.handleData(socket, decoder, unpack, chunk); });
    socket.on("drain", () => { this.flush(); });
    socket.on("error", (error: Error) => {
      const fields = { peer: this.peer, host, port, err: error };
      if (this.ctx.tls !== null && !this.handshaken && isTlsFailure(error)) {
        this.reportFailure(socket, new HandshakeError("UNTRUSTED_CERTIFICATE",
          `TLS handshake with ${host}:${port} failed: ${error.message}`));
        return;
      }
      this.ctx.logger.debug(fields, `Connection to peer ${this.peer} failed`);
    });
    socket.on("close", () => { this.handleClose(socket); });
  }

  /**
   * The acceptor answers with one frame, Welcome or Reject; after a Welcome it writes back only
   * snapshot replies (acks of chunks we sent). Anything else closes the connection.
   */
  private handleData(socket: Socket, decoder: FrameDecoder, unpack: Unpack, chunk: Buffer): void {
    if (socket !== this.socket) return;
    try {
      decoder.push(chunk);
      for (let frame = decoder.next(); frame !== null; frame = decoder.next()) {
        if (this.handshaken) {
          this.ctx.onSnapshotReply(this.peer, decodeReceiverFrame(unpack(frame)));
          if (socket !== this.socket) return;
          continue;
        }
        checkWelcome(decodeHandshake(unpack(frame)), this.ctx.identity, this.peer);
        this.handshakeDone();
      }
    } catch (error: unknown) {
      if (!(error instanceof TransportError)) throw error;
      this.reportFailure(socket, error);
    }
  }

  private connect(host: string, port: number): Socket {
    const tls = this.ctx.tls;
    if (tls === null) return connect({ host, port });
    // The CA check is OpenSSL's; the identity check (the node id, not the host name) is ours.
    return connectTls({
      host, port, secureContext: tls.secureContext, checkServerIdentity: () => undefined,
    });
  }

  /** The acceptor's certificate must name the node we dialled before we say who we are. */
  private sendHelloOverTls(socket: TLSSocket, hello: Uint8Array): void {
    if (socket !== this.socket) return;
    try {
      assertPeerCertificate(socket, { clusterId: this.ctx.identity.clusterId, nodeId: this.peer });
    } catch (error: unknown) {
      if (!(error instanceof TransportError)) throw error;
      this.reportFailure(socket, error);
      return;
    }
    socket.write(hello);
  }

  /** A misconfiguration repeats on every redial: log it as an error once, then quietly. */
  private reportFailure(socket: Socket, error: TransportError): void {
    const repeated = error.message === this.lastFailure;
    this.lastFailure = error.message;
    const { host, port } = this.address;
    const fields = { peer: this.peer, remote: `${host}:${port}`, code: error.code, err: error };
    const text = `Connection to peer ${this.peer} closed: ${error.message}`;
    if (repeated) this.ctx.logger.debug({ ...fields, repeated }, text);
    else this.ctx.logger.error({ ...fields, repeated }, text);
    socket.destroy();
  }

  private handshakeDone(): void {
    this.clearTimers();
    this.lastFailure = null;
    this.handshaken = true;
    this.backoff.reset();
    this.counters.connectsTotal += 1;
    this.ctx.logger.info({ peer: this.peer }, `Connected to peer ${this.peer}`);
    this.setState("connected");
    this.flush();
  }

  private handleClose(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = null;
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    if (this.linkState === "closed") return;
    if (this.handshaken) {
      this.ctx.logger.warn({ peer: this.peer }, `Lost connection to peer ${this.peer}`);
    }
    this.handshaken = false;
    this.setState("disconnected");
    const delayMs = this.backoff.nextDelayMs();
    this.retryTimer = setTimeout(() => { this.dial(); }, delayMs);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || !this.handshaken) return;
    this.flushScheduled = true;
    // Deferred to a microtask, so every message sent in this synchronous run (one Ready's sends,
    // or several Readys drained in a row) shares one write, without waiting for the next turn
    // of the event loop (a whole poll phase later: docs/performance.md).
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Writes queued batches until the queue is empty or the socket asks us to wait for 'drain'. */
  private flush(): void {
    const socket = this.socket;
    if (socket === null || !this.handshaken || this.linkState === "closed") return;
    while (this.queue.length > 0 && !socket.writableNeedDrain) {
      const batch = this.queue.takeBatch(this.ctx.limits.batchBytesMax);
      // One vectored write per batch: small frames are coalesced, large payloads not re-copied.
      socket.cork();
      for (const segment of frameSegments(batch)) {
        this.counters.bytesSent += segment.byteLength;
        socket.write(segment);
      }
      socket.uncork();
      this.counters.messagesSent += batch.length;
    }
  }

  private setState(state: PeerConnectionState): void {
    if (state === this.linkState) return;
    this.linkState = state;
    this.ctx.onState(this.peer, state);
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.retryTimer = null;
    this.handshakeTimer = null;
  }
}

/** An OpenSSL error (certificate verification, alert from the other side, protocol mismatch). */
function isTlsFailure(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  return code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") ||
    /CERT|UNABLE_TO|SELF_SIGNED|DEPTH_ZERO/.test(code);
}
