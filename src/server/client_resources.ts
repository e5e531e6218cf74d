/**
 * The resource limits both client front ends share, and the one set of trackers that enforces
 * them across the process: the global client-memory cap (`client_memory.ts`), the per-address
 * connection limit (`connection_limits.ts`) and the file-descriptor exhaustion log
 * (`fd_exhaustion.ts`). A node creates one `ClientResources` and hands it to the RESP server and
 * the HTTP API, so "all connections" means both front ends together.
 */
import { ConfigError } from "../core/index.js";
import { ClientMemory, type DisconnectCounter } from "./client_memory.js";
import { AddressLimiter } from "./connection_limits.js";
import { FdExhaustionLog, FdWatch } from "./fd_exhaustion.js";
import { silentLogger, type Logger } from "../core/logger.js";

export interface ClientLimits {
  /**
   * The most memory all client connections may hold together: request bytes received and not
   * yet parsed plus reply bytes not yet sent (Redis 7's maxmemory-clients). Past it, the
   * connections holding the most are closed until the total is under it again.
   */
  readonly clientMemoryMaxBytes: number;
  /**
   * The most reply bytes one connection may have waiting to be sent (Redis's
   * client-output-buffer-limit); a connection past it is closed. Reading from a connection also
   * pauses while its replies are not being taken.
   */
  readonly clientOutputBytesMax: number;
  /** Client connections (RESP and HTTP together) one source address may hold. */
  readonly connectionsPerAddressMax: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  clientMemoryMaxBytes: 256 * 1024 * 1024,
  clientOutputBytesMax: 64 * 1024 * 1024,
  connectionsPerAddressMax: 1024,
};

/**
 * Fills in defaults and checks the result.
 * @throws ConfigError naming the first bad field.
 */
export function resolveClientLimits(limits: Partial<ClientLimits> = {}): ClientLimits {
  const resolved = { ...DEFAULT_CLIENT_LIMITS, ...limits };
  for (const field of [
    "clientMemoryMaxBytes", "clientOutputBytesMax", "connectionsPerAddressMax",
  ] as const) {
    const value = resolved[field];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ConfigError(field, `must be a positive integer, got ${String(value)}`);
    }
  }
  if (resolved.clientOutputBytesMax > resolved.clientMemoryMaxBytes) {
    throw new ConfigError("clientOutputBytesMax", `(${resolved.clientOutputBytesMax}) must not ` +
      `exceed clientMemoryMaxBytes (${resolved.clientMemoryMaxBytes})`);
  }
  return resolved;
}

/** The shared trackers; see the file comment. */
export interface ClientResources {
  readonly limits: ClientLimits;
  readonly memory: ClientMemory;
  readonly addresses: AddressLimiter;
  readonly fdExhaustion: FdExhaustionLog;
  /** Not started here: the process that owns the front ends starts it (node_server.ts). */
  readonly fdWatch: FdWatch;
}

/**
 * Creates the trackers for `limits`.
 * @throws ConfigError for bad limits.
 */
export function createClientResources(
  limits: Partial<ClientLimits> = {},
  options: { logger?: Logger; counted?: DisconnectCounter } = {},
): ClientResources {
  const resolved = resolveClientLimits(limits);
  const logger = options.logger ?? silentLogger;
  const memory = new ClientMemory(resolved.clientMemoryMaxBytes, {
    logger, ...(options.counted === undefined ? {} : { counted: options.counted }),
  });
  const fdExhaustion = new FdExhaustionLog(logger);
  return {
    limits: resolved,
    memory,
    addresses: new AddressLimiter(resolved.connectionsPerAddressMax),
    fdExhaustion,
    fdWatch: new FdWatch(fdExhaustion, { clientCount: () => memory.clientCount }),
  };
}
