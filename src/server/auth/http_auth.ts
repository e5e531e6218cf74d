/**
 * Authentication and authorisation on the HTTP API, as one `onRequest` hook that runs before
 * any body is read. Credentials: `Authorization: Basic` (a configured user's name and password),
 * `Authorization: Bearer <token>` (a configured token), or a verified client certificate naming
 * a user (see client_tls.ts). What each route needs:
 *
 * | route                                             | needs                          |
 * |---------------------------------------------------|--------------------------------|
 * | GET /healthz, GET /metrics                        | nothing when open (default),   |
 * |                                                   | else read                      |
 * | GET /v1/kv/...                                    | read                           |
 * | PUT, DELETE, POST /v1/kv/...                      | write                          |
 * | /v1/members..., /v1/transfer-leader, /v1/snapshot | admin                          |
 * | /v1/dashboard/control/... (local clusters only)   | admin                          |
 * | anything else (GET /v1/status, /, /dashboard,     | read                           |
 * | /v1/dashboard/events, unknown paths)              |                                |
 *
 * Failures throw typed errors that the one error table (http/error_responses.ts) maps: 401 with
 * WWW-Authenticate, 403 for a missing permission, 403 and a closed connection for a client
 * refused by protected mode.
 */
import type { Socket } from "node:net";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Logger } from "../../core/logger.js";
import {
  AuthenticationRequiredError, PermissionDeniedError, ProtectedModeError,
} from "./auth_errors.js";
import type { AuthenticatedUser, ClientAuth, Permission } from "./client_auth.js";
import { certificateUser } from "./client_tls.js";
import { isRefusedByProtectedMode } from "./protected_mode.js";

const ADMIN_PREFIXES = [
  "/v1/members", "/v1/transfer-leader", "/v1/snapshot", "/v1/dashboard/control",
];

/** What a request needs; null: open to anyone who can connect. */
export function httpPermissionOf(
  auth: ClientAuth,
  method: string,
  path: string,
): Permission | null {
  if (path === "/healthz") return auth.openHttp.healthz ? null : "read";
  if (path === "/metrics") return auth.openHttp.metrics ? null : "read";
  if (path.startsWith("/v1/kv")) return method === "GET" || method === "HEAD" ? "read" : "write";
  if (ADMIN_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
    return "admin";
  }
  return "read";
}

/** Basic or Bearer credentials to a user; null when absent. @throws when present but wrong. */
async function userOfHeader(
  auth: ClientAuth,
  header: string | undefined,
): Promise<AuthenticatedUser | null> {
  if (header === undefined) return null;
  const [scheme = "", value = ""] = header.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) {
    const user = auth.verifyToken(value);
    if (user === null) throw new AuthenticationRequiredError("The bearer token is not valid");
    return user;
  }
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const user = colon < 0 ? null
      : await auth.verifyPassword(decoded.slice(0, colon), decoded.slice(colon + 1));
    if (user === null) throw new AuthenticationRequiredError("Invalid username or password");
    return user;
  }
  throw new AuthenticationRequiredError(`Unsupported authorization scheme ${scheme}; use ` +
    "Basic or Bearer");
}

async function authorize(auth: ClientAuth, request: FastifyRequest, logger: Logger) {
  const path = request.url.split("?", 1)[0] ?? "";
  // The route the router matched (it decodes %-escapes: /v1/%6Bv/k is /v1/kv/:key), else the
  // path as sent (no route: a 404 after the check).
  const route = request.routeOptions.url ?? path;
  const needed = httpPermissionOf(auth, request.method, route);
  if (needed === null) return;
  let user: AuthenticatedUser | null;
  try {
    user = await userOfHeader(auth, request.headers.authorization)
      ?? certificateUser(request.raw.socket, auth);
  } catch (error) {
    logger.info({ method: request.method, url: path, addr: request.ip },
      "HTTP authentication failed");
    throw error;
  }
  if (user === null) {
    throw new AuthenticationRequiredError(`${request.method} ${path} needs credentials: ` +
      "Authorization: Basic (user and password) or Bearer (token)");
  }
  if (!user.permissions.has(needed)) {
    throw new PermissionDeniedError(user.name, needed, `${request.method} ${path}`);
  }
}

/**
 * Whether the hook below would let a request through without a word (false for anything it
 * would refuse, whatever the reason). The fast path (http/kv_fast_path.ts) asks this and hands
 * every request it is not sure of to Fastify, where the hook refuses it with the usual error.
 */
export async function passesClientAuth(
  auth: ClientAuth | null,
  method: string,
  route: string,
  authorization: string | undefined,
  socket: Socket,
): Promise<boolean> {
  if (auth === null) return true;
  if (isRefusedByProtectedMode(auth, socket.remoteAddress)) return false;
  if (!auth.enabled) return true;
  const needed = httpPermissionOf(auth, method, route);
  if (needed === null) return true;
  let user: AuthenticatedUser | null;
  try {
    user = await userOfHeader(auth, authorization) ?? certificateUser(socket, auth);
  } catch {
    return false;
  }
  return user !== null && user.permissions.has(needed);
}

/** Adds the hook; without `auth` the API is open as before (tests, embedders). */
export function registerClientAuth(
  app: FastifyInstance,
  auth: ClientAuth | null,
  logger: Logger,
): void {
  if (auth === null) return;
  app.addHook("onRequest", async (request, reply) => {
    if (isRefusedByProtectedMode(auth, request.raw.socket.remoteAddress)) {
      void reply.header("connection", "close");
      throw new ProtectedModeError("raftkv is in protected mode: no users are configured, so " +
        "only loopback clients are served. Configure users (users: or requirepass:) or " +
        "connect from this machine.");
    }
    if (auth.enabled) await authorize(auth, request, logger);
  });
}
