/**
 * A hostile peer for tests: a raw socket that completes the peer handshake claiming any node id
 * and then writes whatever frames it is given, checked by nothing on the sending side. It plays
 * the attacker of issue #11 (a process on the network that knows the cluster id and member ids)
 * or a compromised member, so tests can show what the receiving node does with forged input.
 * Only tests import this file.
 */
import { connect, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import type { NodeId } from "../../core/index.js";
import { encodeFrame, FrameDecoder } from "../frame.js";
import { decodeHandshake, helloFrame, type HandshakeFrame } from "../handshake.js";
import { newUnpacker, packValue } from "../msgpack.js";
import { peerTlsOptions, type PeerTlsMaterial } from "../peer_tls.js";

export interface ForgedPeerOptions {
  readonly host: string;
  readonly port: number;
  readonly clusterId: string;
  /** The node id the forger claims to be. */
  readonly claimedId: NodeId;
  /** The node it dials. */
  readonly to: NodeId;
  /**
   * Mutual TLS with this certificate (a compromised member's, or one naming another node);
   * plaintext without it.
   */
  readonly tls?: PeerTlsMaterial;
}

/**
 * Dials `options.to`, says hello as `options.claimedId`, and once welcomed writes each value of
 * `payloads` msgpack-encoded in its own frame (a value may be any object: a well-formed
 * message, or one with forged fields). Resolves with the handshake answer once the frames are
 * written; the socket is then ended. Rejects if the connection fails before an answer.
 */
export function sendForgedFrames(
  options: ForgedPeerOptions, payloads: readonly unknown[],
): Promise<HandshakeFrame> {
  return new Promise((resolve, reject) => {
    const { host, port, tls } = options;
    const socket: Socket = tls === undefined
      ? connect({ host, port })
      : connectTls({ host, port, ...peerTlsOptions(tls), rejectUnauthorized: false });
    const decoder = new FrameDecoder(64 * 1024);
    let answered = false;
    socket.on("error", (error) => { if (!answered) reject(error); });
    socket.on("close", () => {
      if (!answered) reject(new Error("the connection closed before the handshake answer"));
    });
    socket.on("data", (chunk: Buffer) => {
      if (answered) return;
      decoder.push(chunk);
      const frame = decoder.next();
      if (frame === null) return;
      answered = true;
      const answer = decodeHandshake(newUnpacker()(frame));
      if (answer.kind === "welcome") {
        for (const payload of payloads) socket.write(encodeFrame(packValue(payload)));
      }
      socket.end(() => { resolve(answer); });
    });
    const { clusterId, claimedId } = options;
    const identity = { clusterId, nodeId: claimedId, isPeer: () => true };
    socket.write(encodeFrame(packValue(helloFrame(identity, options.to))));
  });
}
