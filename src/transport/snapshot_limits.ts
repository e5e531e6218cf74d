/**
 * The bounds of snapshot streaming (STYLE.md rule 11), kept beside `TransportLimits` rather than
 * in it because their defaults depend on it: an InstallSnapshot whose data is larger than one
 * chunk travels as a transfer of chunks (snapshot_sender.ts), each small enough for a frame, with
 * only a few in flight per peer so heartbeats keep their place in the queue.
 */
import { constants as bufferConstants } from "node:buffer";
import { ConfigError } from "../core/index.js";
import type { TransportLimits } from "./limits.js";

export interface SnapshotStreamLimits {
  /**
   * Bytes of snapshot data per chunk frame; an InstallSnapshot with more data than this is
   * streamed. Default: 1 MiB, or less when `frameBytesMax` or `sendQueueBytesMax` could not
   * hold a window of such chunks.
   */
  readonly chunkBytes: number;
  /** Chunks sent but not yet acknowledged by the receiver, per peer. */
  readonly chunksInflightMax: number;
  /** Largest snapshot sent or accepted as a transfer; a larger one is dropped and logged. */
  readonly snapshotBytesMax: number;
  /** A transfer that makes no progress for this long (no ack, no reconnect) is given up. */
  readonly idleTimeoutMs: number;
  /** How long a receiver keeps the file of an interrupted transfer for the sender to resume. */
  readonly partialTtlMs: number;
}

/** Room for a chunk frame's fields around its data (msgpack map keys, id, offset, crc). */
export const SNAPSHOT_CHUNK_OVERHEAD_BYTES = 256;

const CHUNK_BYTES_DEFAULT = 1024 * 1024;

export const DEFAULT_SNAPSHOT_STREAM_LIMITS = {
  chunksInflightMax: 4,
  snapshotBytesMax: 2 * 1024 * 1024 * 1024,
  idleTimeoutMs: 10_000,
  partialTtlMs: 120_000,
} as const satisfies Omit<SnapshotStreamLimits, "chunkBytes">;

/** Every chunk must fit a frame, and a full window of them must fit the send queue. */
function chunkBytesFitting(limits: TransportLimits, inflight: number): number {
  const byFrame = limits.frameBytesMax - SNAPSHOT_CHUNK_OVERHEAD_BYTES;
  const byQueue = Math.floor(limits.sendQueueBytesMax / (inflight + 1));
  return Math.min(byFrame, byQueue);
}

/**
 * Fills defaults (the chunk size adapts to `limits` unless given) and validates.
 * @throws ConfigError naming the first invalid field or combination.
 */
export function resolveSnapshotStreamLimits(
  input: Partial<SnapshotStreamLimits>,
  limits: TransportLimits,
): SnapshotStreamLimits {
  const inflight = input.chunksInflightMax ?? DEFAULT_SNAPSHOT_STREAM_LIMITS.chunksInflightMax;
  const fitting = chunkBytesFitting(limits, inflight);
  const resolved: SnapshotStreamLimits = {
    ...DEFAULT_SNAPSHOT_STREAM_LIMITS,
    chunkBytes: Math.max(1, Math.min(CHUNK_BYTES_DEFAULT, fitting)),
    ...input,
  };
  for (const [field, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || (value as number) <= 0) {
      const got = JSON.stringify(value);
      throw new ConfigError(`snapshot.${field}`, `must be a positive integer, got ${got}`);
    }
  }
  if (resolved.chunkBytes > chunkBytesFitting(limits, resolved.chunksInflightMax)) {
    throw new ConfigError("snapshot.chunkBytes",
      `must leave ${SNAPSHOT_CHUNK_OVERHEAD_BYTES} bytes of frameBytesMax ` +
      `(${limits.frameBytesMax}) ` +
      `and fit chunksInflightMax + 1 times in sendQueueBytesMax (${limits.sendQueueBytesMax})`);
  }
  if (resolved.snapshotBytesMax > bufferConstants.MAX_LENGTH) {
    throw new ConfigError("snapshot.snapshotBytesMax",
      `must not exceed the largest Buffer (${bufferConstants.MAX_LENGTH} bytes)`);
  }
  if (resolved.partialTtlMs < resolved.idleTimeoutMs) {
    throw new ConfigError("snapshot.partialTtlMs",
      `must be at least idleTimeoutMs (${resolved.idleTimeoutMs}), or a resumable file ` +
      "could vanish while its sender is still retrying");
  }
  return resolved;
}
