/**
 * The receiving half of snapshot streaming, one per transport. Chunks are checked
 * (snapshot_assembler.ts) and written to a partial file per sender (snapshot_partial_file.ts);
 * on the end frame the file is read back, checked whole, and delivered to the node as ONE
 * ordinary InstallSnapshot, which the core and storage then persist atomically (§7).
 *
 * Every step of one sender's transfer runs in order on a promise chain (`tail`), so file writes
 * never interleave; the frames themselves are routed synchronously, and a sender that runs
 * ahead of its window is dropped, so memory stays bounded. A partial file outlives its
 * connection for `partialTtlMs`, keyed by sender, snapshot index and term, for the sender's
 * next attempt to resume; a newer snapshot replaces it. A bad chunk or end frame drops the
 * transfer and its file and tells the sender (SnapshotReject); the connection stays open.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { InstallSnapshot, NodeId } from "../core/index.js";
import { assert, assertNever } from "../core/index.js";
import { SnapshotAssembler, type SnapshotPrefix, verifyWhole } from "./snapshot_assembler.js";
import {
  encodeSnapshotFrame, installSnapshotOf, type SnapshotChunk, type SnapshotEnd,
  type SnapshotReceiverFrame, type SnapshotSenderFrame, type SnapshotStart,
} from "./snapshot_codec.js";
import { SnapshotTransferError } from "./snapshot_errors.js";
import type { SnapshotReporter } from "./snapshot_events.js";
import type { SnapshotStreamLimits } from "./snapshot_limits.js";
import {
  PartialFile, type PartialKey, partialFileName, sameSnapshot, scanPartials,
} from "./snapshot_partial_file.js";
import type { Logger } from "../core/logger.js";

/** The connection a transfer arrives on; replies go back on it. */
export interface ReplyChannel {
  /** Writes one frame payload to the sender; a no-op once the connection has closed. */
  reply(payload: Uint8Array): void;
}

export interface SnapshotReceiverContext {
  readonly dir: string;
  readonly limits: SnapshotStreamLimits;
  readonly logger: Logger;
  readonly reporter: SnapshotReporter;
  readonly deliver: (peer: NodeId, message: InstallSnapshot, bytes: number) => void;
}

/** One attempt: a start frame and what follows it on one connection. */
interface Attempt {
  readonly id: number;
  readonly channel: ReplyChannel;
  readonly start: SnapshotStart;
  assembler: SnapshotAssembler | null;
  /** Chunks received and not yet written. */
  pendingChunks: number;
}

interface Incoming {
  readonly key: PartialKey;
  readonly path: string;
  file: PartialFile | null;
  /** What the file holds; null for a file found at startup until its CRC32 has been read. */
  stored: SnapshotPrefix | null;
  attempt: Attempt | null;
  tail: Promise<void>;
  touchedMs: number;
  /** Delivered or dropped: steps still queued do nothing. */
  gone: boolean;
}

export class SnapshotReceiver {
  private readonly incoming = new Map<NodeId, Incoming>();
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(private readonly ctx: SnapshotReceiverContext) {}

  /** Creates the directory, deletes stale partial files and indexes the resumable ones. */
  async open(): Promise<void> {
    await mkdir(this.ctx.dir, { recursive: true });
    const { dir, limits } = this.ctx;
    const { kept, deleted } = await scanPartials(dir, limits.partialTtlMs, Date.now());
    if (deleted.length > 0) {
      this.ctx.logger.info({ dir: this.ctx.dir, deleted },
        `Deleted ${deleted.length} stale partial snapshot file(s)`);
    }
    for (const found of kept) {
      this.incoming.set(found.key.peer, {
        key: found.key, path: found.path, file: null, stored: null, attempt: null,
        tail: Promise.resolve(), touchedMs: Date.now(), gone: false,
      });
    }
    const { idleTimeoutMs, partialTtlMs } = this.ctx.limits;
    const everyMs = Math.max(10, Math.min(idleTimeoutMs, partialTtlMs) / 2);
    this.sweepTimer = setInterval(() => { this.sweep(); }, everyMs).unref();
  }

  /** Routes one frame from authenticated `peer`; never throws for bad input. */
  handleFrame(channel: ReplyChannel, peer: NodeId, frame: SnapshotSenderFrame): void {
    if (frame.type === "SnapshotStart") {
      this.handleStart(channel, peer, frame);
      return;
    }
    const record = this.incoming.get(peer);
    const attempt = record?.attempt;
    if (record === undefined || attempt?.channel !== channel || attempt.id !== frame.id) {
      // A frame of an attempt that ended (dropped, replaced or detached): harmless.
      this.ctx.logger.debug({ peer, type: frame.type, id: frame.id },
        "Ignored a frame of an ended snapshot transfer");
      return;
    }
    record.touchedMs = Date.now();
    switch (frame.type) {
      case "SnapshotChunk":
        this.handleChunk(record, attempt, frame);
        return;
      case "SnapshotEnd":
        this.step(record, attempt, () => this.finish(record, attempt, frame));
        return;
      case "SnapshotAbort":
        this.ctx.logger.info({ peer, id: frame.id, reason: frame.reason },
          `Peer ${peer} paused its snapshot transfer: ${frame.reason}`);
        record.attempt = null;
        return;
      default:
        assertNever(frame, "snapshot frame");
    }
  }

