/**
 * GET and PUT /v1/kv/:key served straight from node:http, without Fastify's request pipeline
 * (routing, hooks, schema validation, reply serialisation: docs/performance.md, fourth pass).
 * It takes only the requests whose answer it is sure of:
 *
 *   GET /v1/kv/<key>[?encoding=utf8|base64]   no body
 *   PUT /v1/kv/<key>                          Content-Type: application/octet-stream and a
 *                                             Content-Length of 1 to min(bodyBytesMax, 64 KiB)
 *
 * where <key> is at most keyBytesMax characters of [A-Za-z0-9._~:@!$*+,=-] (nothing to
 * decode), on a node that is neither removed nor closing, from a client that passes
 * authentication and authorisation without a word (`passesClientAuth`). Every other request,
 * and so every one that would be refused, goes to Fastify untouched: refusals keep their one
 * source. What it does answer (the value, 404, the write's result, and a failed read's or
 * write's error through error_responses.ts) is what the Fastify route answers, byte for byte
 * but the Date header (kv_fast_path.test.ts sends each request both ways and compares).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../core/logger.js";
import { passesClientAuth } from "../auth/http_auth.js";
import type { ClientAuth } from "../auth/client_auth.js";
import type { KvService } from "../kv_service.js";
import { COUNT_UP_FRONT_BYTES_MAX, type HttpBodyAccounting } from "./client_tracking.js";
import {
  errorReplyOf, errorResponseOf, type ErrorResponse, type LeaderHttpOf,
} from "./error_responses.js";
import { conditionFailed, keyNotFound } from "./routes_kv.js";
import { encodeValue, type ValueEncoding } from "./value_encoding.js";

export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

export interface KvFastPathDeps {
  readonly service: KvService;
  readonly auth: ClientAuth | null;
  readonly accounting: HttpBodyAccounting;
  /** Once this node is removed, the error the API answers with (then Fastify answers). */
  readonly removal: (() => Error | null) | undefined;
  readonly leaderHttpOf: LeaderHttpOf;
  readonly logger: Logger;
  readonly keyBytesMax: number;
  readonly bodyBytesMax: number;
}

const PREFIX = "/v1/kv/";
/** The route as the permission table names it (auth/http_auth.ts). */
const ROUTE = "/v1/kv/:key";
/** Key characters that percent-decoding leaves alone and the router treats as plain. */
const PLAIN_KEY = /^[A-Za-z0-9._~:@!$*+,=-]+$/;
const JSON_TYPE = "application/json; charset=utf-8";

type Route =
  | { readonly method: "GET"; readonly key: string; readonly encoding: ValueEncoding | undefined }
  | { readonly method: "PUT"; readonly key: string; readonly bodyBytes: number };

export class KvFastPath {
  private closing = false;
  private readonly bodyBytesMax: number;

  constructor(private readonly deps: KvFastPathDeps) {
    this.bodyBytesMax = Math.min(deps.bodyBytesMax, COUNT_UP_FRONT_BYTES_MAX);
  }

  /** From now on every request goes to Fastify (it answers 503 while it closes). */
  close(): void {
    this.closing = true;
  }

  /** Serves `request` if it is one of the fast path's, else hands it to `fallback`. */
  handle(request: IncomingMessage, response: ServerResponse, fallback: RequestListener): void {
    const route = this.routeOf(request);
    if (route === null) {
      fallback(request, response);
      return;
    }
    const { auth } = this.deps;
    if (auth === null) {
      void this.serve(request, response, route);
      return;
    }
    passesClientAuth(auth, route.method, ROUTE, request.headers.authorization, request.socket)
      .then((passes) => {
        if (passes) void this.serve(request, response, route);
        else fallback(request, response);
      }, () => { fallback(request, response); });
  }

  private routeOf(request: IncomingMessage): Route | null {
    const { method, url, headers } = request;
    if ((method !== "GET" && method !== "PUT") || url === undefined || !url.startsWith(PREFIX)) {
      return null;
    }
    if (this.closing || (this.deps.removal?.() ?? null) !== null) return null;
    if (headers["transfer-encoding"] !== undefined) return null;
    const queryAt = url.indexOf("?", PREFIX.length);
    const key = queryAt < 0 ? url.slice(PREFIX.length) : url.slice(PREFIX.length, queryAt);
    if (key.length > this.deps.keyBytesMax || !PLAIN_KEY.test(key)) return null;
    const query = queryAt < 0 ? "" : url.slice(queryAt + 1);
    if (method === "GET") {
      if (headers["content-length"] !== undefined) return null;
      if (query === "") return { method, key, encoding: undefined };
      if (query === "encoding=utf8") return { method, key, encoding: "utf8" };
      if (query === "encoding=base64") return { method, key, encoding: "base64" };
      return null;
    }
    if (query !== "" || headers["content-type"] !== "application/octet-stream") return null;
    const declared = Number(headers["content-length"]);
    if (!Number.isSafeInteger(declared) || declared <= 0 || declared > this.bodyBytesMax) {
      return null;
    }
    return { method, key, bodyBytes: declared };
  }

  private async serve(request: IncomingMessage, response: ServerResponse, route: Route) {
    const { service } = this.deps;
    // The key is plain ASCII: its latin1 and UTF-8 bytes are the same.
    const key = Buffer.from(route.key, "latin1");
    try {
      if (route.method === "GET") {
        const value = await service.get(key);
        if (value === null) this.sendError(request, response, keyNotFound(route.key));
        else sendJson(response, 200, { key: route.key, ...encodeValue(value, route.encoding) });
        return;
      }
      const value = await this.readBody(request, response, route.bodyBytes);
      if (value === null) return;
      const written = await service.set(key, value, {});
      if (written) sendJson(response, 200, { key: route.key, written });
      else this.sendError(request, response, conditionFailed(undefined));
    } catch (thrown) {
      const failure = errorResponseOf(thrown, this.deps.leaderHttpOf,
        request.headers["content-type"]);
      if (failure.code === "INTERNAL") {
        this.deps.logger.error({ method: request.method, url: request.url, err: failure.message },
          "HTTP request failed unexpectedly");
      }
      this.sendError(request, response, failure);
    }
  }

  /** The whole body, counted against client memory until the request is done; null if cut. */
  private readBody(
    request: IncomingMessage,
    response: ServerResponse,
    bytes: number,
  ): Promise<Buffer | null> {
    const { accounting } = this.deps;
    const { socket } = request;
    accounting.countDeclared(socket, bytes);
    response.once("close", () => { accounting.requestDone(socket); });
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => { chunks.push(chunk); });
      request.once("end", () => { resolve(Buffer.concat(chunks)); });
      request.once("error", () => { resolve(null); });
      request.once("close", () => { if (!request.complete) resolve(null); });
    });
  }

  private sendError(request: IncomingMessage, response: ServerResponse, failure: ErrorResponse) {
    // As Fastify's request.protocol: a TLS socket says it is encrypted.
    const scheme = (request.socket as { encrypted?: boolean }).encrypted === true ? "https" : "http";
    const { headers, body } = errorReplyOf(failure, request.url, scheme);
    sendJson(response, failure.status, body, headers);
  }
}

function sendJson(
  response: ServerResponse,
  status: number,
  payload: object,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, {
    ...headers, "content-type": JSON_TYPE, "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}
