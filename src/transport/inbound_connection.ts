/**
 * The inbound half of the TCP topology: a connection a peer dialled to send to us. Until the
 * handshake succeeds only one small frame is accepted; afterwards every frame must hold a
 * well-formed message from the authenticated peer to this node. Any bad input (garbage, an
 * oversized or truncated frame, a refused handshake, a malformed or misaddressed message) is
 * logged and closes this connection only: nothing reaches the node and nothing is thrown.
 *
 * Over TLS (peer_tls.ts) the socket is a server-side TLSSocket asking for the peer's certificate:
 * one that did not verify against the cluster CA is refused as soon as the TLS handshake ends,
 * and the Hello is accepted only if the certificate names the node it claims (peer_identity.ts).
 */
import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import type { Message, NodeId } from "../core/index.js";
import {
  HandshakeError, MessageDecodeError, MessageMisaddressedError, TransportError,
} from "./errors.js";
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder } from "./frame.js";
import {
  checkHello, decodeHandshake, encodeHandshake, HANDSHAKE_BYTES_MAX, type HandshakeFrame,
  type HandshakeIdentity, rejectFrame, welcomeFrame,
} from "./handshake.js";
import type { TransportLimits } from "./limits.js";
import { newUnpacker } from "./msgpack.js";
import { assertPeerCertificate } from "./peer_identity.js";
import { decodeInboundFrame, type SnapshotSenderFrame } from "./snapshot_codec.js";
import type { ReplyChannel } from "./snapshot_receiver.js";
import type { Logger } from "../core/logger.js";

export interface InboundContext {
  readonly identity: HandshakeIdentity;
  readonly limits: TransportLimits;
  readonly logger: Logger;
  /** Called once the peer is authenticated; the transport closes any older connection from it. */
  readonly authenticated: (connection: InboundConnection, peer: NodeId) => void;
  readonly deliver: (peer: NodeId, message: Message, frameBytes: number) => void;
  /** A frame of a snapshot transfer from `peer` (snapshot_receiver.ts). */
  readonly snapshotFrame: (
    connection: InboundConnection, peer: NodeId, frame: SnapshotSenderFrame,
  ) => void;
  readonly rejected: (connection: InboundConnection, error: TransportError) => void;
  readonly closed: (connection: InboundConnection) => void;
}

export class InboundConnection implements ReplyChannel {
  private authenticatedPeer: NodeId | null = null;
  private finished = false;
  private readonly decoder = new FrameDecoder(HANDSHAKE_BYTES_MAX);
  private readonly unpack = newUnpacker();
  private readonly handshakeTimer: NodeJS.Timeout;
  readonly remote: string;

  constructor(private readonly socket: Socket, private readonly ctx: InboundContext) {
    this.remote = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
    socket.setNoDelay(true);
    this.handshakeTimer = setTimeout(() => {
      const timeoutMs = ctx.limits.handshakeTimeoutMs;
      this.reject(new HandshakeError("TIMEOUT", `no handshake within ${timeoutMs} ms`));
    }, ctx.limits.handshakeTimeoutMs);
    socket.on("data", (chunk: Buffer) => { this.handleData(chunk); });
    socket.on("end", () => { this.handleEnd(); });
    socket.on("error", (error) => { this.handleError(error); });
    socket.on("close", () => {
      clearTimeout(this.handshakeTimer);
      this.finished = true;
      ctx.closed(this);
    });
    // A TLS socket arrives with its handshake done (tls.Server's secureConnection).
    if (socket instanceof TLSSocket) this.refuseIfUntrusted(socket);
  }

  get peer(): NodeId | null {
    return this.authenticatedPeer;
  }

