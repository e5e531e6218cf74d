/**
 * The sending half of snapshot streaming, one per peer. An InstallSnapshot too large for one
 * chunk becomes a transfer: a start frame, then chunks of `chunkBytes` queued on the peer's link
 * between ordinary messages, at most `chunksInflightMax` ahead of the receiver's acks (so the
 * socket never holds the whole snapshot and heartbeats wait behind a few chunks at most), then
 * an end frame with the CRC32 of the whole. The receiver answers the start with the length and
 * CRC32 of the prefix it already holds; if that matches our data the transfer resumes there,
 * else it restarts at 0.
 *
 * At most one transfer per peer: the core's retry of the same InstallSnapshot while it is under
 * way is absorbed, a different snapshot replaces it. A lost connection pauses the transfer and
 * the next connection resumes it; a transfer without progress for `idleTimeoutMs` is given up,
 * so the core's next retry always starts a new one and a follower is never left stuck (§7).
 */
import { crc32 } from "node:zlib";
import type { InstallSnapshot, NodeId } from "../core/index.js";
import { assertNever } from "../core/index.js";
import {
  encodeSnapshotFrame, type SnapshotReceiverFrame, type SnapshotSenderFrame,
} from "./snapshot_codec.js";
import type { SnapshotReporter } from "./snapshot_events.js";
import type { SnapshotStreamLimits } from "./snapshot_limits.js";
import type { Logger } from "../core/logger.js";

export interface SnapshotSenderContext {
  readonly peer: NodeId;
  readonly limits: SnapshotStreamLimits;
  readonly logger: Logger;
  readonly reporter: SnapshotReporter;
  /** Queues one frame payload on the peer's link; false if it was refused (queue full). */
  readonly enqueue: (payload: Uint8Array) => boolean;
  readonly isConnected: () => boolean;
}

type Phase =
  /** No connection: the attempt starts on the next one. */
  | "waiting"
  /** Start sent; waiting for the receiver's resume point. */
  | "starting"
  | "streaming"
  /** End sent; waiting for the receiver to verify and deliver. */
  | "ending";

interface Outgoing {
  readonly message: InstallSnapshot;
  readonly data: Uint8Array;
  /** The current attempt's id; frames answering an older attempt are ignored. */
  id: number;
  phase: Phase;
  /** Bytes queued so far, and the CRC32 of them. */
  sent: number;
  sentCrc: number;
  /** Bytes the receiver confirmed stored. */
  acked: number;
  readonly timer: NodeJS.Timeout;
}

/**
 * CRC32 of each prefix ending at a chunk boundary, per snapshot buffer, so checking the
 * receiver's resume point costs a lookup instead of a pass over the prefix.
 */
const boundaryCrcs = new WeakMap<Uint8Array, Map<number, number>>();

function prefixCrc(data: Uint8Array, offset: number): number {
  return boundaryCrcs.get(data)?.get(offset) ?? crc32(data.subarray(0, offset));
}

function rememberCrc(data: Uint8Array, offset: number, crc: number): void {
  let known = boundaryCrcs.get(data);
  if (known === undefined) boundaryCrcs.set(data, (known = new Map<number, number>()));
  known.set(offset, crc);
}

function sameTransfer(a: InstallSnapshot, b: InstallSnapshot): boolean {
  const [x, y] = [a.snapshot.metadata, b.snapshot.metadata];
  return a.term === b.term && x.index === y.index && x.term === y.term;
}

export class SnapshotSender {
  private current: Outgoing | null = null;
  private lastId = 0;

  constructor(private readonly ctx: SnapshotSenderContext) {}

  /** Whether `message` travels as a transfer rather than as one frame. */
  static streams(message: InstallSnapshot, limits: SnapshotStreamLimits): boolean {
    return message.snapshot.data.byteLength > limits.chunkBytes;
  }

  /** Whether a transfer is under way (for tests and stats). */
  get busy(): boolean {
    return this.current !== null;
  }

  /**
   * Starts streaming `message`, unless the same snapshot is already under way (absorbed).
   * Returns false if it was dropped at once (larger than `snapshotBytesMax`, queue full).
   */
  offer(message: InstallSnapshot): boolean {
    const { data, metadata } = message.snapshot;
    if (data.byteLength > this.ctx.limits.snapshotBytesMax) {
      const fields = { peer: this.ctx.peer, index: metadata.index, bytes: data.byteLength };
      this.ctx.logger.warn(fields, `Dropped a snapshot of ${data.byteLength} bytes for peer ` +
        `${this.ctx.peer}: over snapshotBytesMax (${this.ctx.limits.snapshotBytesMax})`);
      return false;
    }
    const current = this.current;
    if (current !== null && sameTransfer(current.message, message)) {
      this.ctx.reporter.count("duplicatesIgnored");
      return true;
    }
    this.supersede(message);
    const timer = setTimeout(() => {
      this.fail(outgoing, `no progress within ${this.ctx.limits.idleTimeoutMs} ms`);
    }, this.ctx.limits.idleTimeoutMs).unref();
    const outgoing: Outgoing = {
      message, data, id: 0, phase: "waiting", sent: 0, sentCrc: 0, acked: 0, timer,
    };
    this.current = outgoing;
    if (this.ctx.isConnected()) this.open(outgoing, true);
    return this.current === outgoing;
  }

