/**
 * The Redis-protocol server: a `node:net` listener that accepts up to `clientsMax` connections
 * (and at most `connectionsPerAddressMax` from one address, counted with the HTTP API's through
 * the shared `ClientResources`) and hands each to a `Connection`. `redis-cli`,
 * `redis-benchmark` and Redis client libraries (ioredis is tested) can talk to it.
 */
import { createServer, type Server, type Socket } from "node:net";
import { once } from "node:events";
import { createClientResources, type ClientResources } from "../client_resources.js";
import { createServer as createTlsServer, type TlsOptions } from "node:tls";
import type { ClientAuth } from "../auth/client_auth.js";
import {
  PROTECTED_MODE_TEXT, isRefusedByProtectedMode, refuseConnection,
} from "../auth/protected_mode.js";
import type { KvService } from "../kv_service.js";
import type { RespMetrics } from "../metrics.js";
import { silentLogger, type Logger } from "../../core/logger.js";
import type { ClientState, ServerState } from "./command_context.js";
import { Connection } from "./connection.js";
import { resolveRespServerOptions, type RespServerOptions } from "./options.js";

export interface RespServerDeps {
  readonly service: KvService;
  readonly logger?: Logger;
  /** Updated when given; see `createRespMetrics`. */
  readonly metrics?: RespMetrics;
  /** Shared with the HTTP API; without it the server gets its own with the default limits. */
  readonly resources?: ClientResources;
  /** Users and permissions (AUTH, NOPERM) and protected mode; without it, neither. */
  readonly auth?: ClientAuth;
  /** Serve TLS with these options (see auth/client_tls.ts); without it, plaintext. */
  readonly tls?: TlsOptions;
  /** Once this node is removed from the cluster, the error every command is answered with. */
  readonly removal?: () => Error | null;
}

export class RespServer {
  readonly options: RespServerOptions;
  readonly #server: Server;
  readonly #service: KvService;
  readonly #logger: Logger;
  readonly #metrics: RespMetrics | null;
  readonly #resources: ClientResources;
  readonly #auth: ClientAuth | null;
  readonly #removal: () => Error | null;
  readonly #connections = new Map<number, Connection>();
  readonly #state: ServerState;
  #nextClientId = 1;

  private constructor(deps: RespServerDeps, options: RespServerOptions) {
    this.options = options;
    this.#service = deps.service;
    this.#logger = deps.logger ?? silentLogger;
    this.#metrics = deps.metrics ?? null;
    this.#resources = deps.resources ?? createClientResources({}, { logger: this.#logger });
    this.#auth = deps.auth ?? null;
    this.#removal = deps.removal ?? ((): null => null);
    this.#state = {
      startedAtMs: Date.now(),
      clientsMax: options.clientsMax,
      auth: this.#auth,
      port: () => this.port,
      clients: (): ClientState[] => [...this.#connections.values()].map((c) => c.client),
      stats: { connectionsReceived: 0, commandsProcessed: 0, rejectedConnections: 0 },
      commandStats: new Map(),
      config: new Map(),
      lastSaveMs: Date.now(),
      kill: (id: number): boolean => {
        const connection = this.#connections.get(id);
        connection?.kill();
        return connection !== undefined;
      },
    };
    const accept = (socket: Socket): void => { this.#accept(socket); };
    this.#server = deps.tls === undefined ? createServer(accept)
      : createTlsServer(deps.tls, accept).on("tlsClientError", (cause: Error) => {
        this.#logger.info({ err: cause.message }, "RESP TLS handshake failed");
      });
    this.#server.on("error", (cause: Error) => {
      if (this.#resources.fdExhaustion.record(cause, "RESP")) return;
      this.#logger.error({ err: cause.message }, "RESP server error");
    });
  }

  /**
   * Listens on `options.host:options.port` (port 0: an ephemeral port, see `port`).
   * @throws ConfigError for bad options; the listen error (EADDRINUSE, ...) if binding fails.
   */
  static async start(
    deps: RespServerDeps,
    options: Partial<RespServerOptions> = {},
  ): Promise<RespServer> {
    const server = new RespServer(deps, resolveRespServerOptions(options));
    const listening = once(server.#server, "listening");
    server.#server.listen(server.options.port, server.options.host);
    await listening;
    server.#logger.info({ host: server.options.host, port: server.port }, "RESP server listening");
    return server;
  }

  /** The port actually bound. */
  get port(): number {
    const address = this.#server.address();
    return address !== null && typeof address === "object" ? address.port : this.options.port;
  }

  /** How many clients are connected. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Commands received since start, on every connection (INFO's total_commands_processed). */
  get commandsProcessed(): number {
    return this.#state.stats.commandsProcessed;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => { this.#server.close(() => { resolve(); }); });
    for (const connection of this.#connections.values()) connection.destroy();
    await closed;
  }

  #accept(socket: Socket): void {
    this.#state.stats.connectionsReceived += 1;
    if (this.#connections.size >= this.options.clientsMax) {
      this.#refuse(socket, "max number of clients reached");
      return;
    }
    const address = socket.remoteAddress ?? "?";
    const releaseAddress = this.#resources.addresses.tryAcquire(address);
    if (releaseAddress === null) {
      this.#resources.memory.countDisconnect("connections_per_address");
      this.#logger.debug({ address }, `RESP connection from ${address} refused: it already has ` +
        `${this.#resources.addresses.connectionsPerAddressMax} (connectionsPerAddressMax)`);
      this.#refuse(socket, "max number of clients from this address reached " +
        "(connectionsPerAddressMax)");
      return;
    }
    if (this.#auth !== null && isRefusedByProtectedMode(this.#auth, socket.remoteAddress)) {
      this.#state.stats.rejectedConnections += 1;
      refuseConnection(socket, `-${PROTECTED_MODE_TEXT}\r\n`);
      return;
    }
    const id = this.#nextClientId;
    this.#nextClientId += 1;
    const connection = new Connection(socket, id, {
      removal: this.#removal,
      service: this.#service,
      logger: this.#logger,
      server: this.#state,
      options: this.options,
      metrics: this.#metrics,
      resources: this.#resources,
    });
    this.#connections.set(id, connection);
    this.#metrics?.connections.inc();
    socket.on("close", () => {
      releaseAddress();
      this.#connections.delete(id);
      this.#metrics?.connections.dec();
    });
  }

  #refuse(socket: Socket, reason: string): void {
    this.#state.stats.rejectedConnections += 1;
    socket.on("error", () => undefined);
    socket.end(`-ERR ${reason}\r\n`);
    // Nothing it sends is read; the socket is gone once the error is handed to the kernel.
    socket.once("finish", () => { socket.destroy(); });
  }
}
