/**
 * The one table that turns errors into HTTP responses, for every route (key-value, status,
 * cluster operations) and for authentication. Every error body has the same shape:
 * `{"error": {"code", "message", "definite", "leader"?, "leaderHttp"?}}` where `definite` says
 * whether the request certainly had no effect (false means it may have been applied: retrying a
 * write may apply it twice).
 *
 * | error                                        | status | notes                              |
 * |----------------------------------------------|--------|------------------------------------|
 * | NOT_LEADER, leader known                     | 421    | `leader`; `leaderHttp`, Location   |
 * |                                              |        | when this node knows its address   |
 * | NOT_LEADER, no leader known (code NO_LEADER) | 503    | Retry-After                        |
 * | PROPOSAL_DROPPED, UNCOMMITTED_BYTES_EXCEEDED | 503    | Retry-After                        |
 * | NODE_STOPPED                                 | 503    | Retry-After                        |
 * | UNKNOWN_OUTCOME                              | 504    | definite: false                    |
 * | CATCH_UP_TIMEOUT, TRANSFER_TIMEOUT           | 504    | definite as the error says         |
 * | INTERNAL (a bug)                             | 500    | definite: false                    |
 * | CONF_CHANGE_REFUSED                          | 409    | another change in flight, ...      |
 * | VALUE_TOO_LARGE, or a body over bodyLimit    | 413    |                                    |
 * | NOT_INTEGER, INTEGER_OVERFLOW, WRONGTYPE     | 409    |                                    |
 * | REMOVED (this node left the cluster)         | 410    | Gone: ask another member           |
 * | malformed JSON, schema violation, bad base64 | 400    | code BAD_REQUEST                   |
 * | unsupported Content-Type                     | 415    |                                    |
 * | UNAUTHENTICATED                              | 401    | WWW-Authenticate: Basic, Bearer    |
 * | PERMISSION_DENIED, PROTECTED_MODE            | 403    | protected mode also closes         |
 * | a route's own refusal (`RequestRefusedError`)| its own| e.g. 404 MEMBER_NOT_FOUND          |
 *
 * 421 Misdirected Request (RFC 9110 §15.5.20) rather than a 3xx: a client must not replay a
 * write or a membership change somewhere else without deciding to, and fetch would follow a 307
 * silently. Errors are recognised by their class or stable `code` (STYLE.md rule 10).
 */
import type { FastifyReply } from "fastify";
import { NotLeaderError } from "../../core/index.js";
import {
  AuthenticationRequiredError, PermissionDeniedError, ProtectedModeError,
} from "../auth/auth_errors.js";
import { classifyError, messageOf, type KnownError, type KnownErrorCode } from "../errors.js";
import { ValueEncodingError } from "./value_encoding.js";

export interface ErrorResponse {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly definite: boolean;
  readonly leader?: string | null;
  /** The leader's HTTP address (host:port), when this node knows it. */
  readonly leaderHttp?: string;
  readonly retryAfterSeconds?: number;
}

/** Where the leader serves HTTP (null: unknown); given by routes that know the membership. */
export type LeaderHttpOf = (leaderId: string) => string | null;

/** A route's refusal of bad input the schema cannot see, with its status and stable code. */
export class RequestRefusedError extends Error {
  override readonly name = "RequestRefusedError";
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

type ErrorOf<C extends KnownErrorCode> = Extract<KnownError, { code: C }>["error"];

const RETRY_AFTER_SECONDS = 1;
const WWW_AUTHENTICATE = 'Basic realm="raftkv", charset="UTF-8", Bearer realm="raftkv"';

function notLeaderResponse(error: NotLeaderError, leaderHttpOf: LeaderHttpOf): ErrorResponse {
  if (error.leaderId === null) {
    return {
      status: 503, code: "NO_LEADER", message: error.message, definite: true, leader: null,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    };
  }
  const http = leaderHttpOf(error.leaderId);
  return {
    status: 421, code: "NOT_LEADER", definite: true, leader: error.leaderId,
    message: `${error.message}${http === null ? "" : ` (HTTP ${http})`}`,
    ...(http === null ? {} : { leaderHttp: http }),
  };
}

const table: { readonly [C in KnownErrorCode]: (error: ErrorOf<C>) => ErrorResponse } = {
  NOT_LEADER: (e) => notLeaderResponse(e, () => null),
  PROPOSAL_DROPPED: (e) => ({
    status: 503, code: e.code, message: e.message, definite: true,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  }),
  UNCOMMITTED_BYTES_EXCEEDED: (e) => ({
    status: 503, code: e.code, message: e.message, definite: true,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  }),
  UNKNOWN_OUTCOME: (e) => ({ status: 504, code: e.code, message: e.message, definite: false }),
  VALUE_TOO_LARGE: (e) => ({ status: 413, code: e.code, message: e.message, definite: true }),
  NOT_INTEGER: (e) => ({ status: 409, code: e.code, message: e.message, definite: true }),
  INTEGER_OVERFLOW: (e) => ({ status: 409, code: e.code, message: e.message, definite: true }),
  WRONGTYPE: (e) => ({ status: 409, code: e.code, message: e.message, definite: true }),
  REMOVED: (e) => ({ status: 410, code: e.code, message: e.message, definite: true }),
  INTERNAL: (e) => ({
    status: 500, code: "INTERNAL", definite: false,
    message: `Internal error; the request may have been applied: ${messageOf(e)}`,
  }),
};

/** Fastify's own request errors (parsing, limits, validation), by their `code`. */
const requestErrors: Readonly<Record<string, { status: number; code: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: "BODY_TOO_LARGE" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: "BAD_REQUEST" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: "BAD_REQUEST" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: "BAD_REQUEST" },
  FST_ERR_VALIDATION: { status: 400, code: "BAD_REQUEST" },
};

