/**
 * Every bound of the transport in one place (STYLE.md rule 11). `validateTransportLimits` rejects
 * bad values and combinations up front, naming the field, so a misconfigured node never starts.
 */
import { ConfigError } from "../core/index.js";

export interface TransportLimits {
  /** Largest frame payload accepted or sent. Must hold the largest message (whole snapshots). */
  readonly frameBytesMax: number;
  /** Messages waiting for one peer beyond which `send` drops (Raft tolerates loss, §5.1). */
  readonly sendQueueMessagesMax: number;
  /** Bytes waiting for one peer beyond which `send` drops. */
  readonly sendQueueBytesMax: number;
  /** Bytes coalesced into one socket write (a single larger frame is written alone). */
  readonly batchBytesMax: number;
  /** Time allowed to dial and complete the handshake, in either direction. */
  readonly handshakeTimeoutMs: number;
  /** Inbound connections held at once, authenticated or not. */
  readonly inboundConnectionsMax: number;
}

export interface BackoffOptions {
  /** Delay before the first reconnect attempt; doubles per failure up to `maxMs`. */
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_TRANSPORT_LIMITS = {
  frameBytesMax: 64 * 1024 * 1024,
  sendQueueMessagesMax: 4096,
  sendQueueBytesMax: 128 * 1024 * 1024,
  batchBytesMax: 256 * 1024,
  handshakeTimeoutMs: 5000,
  inboundConnectionsMax: 256,
} as const satisfies TransportLimits;

export const DEFAULT_BACKOFF = { initialMs: 50, maxMs: 2000 } as const satisfies BackoffOptions;

/** The length prefix is a uint32. */
export const FRAME_BYTES_LIMIT = 0xffff_ffff;

function positiveInteger(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

/** @throws ConfigError naming the first invalid field or combination. */
export function validateTransportLimits(limits: TransportLimits): TransportLimits {
  for (const [field, value] of Object.entries(limits)) positiveInteger(field, value as number);
  if (limits.frameBytesMax > FRAME_BYTES_LIMIT) {
    const limit = FRAME_BYTES_LIMIT;
    throw new ConfigError("frameBytesMax", `must fit the uint32 length prefix (<= ${limit})`);
  }
  if (limits.frameBytesMax > limits.sendQueueBytesMax) {
    throw new ConfigError(
      "frameBytesMax",
      "must not exceed sendQueueBytesMax, or a largest message could never be queued",
    );
  }
  return limits;
}

/** @throws ConfigError naming the first invalid field or combination. */
export function validateBackoff(backoff: BackoffOptions): BackoffOptions {
  positiveInteger("backoff.initialMs", backoff.initialMs);
  positiveInteger("backoff.maxMs", backoff.maxMs);
  if (backoff.initialMs > backoff.maxMs) {
    throw new ConfigError("backoff.initialMs", `must not exceed backoff.maxMs (${backoff.maxMs})`);
  }
  return backoff;
}