  /** The connection closed: its attempts pause, their files kept for a resume. */
  connectionClosed(channel: ReplyChannel): void {
    for (const record of this.incoming.values()) {
      if (record.attempt?.channel === channel) {
        record.attempt = null;
        record.touchedMs = Date.now();
      }
    }
  }

  /** The connection broke the protocol and is being closed: its transfers are dropped. */
  connectionFailed(channel: ReplyChannel, reason: string): void {
    for (const record of [...this.incoming.values()]) {
      const attempt = record.attempt;
      if (attempt?.channel !== channel) continue;
      this.drop(record, attempt, new SnapshotTransferError("PROTOCOL", reason));
    }
  }

  /** Waits for queued writes and closes the files, keeping them for a resume after restart. */
  async close(): Promise<void> {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    const records = [...this.incoming.values()];
    for (const record of records) record.attempt = null;
    await Promise.all(records.map(async (record) => {
      await record.tail;
      await record.file?.close();
      record.file = null;
    }));
  }

  private handleStart(channel: ReplyChannel, peer: NodeId, start: SnapshotStart): void {
    const key: PartialKey = { peer, index: start.metadata.index, term: start.metadata.term };
    let record = this.incoming.get(peer);
    let after = Promise.resolve();
    if (record?.gone === true) {
      after = record.tail; // it is being delivered: start afresh once its file is gone
      record = undefined;
    } else if (record !== undefined && (!sameSnapshot(record.key, key) || !start.resume)) {
      after = this.discard(record);
      record = undefined;
    }
    for (const other of this.incoming.values()) {
      if (other.attempt === null && other.key.index < key.index) void this.discard(other);
    }
    if (record === undefined) {
      record = {
        key, path: join(this.ctx.dir, partialFileName(key)), file: null,
        stored: { offset: 0, crc: 0 }, attempt: null, tail: after, touchedMs: 0, gone: false,
      };
      this.incoming.set(peer, record);
    }
    const attempt: Attempt = { id: start.id, channel, start, assembler: null, pendingChunks: 0 };
    record.attempt = attempt;
    record.touchedMs = Date.now();
    const accepted = record;
    this.step(accepted, attempt, () => this.begin(accepted, attempt));
  }

  /** Opens the file and answers with the resume point: the length and CRC32 it holds. */
  private async begin(record: Incoming, attempt: Attempt): Promise<void> {
    if (record.attempt !== attempt) return; // replaced before it began
    if (record.file === null) {
      const fresh = record.stored !== null && record.stored.offset === 0;
      record.file = await PartialFile.open(record.path, fresh);
    }
    if (record.stored === null) {
      const bytes = Math.min(await record.file.size(), this.ctx.limits.snapshotBytesMax);
      record.stored = { offset: bytes, crc: await record.file.prefixCrc(bytes) };
      await record.file.truncate(bytes);
    }
    attempt.assembler = new SnapshotAssembler(record.stored, this.ctx.limits.snapshotBytesMax);
    const { offset, crc } = record.stored;
    const fields = { peer: record.key.peer, index: record.key.index, offset };
    this.ctx.logger.info(fields, offset > 0
      ? `Resuming snapshot ${record.key.index} from peer ${record.key.peer} at byte ${offset}`
      : `Receiving snapshot ${record.key.index} from peer ${record.key.peer}`);
    this.reply(attempt, { type: "SnapshotAck", id: attempt.id, offset, crc, done: false });
  }

  private handleChunk(record: Incoming, attempt: Attempt, chunk: SnapshotChunk): void {
    attempt.pendingChunks += 1;
    if (attempt.pendingChunks > 2 * this.ctx.limits.chunksInflightMax) {
      const error = new SnapshotTransferError("WINDOW_EXCEEDED",
        `${attempt.pendingChunks} chunks unwritten, over 2 x chunksInflightMax`);
      this.drop(record, attempt, error);
      return;
    }
    this.step(record, attempt, async () => {
      attempt.pendingChunks -= 1;
      const { assembler, file } = { assembler: attempt.assembler, file: record.file };
      assert(assembler !== null && file !== null, "chunk step before its start step");
      assembler.accept(chunk);
      await file.write(chunk.data, chunk.offset);
      record.stored = assembler.prefix;
      const { offset, crc } = assembler.prefix;
      this.ctx.reporter.count("chunkBytesReceived", chunk.data.byteLength);
      const { peer, index } = record.key;
      this.ctx.reporter.emit({ kind: "chunkStored", peer, index, offset });
      this.reply(attempt, { type: "SnapshotAck", id: attempt.id, offset, crc, done: false });
    });
  }

