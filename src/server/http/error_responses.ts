/**
 * The one table that turns errors into HTTP responses. Every error body has the same shape:
 * `{"error": {"code", "message", "definite", "leader"?}}` where `definite` says whether the
 * request certainly had no effect (false means it may have been applied: retrying a write may
 * apply it twice).
 *
 * | error                                            | status | notes                          |
 * |--------------------------------------------------|--------|--------------------------------|
 * | NOT_LEADER (no leader known: code NO_LEADER)     | 503    | Retry-After; `leader` if known |
 * | PROPOSAL_DROPPED, UNCOMMITTED_BYTES_EXCEEDED     | 503    | Retry-After                    |
 * | UNKNOWN_OUTCOME                                  | 504    | definite: false                |
 * | INTERNAL (a bug)                                 | 500    | definite: false                |
 * | VALUE_TOO_LARGE, or a body over bodyLimit        | 413    |                                |
 * | NOT_INTEGER, INTEGER_OVERFLOW                    | 409    |                                |
 * | malformed JSON, schema violation, bad base64     | 400    | code BAD_REQUEST               |
 * | unsupported Content-Type                         | 415    |                                |
 */
import type { FastifyReply } from "fastify";
import { classifyError, messageOf, type KnownError, type KnownErrorCode } from "../errors.js";
import { ValueEncodingError } from "./value_encoding.js";

export interface ErrorResponse {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly definite: boolean;
  readonly leader?: string | null;
  readonly retryAfterSeconds?: number;
}

type ErrorOf<C extends KnownErrorCode> = Extract<KnownError, { code: C }>["error"];

const RETRY_AFTER_SECONDS = 1;

const table: { readonly [C in KnownErrorCode]: (error: ErrorOf<C>) => ErrorResponse } = {
  NOT_LEADER: (e) => ({
    status: 503, code: e.leaderId === null ? "NO_LEADER" : "NOT_LEADER", message: e.message,
    definite: true, leader: e.leaderId, retryAfterSeconds: RETRY_AFTER_SECONDS,
  }),
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
  INTERNAL: (e) => ({
    status: 500, code: "INTERNAL", definite: false,
    message: `Internal error; the request may have been applied: ${messageOf(e)}`,
  }),
};

/**
 * The request body types the API parses (server.ts): JSON for every route with a body, raw
 * bytes for a PUT's value. Named in a 415's message so the client learns what to send.
 */
export const ACCEPTED_CONTENT_TYPES: readonly string[] = [
  "application/json", "text/plain", "application/octet-stream",
];

/** Fastify's own request errors (parsing, limits, validation), by their `code`. */
const requestErrors: Readonly<Record<string, { status: number; code: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: "BODY_TOO_LARGE" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: "BAD_REQUEST" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: "BAD_REQUEST" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: "BAD_REQUEST" },
  FST_ERR_VALIDATION: { status: 400, code: "BAD_REQUEST" },
};

function requestErrorOf(
  thrown: unknown,
  contentType: string | undefined,
): ErrorResponse | null {
  if (thrown instanceof ValueEncodingError) {
    return { status: 400, code: thrown.code, message: thrown.message, definite: true };
  }
  if (!(thrown instanceof Error)) return null;
  const fastifyCode = (thrown as { code?: unknown }).code;
  const validation = (thrown as { validation?: unknown }).validation;
  const known = typeof fastifyCode === "string" ? requestErrors[fastifyCode] : undefined;
  if (known !== undefined) {
    const message = known.code === "UNSUPPORTED_MEDIA_TYPE"
      ? `Unsupported Content-Type ${JSON.stringify(contentType ?? "")}; accepted: ` +
        ACCEPTED_CONTENT_TYPES.join(", ")
      : thrown.message;
    return { ...known, message, definite: true };
  }
  // Schema validation failures carry `validation` (and statusCode 400) instead of a code.
  if (validation !== undefined) {
    return { status: 400, code: "BAD_REQUEST", message: thrown.message, definite: true };
  }
  return null;
}

/**
 * The response for anything a route or Fastify threw; `contentType` is the request's, named
 * when it is the one refused.
 */
export function errorResponseOf(thrown: unknown, contentType?: string): ErrorResponse {
  const request = requestErrorOf(thrown, contentType);
  if (request !== null) return request;
  const known = classifyError(thrown);
  // `classifyError` pairs each code with its error class; TypeScript cannot correlate the two
  // through the table's index.
  const format = table[known.code] as (error: unknown) => ErrorResponse;
  return format(known.error);
}

/** Sends `response` in the common error shape. */
export function sendError(reply: FastifyReply, response: ErrorResponse): FastifyReply {
  if (response.retryAfterSeconds !== undefined) {
    void reply.header("retry-after", String(response.retryAfterSeconds));
  }
  const { code, message, definite, leader } = response;
  return reply.code(response.status).send({
    error: leader === undefined ? { code, message, definite } : { code, message, definite, leader },
  });
}