  /** Closes the connection without logging an error (shutdown, or replaced by a newer one). */
  destroy(): Promise<void> {
    this.finished = true;
    clearTimeout(this.handshakeTimer);
    if (this.socket.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => { resolve(); });
      this.socket.destroy();
    });
  }

  /** Refuses at once a peer whose certificate did not verify against the cluster CA. */
  private refuseIfUntrusted(socket: TLSSocket): void {
    if (socket.authorized) return;
    const why = String(socket.authorizationError);
    this.reject(new HandshakeError("UNTRUSTED_CERTIFICATE",
      `the peer's certificate is missing or not signed by the cluster CA (${why})`));
  }

  /** A failed TLS handshake is a refused peer: said at error level, with the remote address. */
  private handleError(error: Error): void {
    const fields = { remote: this.remote, peer: this.peer, err: error };
    if (!(this.socket instanceof TLSSocket) || this.authenticatedPeer !== null || this.finished) {
      this.ctx.logger.debug(fields, "Inbound connection error");
      return;
    }
    this.finished = true;
    clearTimeout(this.handshakeTimer);
    this.ctx.logger.error({ ...fields, code: "TLS_HANDSHAKE_FAILED" },
      `Refused inbound peer connection from ${this.remote}: TLS handshake failed: ${error.message}`);
    this.ctx.rejected(this, new HandshakeError("UNTRUSTED_CERTIFICATE", error.message));
  }

  private handleData(chunk: Buffer): void {
    if (this.finished) return;
    try {
      this.decoder.push(chunk);
      // `reject` (inside handleFrame) sets `finished`: stop at once, deliver nothing after it.
      for (let frame = this.decoder.next(); frame !== null; frame = this.decoder.next()) {
        this.handleFrame(frame);
        if (this.isFinished()) return;
      }
    } catch (error: unknown) {
      if (!(error instanceof TransportError)) throw error;
      this.reject(error);
    }
  }

  private isFinished(): boolean {
    return this.finished;
  }

  private handleFrame(frame: Uint8Array): void {
    const peer = this.authenticatedPeer;
    if (peer === null) {
      const from = checkHello(this.decodeHello(frame), this.ctx.identity);
      if (this.socket instanceof TLSSocket) {
        const { clusterId } = this.ctx.identity;
        assertPeerCertificate(this.socket, { clusterId, nodeId: from });
      }
      this.authenticatedPeer = from;
      clearTimeout(this.handshakeTimer);
      this.decoder.frameBytesMax = this.ctx.limits.frameBytesMax;
      this.socket.write(encodeFrame(encodeHandshake(welcomeFrame(this.ctx.identity, from))));
      this.ctx.authenticated(this, from);
      return;
    }
    const inbound = decodeInboundFrame(this.unpack(frame));
    if (inbound.kind === "snapshot") {
      const start = inbound.frame;
      if (start.type === "SnapshotStart") this.checkAddress(start.from, start.to, peer);
      this.ctx.snapshotFrame(this, peer, inbound.frame);
      return;
    }
    const message = inbound.message;
    this.checkAddress(message.from, message.to, peer);
    this.ctx.deliver(peer, message, frame.byteLength + FRAME_HEADER_BYTES);
  }

  /** Writes a snapshot reply back to the peer; dropped once the connection is finished. */
  reply(payload: Uint8Array): void {
    if (!this.finished && !this.socket.destroyed) this.socket.write(encodeFrame(payload));
  }

  private checkAddress(from: NodeId, to: NodeId, peer: NodeId): void {
    if (from !== peer) {
      throw new MessageMisaddressedError(`from ${from} on the connection authenticated as ${peer}`);
    }
    if (to !== this.ctx.identity.nodeId) {
      const self = this.ctx.identity.nodeId;
      throw new MessageMisaddressedError(`to ${to}, but this is node ${self}`);
    }
  }

  /** A handshake that does not decode is still answered, so the dialler learns why. */
  private decodeHello(frame: Uint8Array): HandshakeFrame {
    try {
      return decodeHandshake(this.unpack(frame));
    } catch (error: unknown) {
      if (!(error instanceof MessageDecodeError)) throw error;
      throw new HandshakeError("MALFORMED", error.message);
    }
  }

  private handleEnd(): void {
    if (this.finished) return;
    try {
      this.decoder.finish();
    } catch (error: unknown) {
      if (!(error instanceof TransportError)) throw error;
      this.reject(error);
    }
  }

  /** Logs why, tells a handshaking peer why (so both sides log it), and closes. */
  private reject(error: TransportError): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.handshakeTimer);
    const peer = this.authenticatedPeer;
    this.ctx.logger.error(
      { remote: this.remote, peer, code: error.code, err: error },
      `Closed inbound connection from ${peer ?? this.remote}: ${error.message}`,
    );
    this.ctx.rejected(this, error);
    if (peer === null && error instanceof HandshakeError) {
      const refusal = encodeFrame(encodeHandshake(rejectFrame(error)));
      this.socket.end(refusal, () => this.socket.destroy());
    } else {
      this.socket.destroy();
    }
  }
}