  /** Checks the end frame and the file read back, then delivers the InstallSnapshot. */
  private async finish(record: Incoming, attempt: Attempt, end: SnapshotEnd): Promise<void> {
    const { assembler, file } = { assembler: attempt.assembler, file: record.file };
    assert(assembler !== null && file !== null, "end step before its start step");
    assembler.finish(end);
    const data = await file.readAll(end.bytes);
    verifyWhole(data, end);
    record.gone = true;
    await file.remove();
    record.file = null;
    this.forget(record);
    const { peer, index } = record.key;
    this.ctx.logger.info({ peer, index, bytes: end.bytes },
      `Received snapshot ${index} (${end.bytes} bytes) from peer ${peer}`);
    this.ctx.reporter.emit({ kind: "delivered", peer, index, bytes: end.bytes });
    this.ctx.deliver(peer, installSnapshotOf(attempt.start, data), end.bytes);
    this.reply(attempt, {
      type: "SnapshotAck", id: attempt.id, offset: end.bytes, crc: end.crc, done: true,
    });
  }

  /** Runs `work` after every earlier step of this sender's transfer; failures drop it. */
  private step(record: Incoming, attempt: Attempt, work: () => Promise<void>): void {
    record.tail = record.tail.then(async () => {
      if (!record.gone) await work();
    }).catch((error: unknown) => { this.drop(record, attempt, asTransferError(error)); });
  }

  /** Drops the transfer and its file, logs why, and tells the sender. */
  private drop(record: Incoming, attempt: Attempt, error: SnapshotTransferError): void {
    if (record.gone) return;
    const current = record.attempt;
    for (const to of new Set([attempt, current])) {
      if (to !== null) this.reply(to, { type: "SnapshotReject", id: to.id, reason: error.reason });
    }
    const { peer, index } = record.key;
    // Reported once the file is gone, so "dropped" means nothing of it is left behind.
    void this.discard(record).then(() => {
      this.ctx.logger.warn({ peer, index, code: error.code, reason: error.reason, err: error },
        `Dropped snapshot ${index} from peer ${peer}: ${error.message}`);
      this.ctx.reporter.emit({ kind: "dropped", peer, index, reason: error.reason });
    });
  }

  /** Forgets `record` and deletes its file once its queued steps have run. */
  private discard(record: Incoming): Promise<void> {
    record.gone = true;
    record.attempt = null;
    this.forget(record);
    const removed = record.tail.then(async () => {
      await (record.file === null ? rm(record.path, { force: true }) : record.file.remove());
      record.file = null;
    }).catch((error: unknown) => {
      const fields = { path: record.path, err: error };
      this.ctx.logger.warn(fields, "Could not delete a partial snapshot");
    });
    record.tail = removed;
    return removed;
  }

  private forget(record: Incoming): void {
    if (this.incoming.get(record.key.peer) === record) this.incoming.delete(record.key.peer);
  }

  /** Expires files left too long without an attempt, and attempts that stopped moving. */
  private sweep(): void {
    const now = Date.now();
    const { idleTimeoutMs, partialTtlMs } = this.ctx.limits;
    for (const record of [...this.incoming.values()]) {
      const attempt = record.attempt;
      if (attempt !== null && now - record.touchedMs > Math.max(idleTimeoutMs, partialTtlMs)) {
        this.drop(record, attempt, new SnapshotTransferError("TIMEOUT", "the sender went quiet"));
      } else if (attempt === null && now - record.touchedMs > partialTtlMs) {
        this.ctx.logger.info({ peer: record.key.peer, index: record.key.index },
          "Deleted an expired partial snapshot");
        void this.discard(record);
      }
    }
  }

  private reply(attempt: Attempt, frame: SnapshotReceiverFrame): void {
    attempt.channel.reply(encodeSnapshotFrame(frame));
  }
}

/**
 * Expected failures: a transfer check, or a file-system error (which carries a `syscall`).
 * Anything else is a bug and is rethrown (fail-stop, STYLE.md rule 9).
 */
function asTransferError(error: unknown): SnapshotTransferError {
  if (error instanceof SnapshotTransferError) return error;
  const isSystemError = error instanceof Error && "syscall" in error;
  if (isSystemError) return new SnapshotTransferError("IO", error.message, { cause: error });
  throw error;
}