/** Errors of the node runtime's cluster operations, by their stable `code`. */
const adminErrors: Readonly<Record<string, { status: number; definite: boolean }>> = {
  CONF_CHANGE_REFUSED: { status: 409, definite: true },
  CATCH_UP_TIMEOUT: { status: 504, definite: false },
  TRANSFER_TIMEOUT: { status: 504, definite: false },
  NODE_STOPPED: { status: 503, definite: true },
};

function codeOf(thrown: Error): string | null {
  const code = (thrown as { code?: unknown }).code;
  return typeof code === "string" ? code : null;
}

/**
 * The request body types the API parses (server.ts): JSON for every route with a body, raw
 * bytes for a PUT's value. Named in a 415's message so the client learns what to send.
 */
export const ACCEPTED_CONTENT_TYPES: readonly string[] = [
  "application/json", "text/plain", "application/octet-stream",
];

function refusalOf(thrown: unknown, contentType: string | undefined): ErrorResponse | null {
  if (!(thrown instanceof Error)) return null;
  const definite = { message: thrown.message, definite: true } as const;
  if (thrown instanceof RequestRefusedError) {
    return { status: thrown.status, code: thrown.code, ...definite };
  }
  if (thrown instanceof ValueEncodingError) return { status: 400, code: thrown.code, ...definite };
  if (thrown instanceof AuthenticationRequiredError) {
    return { status: 401, code: thrown.code, ...definite };
  }
  if (thrown instanceof PermissionDeniedError || thrown instanceof ProtectedModeError) {
    return { status: 403, code: thrown.code, ...definite };
  }
  const code = codeOf(thrown);
  const admin = code === null ? undefined : adminErrors[code];
  if (code !== null && admin !== undefined) {
    const stated = (thrown as { definite?: unknown }).definite;
    return {
      status: admin.status, code, message: thrown.message,
      definite: typeof stated === "boolean" ? stated : admin.definite,
      ...(admin.status === 503 ? { retryAfterSeconds: RETRY_AFTER_SECONDS } : {}),
    };
  }
  const known = code === null ? undefined : requestErrors[code];
  if (known?.code === "UNSUPPORTED_MEDIA_TYPE") {
    const message = `Unsupported Content-Type ${JSON.stringify(contentType ?? "")}; accepted: ` +
      ACCEPTED_CONTENT_TYPES.join(", ");
    return { ...known, ...definite, message };
  }
  if (known !== undefined) return { ...known, ...definite };
  // Schema validation failures carry `validation` (and statusCode 400) instead of a code.
  if ((thrown as { validation?: unknown }).validation !== undefined) {
    return { status: 400, code: "BAD_REQUEST", ...definite };
  }
  return null;
}

/**
 * The response for anything a route, a hook or Fastify threw; `contentType` is the request's,
 * named in a 415 when it is the one refused.
 */
export function errorResponseOf(
  thrown: unknown,
  leaderHttpOf: LeaderHttpOf = () => null,
  contentType?: string,
): ErrorResponse {
  if (thrown instanceof NotLeaderError) return notLeaderResponse(thrown, leaderHttpOf);
  const refusal = refusalOf(thrown, contentType);
  if (refusal !== null) return refusal;
  const known = classifyError(thrown);
  // `classifyError` pairs each code with its error class; TypeScript cannot correlate the two
  // through the table's index.
  const format = table[known.code] as (error: unknown) => ErrorResponse;
  return format(known.error);
}

/** The headers and body of `response`; `scheme` (http, https) builds the leader's Location. */
export function errorReplyOf(
  response: ErrorResponse,
  path: string | undefined,
  scheme: string,
): { readonly headers: Record<string, string>; readonly body: object } {
  const headers: Record<string, string> = {};
  if (response.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(response.retryAfterSeconds);
  }
  if (response.status === 401) headers["www-authenticate"] = WWW_AUTHENTICATE;
  if (response.leaderHttp !== undefined && path !== undefined) {
    headers.location = `${scheme}://${response.leaderHttp}${path}`;
  }
  const { code, message, definite, leader, leaderHttp } = response;
  return {
    headers,
    body: {
      error: {
        code, message, definite,
        ...(leader === undefined ? {} : { leader }),
        ...(leaderHttp === undefined ? {} : { leaderHttp }),
      },
    },
  };
}

/**
 * Sends `response` in the common error shape, with Retry-After, WWW-Authenticate (401) and the
 * leader's Location (421, built from `path`) when they apply.
 */
export function sendError(
  reply: FastifyReply,
  response: ErrorResponse,
  path?: string,
): FastifyReply {
  const { headers, body } = errorReplyOf(response, path, reply.request.protocol);
  return reply.code(response.status).headers(headers).send(body);
}
