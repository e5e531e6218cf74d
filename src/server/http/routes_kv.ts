/**
 * The key-value routes of the HTTP API:
 *
 *   GET    /v1/kv/:key[?encoding=base64]  200 {key, value, encoding} | 404 KEY_NOT_FOUND
 *   PUT    /v1/kv/:key[?nx|?xx]           body {value, encoding?} as JSON, or the raw value as
 *                                          text/plain or application/octet-stream
 *                                          200 {key, written: true} | 412 CONDITION_FAILED
 *   DELETE /v1/kv/:key                    200 {key, deleted: boolean}
 *   POST   /v1/kv/:key/cas                body {expected: string|null, value, encoding?}
 *                                          200 {key, swapped: boolean}
 *
 * The same four routes exist under `/v1/kv-b64/:key`, where the key is its bytes in base64url
 * (RFC 4648 §5, padding optional), so keys that are not valid UTF-8 are reachable too; there the
 * `key` of a response is the base64url text as sent. A key longer than `keyBytesMax` bytes (the
 * limit the RESP server and the store share) gets 413 VALUE_TOO_LARGE on every route.
 *
 * Values are binary-safe; see `value_encoding.ts` for how they travel in JSON.
 */
import type { FastifyInstance } from "fastify";
import { ValueTooLargeError } from "../errors.js";
import type { KvService, SetOptions } from "../kv_service.js";
import { sendError, type ErrorResponse } from "./error_responses.js";
import {
  ValueEncodingError,
  decodeBase64UrlKey,
  decodeValue,
  encodeValue,
  keyBytes,
  type ValueEncoding,
} from "./value_encoding.js";

const encodingSchema = { type: "string", enum: ["utf8", "base64"] } as const;
const keyParams = {
  type: "object", required: ["key"], properties: { key: { type: "string", minLength: 1 } },
} as const;

const putJsonBody = {
  type: "object",
  required: ["value"],
  additionalProperties: false,
  properties: { value: { type: "string" }, encoding: encodingSchema },
} as const;

const casBody = {
  type: "object",
  required: ["expected", "value"],
  additionalProperties: false,
  properties: {
    expected: { type: ["string", "null"] },
    value: { type: "string" },
    encoding: encodingSchema,
  },
} as const;

interface KeyParams { key: string }
interface PutJson { value: string; encoding?: ValueEncoding }
interface CasJson { expected: string | null; value: string; encoding?: ValueEncoding }
interface PutQuery { nx?: string; xx?: string }

/** The bytes of a PUT body, whichever of the accepted content types it came as. */
function putValue(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  const json = body as PutJson;
  return decodeValue(json.value, json.encoding);
}

function setOptionsOf(query: PutQuery): SetOptions {
  if (query.nx !== undefined && query.xx !== undefined) {
    throw new ValueEncodingError("Use at most one of ?nx and ?xx");
  }
  if (query.nx !== undefined) return { condition: "nx" };
  if (query.xx !== undefined) return { condition: "xx" };
  return {};
}

/** GET of a key with no value (the fast path answers it the same way: kv_fast_path.ts). */
export function keyNotFound(key: string): ErrorResponse {
  return {
    status: 404, code: "KEY_NOT_FOUND", message: `No value for key ${JSON.stringify(key)}`,
    definite: true,
  };
}

/** A conditional PUT whose condition does not hold. */
export function conditionFailed(condition: SetOptions["condition"]): ErrorResponse {
  return {
    status: 412, code: "CONDITION_FAILED", definite: true,
    message: condition === "nx" ? "The key exists (?nx)" : "The key does not exist (?xx)",
  };
}

/** Where the routes live and how their key segment becomes bytes. */
interface KeyForm {
  readonly prefix: string;
  readonly decode: (text: string) => Buffer;
}

const keyForms: readonly KeyForm[] = [
  { prefix: "/v1/kv", decode: keyBytes },
  { prefix: "/v1/kv-b64", decode: decodeBase64UrlKey },
];

export interface KvRouteOptions {
  /** Longest key accepted, in bytes. */
  readonly keyBytesMax: number;
}

/** Registers the key-value routes under both key forms. */
export function registerKvRoutes(
  app: FastifyInstance,
  service: KvService,
  options: KvRouteOptions,
): void {
  for (const form of keyForms) {
    const keyOf = (text: string): Buffer => {
      const key = form.decode(text);
      if (key.length > options.keyBytesMax) {
        throw new ValueTooLargeError("key", key.length, options.keyBytesMax);
      }
      return key;
    };
    registerKeyRoutes(app, { service, prefix: form.prefix, keyOf });
  }
}

function registerKeyRoutes(app: FastifyInstance, routes: {
  readonly service: KvService;
  readonly prefix: string;
  readonly keyOf: (text: string) => Buffer;
}): void {
  const { service, prefix, keyOf } = routes;
  app.get<{ Params: KeyParams; Querystring: { encoding?: ValueEncoding } }>(`${prefix}/:key`, {
    schema: {
      params: keyParams,
      querystring: { type: "object", properties: { encoding: encodingSchema } },
    },
  }, async (request, reply) => {
    const { key } = request.params;
    const value = await service.get(keyOf(key));
    if (value === null) return sendError(reply, keyNotFound(key));
    return { key, ...encodeValue(value, request.query.encoding) };
  });

  app.put<{ Params: KeyParams; Querystring: PutQuery }>(`${prefix}/:key`, {
    schema: {
      params: keyParams,
      querystring: {
        type: "object", additionalProperties: false,
        properties: { nx: { type: "string" }, xx: { type: "string" } },
      },
      body: {
        content: {
          "application/json": { schema: putJsonBody },
          "text/plain": { schema: { type: "string" } },
          "application/octet-stream": { schema: {} },
        },
      },
    },
  }, async (request, reply) => {
    const { key } = request.params;
    const options = setOptionsOf(request.query);
    const written = await service.set(keyOf(key), putValue(request.body), options);
    if (!written) return sendError(reply, conditionFailed(options.condition));
    return { key, written };
  });

  app.delete<{ Params: KeyParams }>(`${prefix}/:key`, { schema: { params: keyParams } },
    async (request) => {
      const { key } = request.params;
      return { key, deleted: (await service.del([keyOf(key)])) > 0 };
    });

  app.post<{ Params: KeyParams; Body: CasJson }>(`${prefix}/:key/cas`, {
    schema: { params: keyParams, body: casBody },
  }, async (request) => {
    const { key } = request.params;
    const { expected, value, encoding } = request.body;
    const swapped = await service.cas(keyOf(key),
      expected === null ? null : decodeValue(expected, encoding), decodeValue(value, encoding));
    return { key, swapped };
  });
}