  /** Ends a transfer that `message` (a newer snapshot, maybe sent whole) makes pointless. */
  supersede(message: InstallSnapshot): void {
    const current = this.current;
    if (current !== null && !sameTransfer(current.message, message)) {
      this.fail(current, "superseded by another InstallSnapshot");
    }
  }

  /** The link (re)connected: a paused transfer resumes. */
  connected(): void {
    const current = this.current;
    if (current?.phase === "waiting") this.open(current, true);
  }

  /** The link lost its connection: whatever the attempt had queued is gone with it. */
  disconnected(): void {
    if (this.current !== null) this.current.phase = "waiting";
  }

  handleReply(reply: SnapshotReceiverFrame): void {
    const out = this.current;
    if (out === null || reply.id !== out.id || out.phase === "waiting") return;
    out.timer.refresh();
    switch (reply.type) {
      case "SnapshotReject":
        this.fail(out, `the receiver dropped it (${reply.reason})`, false);
        return;
      case "SnapshotAck":
        this.handleAck(out, reply.offset, reply.crc, reply.done);
        return;
      default:
        assertNever(reply, "snapshot reply");
    }
  }

  /** Forgets any transfer (the transport is closing or the peer was removed). */
  close(): void {
    if (this.current !== null) clearTimeout(this.current.timer);
    this.current = null;
  }

  private handleAck(out: Outgoing, offset: number, crc: number, done: boolean): void {
    if (out.phase === "starting") {
      const resumable = offset <= out.data.byteLength && prefixCrc(out.data, offset) === crc;
      if (!resumable) {
        const fields = { peer: this.ctx.peer, offset };
        this.ctx.logger.info(fields, `Peer ${this.ctx.peer} holds ${offset} bytes of another ` +
          "snapshot image; restarting the transfer at 0");
        this.open(out, false);
        return;
      }
      Object.assign(out, { phase: "streaming", sent: offset, sentCrc: crc, acked: offset });
      const index = out.message.snapshot.metadata.index;
      this.ctx.reporter.emit({
        kind: "sendStarted", peer: this.ctx.peer, index, resumedFromBytes: offset,
      });
    } else if (done && out.phase === "ending") {
      this.complete(out);
      return;
    }
    out.acked = Math.max(out.acked, Math.min(offset, out.sent));
    this.pump(out);
  }

  private open(out: Outgoing, resume: boolean): void {
    Object.assign(out, { id: ++this.lastId, phase: "starting", sent: 0, sentCrc: 0, acked: 0 });
    out.timer.refresh();
    const { from, to, term, snapshot } = out.message;
    this.push(out, {
      type: "SnapshotStart", id: out.id, from, to, term, metadata: snapshot.metadata, resume,
    });
  }

  /** Queues chunks while the window allows, then the end frame. */
  private pump(out: Outgoing): void {
    const { chunkBytes, chunksInflightMax } = this.ctx.limits;
    const total = out.data.byteLength;
    while (out.phase === "streaming" && out.sent < total
      && out.sent - out.acked < chunkBytes * chunksInflightMax) {
      const data = out.data.subarray(out.sent, Math.min(out.sent + chunkBytes, total));
      if (!this.push(out, {
        type: "SnapshotChunk", id: out.id, offset: out.sent, crc: crc32(data), data,
      })) return;
      out.sent += data.byteLength;
      out.sentCrc = crc32(data, out.sentCrc);
      rememberCrc(out.data, out.sent, out.sentCrc);
      this.ctx.reporter.count("chunkBytesSent", data.byteLength);
    }
    if (out.phase === "streaming" && out.sent === total) {
      out.phase = "ending";
      this.push(out, { type: "SnapshotEnd", id: out.id, bytes: total, crc: out.sentCrc });
    }
  }

  /** Queues a frame; a refusal (queue full) gives the transfer up. */
  private push(out: Outgoing, frame: SnapshotSenderFrame): boolean {
    if (this.ctx.enqueue(encodeSnapshotFrame(frame))) return true;
    this.fail(out, "the send queue is full", false);
    return false;
  }

  private complete(out: Outgoing): void {
    clearTimeout(out.timer);
    this.current = null;
    const index = out.message.snapshot.metadata.index;
    const bytes = out.data.byteLength;
    this.ctx.logger.info({ peer: this.ctx.peer, index, bytes },
      `Streamed snapshot ${index} (${bytes} bytes) to peer ${this.ctx.peer}`);
    this.ctx.reporter.emit({ kind: "sendCompleted", peer: this.ctx.peer, index, bytes });
  }

  /**
   * Gives the transfer up. The receiver is told to detach the attempt (it keeps the partial
   * file, so the core's retry of the same snapshot resumes rather than restarts).
   */
  private fail(out: Outgoing, reason: string, tellReceiver = true): void {
    if (this.current !== out) return;
    clearTimeout(out.timer);
    this.current = null;
    if (tellReceiver && out.phase !== "waiting" && this.ctx.isConnected()) {
      this.ctx.enqueue(encodeSnapshotFrame({ type: "SnapshotAbort", id: out.id, reason }));
    }
    const index = out.message.snapshot.metadata.index;
    this.ctx.logger.warn({ peer: this.ctx.peer, index, sent: out.sent, reason },
      `Gave up streaming snapshot ${index} to peer ${this.ctx.peer}: ${reason}`);
    this.ctx.reporter.emit({ kind: "sendFailed", peer: this.ctx.peer, index, reason });
  }
}
