/**
 * The HTTP/JSON API (Fastify): key-value routes, status, health, Prometheus metrics and cluster
 * operations (`routes_admin.ts`), with a body size limit, schema validation of bodies, and every
 * error mapped to a status by the one table in `error_responses.ts`; users, permissions and
 * protected mode come from `auth/http_auth.ts`, TLS from the `tls` option. `buildHttpApi`
 * returns the Fastify instance without listening (tests use `inject`); `startHttpApi` also
 * listens.
 */
import {
  createServer as createHttpServer, type IncomingMessage, type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { TlsOptions } from "node:tls";
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { ConfigError } from "../../core/index.js";
import { DEFAULT_STORE_LIMITS } from "../../kv/index.js";
import { createClientResources, type ClientResources } from "../client_resources.js";
import type { KvService } from "../kv_service.js";
import { silentLogger, type Logger } from "../../core/logger.js";
import { errorResponseOf, sendError } from "./error_responses.js";
import { leaderHttpOf, registerAdminRoutes } from "./routes_admin.js";
import { trackHttpClients } from "./client_tracking.js";
import type { ClientAuth } from "../auth/client_auth.js";
import { registerClientAuth } from "../auth/http_auth.js";
import { KvFastPath } from "./kv_fast_path.js";
import { registerKvRoutes } from "./routes_kv.js";
import { registerRemovedGate, registerStatusRoutes } from "./routes_status.js";
import { registerDashboardRoutes, type DashboardDeps } from "../dashboard/routes.js";

export interface HttpApiOptions {
  readonly host: string;
  /** 0 picks an ephemeral port (tests). */
  readonly port: number;
  /** Largest request body; larger bodies get 413 before they are read in full. */
  readonly bodyBytesMax: number;
  /**
   * Longest key, in bytes (the store's keyBytesMax; the RESP server uses the same). The URL may
   * carry it percent-encoded (3 characters a byte) or base64url, so the path and header limits
   * are sized from it; a longer key gets 413 VALUE_TOO_LARGE.
   */
  readonly keyBytesMax: number;
  /**
   * Serve plain GETs and PUTs of a key without Fastify's request pipeline (kv_fast_path.ts);
   * tests turn it off to compare the two.
   */
  readonly fastPath: boolean;
}

export const DEFAULT_HTTP_API_OPTIONS: HttpApiOptions = {
  host: "127.0.0.1",
  port: 8080,
  bodyBytesMax: 16 * 1024 * 1024,
  keyBytesMax: DEFAULT_STORE_LIMITS.keyBytesMax,
  fastPath: true,
};

/** Headers beyond the request line: Node's own default (16 KiB) is kept for them. */
const headerBytesMax = 16 * 1024;

/** The longest key path segment: a key of keyBytesMax bytes percent-encoded, and a margin. */
function keyParamLengthMax(keyBytesMax: number): number {
  return 3 * keyBytesMax + 64;
}

export interface HttpApiDeps {
  readonly service: KvService;
  /** Served at `/metrics`; without it the route does not exist. */
  readonly registry?: Registry;
  readonly logger?: Logger;
  /** Shared with the RESP server; without it the API gets its own with the default limits. */
  readonly resources?: ClientResources;
  /** Users, permissions and protected mode; without it the API is open. */
  readonly auth?: ClientAuth;
  /** Serve HTTPS with these options (see auth/client_tls.ts); without it, HTTP. */
  readonly tls?: TlsOptions;
  /** The live dashboard (`/`, `/dashboard`, `/v1/dashboard/...`); without it those are 404. */
  readonly dashboard?: DashboardDeps;
  /** The data directory's size in bytes, reported by POST /v1/snapshot before and after. */
  readonly diskUsage?: () => Promise<number>;
  /** Once this node is removed from the cluster, the error the API answers with (410). */
  readonly removal?: () => Error | null;
}

function resolveOptions(options: Partial<HttpApiOptions>): HttpApiOptions {
  const resolved = { ...DEFAULT_HTTP_API_OPTIONS, ...options };
  for (const field of ["bodyBytesMax", "keyBytesMax"] as const) {
    if (!Number.isSafeInteger(resolved[field]) || resolved[field] <= 0) {
      throw new ConfigError(field, `must be a positive integer, got ${resolved[field]}`);
    }
  }
  return resolved;
}

/**
 * Builds the API without listening.
 * @throws ConfigError for bad options.
 */
export function buildHttpApi(
  deps: HttpApiDeps,
  options: Partial<HttpApiOptions> = {},
): FastifyInstance {
  const resolved = resolveOptions(options);
  const logger = deps.logger ?? silentLogger;
  // A key travels in the URL, so the header limit grows with keyBytesMax (on HTTP and HTTPS
  // alike: with a serverFactory, Fastify's own `http` options are not used).
  const maxHeaderSize = keyParamLengthMax(resolved.keyBytesMax) + headerBytesMax;
  let fastPath: KvFastPath | null = null;
  const app = Fastify({
    logger: false,
    bodyLimit: resolved.bodyBytesMax,
    routerOptions: { maxParamLength: keyParamLengthMax(resolved.keyBytesMax) },
    // Reject, rather than quietly coerce or strip, what does not match a schema.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    serverFactory: (fastify) => {
      // GET and PUT of a plain key skip Fastify's pipeline when nothing about them is unusual.
      const handler = (request: IncomingMessage, response: ServerResponse): void => {
        if (fastPath === null) fastify(request, response);
        else fastPath.handle(request, response, fastify);
      };
      return deps.tls === undefined
        ? createHttpServer({ maxHeaderSize }, handler)
        // Fastify drives an https.Server through the same request/response interface.
        : createHttpsServer({ ...deps.tls, maxHeaderSize }, handler);
    },
  });
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" },
    (_request, body, done) => { done(null, body); });
  const admin = deps.service.admin;
  const leaderHttp = (id: string): string | null =>
    admin === undefined ? null : leaderHttpOf(admin, id);
  app.setErrorHandler((thrown, request, reply) => {
    const response = errorResponseOf(thrown, leaderHttp, request.headers["content-type"]);
    if (response.code === "INTERNAL") {
      logger.error({ method: request.method, url: request.url, err: response.message },
        "HTTP request failed unexpectedly");
    }
    return sendError(reply, response, request.url);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, {
    status: 404, code: "NOT_FOUND", message: `No route for ${request.method} ${request.url}`,
    definite: true,
  }));
  if (deps.removal !== undefined) registerRemovedGate(app, deps.removal);
  registerClientAuth(app, deps.auth ?? null, logger);
  const accounting =
    trackHttpClients(app, deps.resources ?? createClientResources({}, { logger }), logger);
  registerKvRoutes(app, deps.service, { keyBytesMax: resolved.keyBytesMax });
  if (resolved.fastPath) {
    const path = new KvFastPath({
      service: deps.service, auth: deps.auth ?? null, accounting, removal: deps.removal,
      leaderHttpOf: leaderHttp, logger, keyBytesMax: resolved.keyBytesMax,
      bodyBytesMax: resolved.bodyBytesMax,
    });
    app.addHook("preClose", (done) => {
      path.close();
      done();
    });
    fastPath = path;
  }
  registerStatusRoutes(app, deps.service, deps.registry ?? null);
  registerAdminRoutes(app, deps.service, deps.diskUsage);
  if (deps.dashboard !== undefined) {
    registerDashboardRoutes(app, deps.service, { ...deps.dashboard, tls: deps.tls !== undefined });
  }
  return app;
}

export interface RunningHttpApi {
  readonly app: FastifyInstance;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Builds the API and listens on `options.host:options.port`.
 * @throws ConfigError for bad options; the listen error (EADDRINUSE, ...) if binding fails.
 */
export async function startHttpApi(
  deps: HttpApiDeps,
  options: Partial<HttpApiOptions> = {},
): Promise<RunningHttpApi> {
  const resolved = resolveOptions(options);
  const app = buildHttpApi(deps, resolved);
  await app.listen({ host: resolved.host, port: resolved.port });
  const address = app.server.address();
  const port = address !== null && typeof address === "object" ? address.port : resolved.port;
  (deps.logger ?? silentLogger).info({ host: resolved.host, port }, "HTTP API listening");
  return { app, port, close: () => app.close() };
}
