/**
 * Every limit of the RESP server in one place (STYLE.md rule 11), with defaults and validation
 * that rejects bad values and combinations up front.
 *
 * Memory bound: one connection buffers at most `requestBytesMax` (+ one socket chunk) of request
 * bytes and `pipelineRequestsMax` unwritten replies; the server holds at most `clientsMax`
 * connections. `partialRequestTimeoutMs` closes a connection that sits on an incomplete request
 * (slowloris), so such a peer cannot hold its buffer forever. Across connections, the shared
 * `ClientResources` (client_resources.ts) caps the total and the connections per address.
 */
import { ConfigError } from "../../core/index.js";
import { DEFAULT_STORE_LIMITS } from "../../kv/index.js";

export interface RespServerOptions {
  readonly host: string;
  /** 0 picks an ephemeral port (tests). */
  readonly port: number;
  readonly clientsMax: number;
  /** Requests read but not yet answered on one connection before it stops reading. */
  readonly pipelineRequestsMax: number;
  /**
   * Largest bulk string (Redis's proto-max-bulk-len, 512 MiB there). Smaller here because every
   * value is replicated through the Raft log; the store's own value limit may be smaller still.
   */
  readonly bulkBytesMax: number;
  readonly arrayLengthMax: number;
  readonly inlineBytesMax: number;
  readonly requestBytesMax: number;
  /** An incomplete request that makes no progress for this long closes its connection. */
  readonly partialRequestTimeoutMs: number;
  /**
   * Requests one connection parses and starts per turn of the event loop before it yields to
   * timers and other sockets (fairness: Raft's heartbeats must not wait behind a pipeline).
   */
  readonly commandsPerTurnMax: number;
  /** Bytes one connection reads per turn of the event loop before it yields (fairness). */
  readonly inputBytesPerTurnMax: number;
  /** Longest key a command may name (the store's keyBytesMax; the HTTP API uses the same). */
  readonly keyBytesMax: number;
}

export const DEFAULT_RESP_SERVER_OPTIONS: RespServerOptions = {
  host: "127.0.0.1",
  port: 6379,
  clientsMax: 10_000,
  pipelineRequestsMax: 256,
  bulkBytesMax: 16 * 1024 * 1024,
  arrayLengthMax: 64 * 1024,
  inlineBytesMax: 64 * 1024,
  requestBytesMax: 32 * 1024 * 1024,
  partialRequestTimeoutMs: 60_000,
  commandsPerTurnMax: 64,
  inputBytesPerTurnMax: 64 * 1024,
  keyBytesMax: DEFAULT_STORE_LIMITS.keyBytesMax,
};

function assertPositive(options: RespServerOptions, field: keyof RespServerOptions): void {
  const value = options[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive integer, got ${String(value)}`);
  }
}

/**
 * Fills in defaults and checks the result.
 * @throws ConfigError naming the first bad field.
 */
export function resolveRespServerOptions(options: Partial<RespServerOptions>): RespServerOptions {
  const resolved = { ...DEFAULT_RESP_SERVER_OPTIONS, ...options };
  for (const field of [
    "clientsMax", "pipelineRequestsMax", "bulkBytesMax", "arrayLengthMax", "inlineBytesMax",
    "requestBytesMax", "partialRequestTimeoutMs", "commandsPerTurnMax", "inputBytesPerTurnMax",
    "keyBytesMax",
  ] as const) {
    assertPositive(resolved, field);
  }
  if (!Number.isSafeInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    throw new ConfigError("port", `must be 0..65535, got ${resolved.port}`);
  }
  if (resolved.bulkBytesMax > resolved.requestBytesMax) {
    throw new ConfigError("bulkBytesMax", `(${resolved.bulkBytesMax}) must not exceed ` +
      `requestBytesMax (${resolved.requestBytesMax})`);
  }
  return resolved;
}
