/**
 * How the cluster-operation routes (`routes_admin.ts`) present failures. The body has the API's
 * common error shape, `{"error": {"code", "message", "definite", "leader"?, "leaderHttp"?}}`, so
 * a client that handles the key-value routes' errors handles these too.
 *
 * | error                      | status | notes                                              |
 * |----------------------------|--------|----------------------------------------------------|
 * | NOT_LEADER, leader known   | 421    | `leader`, `leaderHttp` and Location when known     |
 * | NOT_LEADER, no leader      | 503    | code NO_LEADER, Retry-After                        |
 * | CONF_CHANGE_REFUSED        | 409    | another change in flight, bad change, ...          |
 * | CATCH_UP_TIMEOUT           | 504    | definite: false (the node may stay a learner)      |
 * | TRANSFER_TIMEOUT           | 504    | the old leader resumed; definite: false            |
 * | anything else              |        | the key-value table (`error_responses.ts`)         |
 *
 * 421 Misdirected Request (RFC 9110 §15.5.20) rather than a 3xx: a client must not replay a
 * membership change somewhere else without deciding to, and fetch would follow a 307 silently.
 * Errors are recognised by their stable `code` (STYLE.md rule 10), so the node runtime's timeout
 * classes need not be imported here.
 */
import type { FastifyReply } from "fastify";
import { NotLeaderError } from "../../core/index.js";
import type { ClusterAdmin } from "../../node/admin.js";
import { errorResponseOf, type ErrorResponse } from "./error_responses.js";

export interface AdminErrorResponse extends ErrorResponse {
  /** The leader's HTTP address (host:port), when this node knows it. */
  readonly leaderHttp?: string;
}

const RETRY_AFTER_SECONDS = 1;

/** A route-level refusal with its status and stable code (bad input the schema cannot see). */
export class AdminRequestError extends Error {
  override readonly name = "AdminRequestError";
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function codeOf(thrown: unknown): string | null {
  if (!(thrown instanceof Error)) return null;
  const code = (thrown as { code?: unknown }).code;
  return typeof code === "string" ? code : null;
}

function definiteOf(thrown: Error, fallback: boolean): boolean {
  const definite = (thrown as { definite?: unknown }).definite;
  return typeof definite === "boolean" ? definite : fallback;
}

/** Where the leader serves HTTP, from this node's membership view (null when unknown). */
export function leaderHttpOf(admin: ClusterAdmin, leaderId: string): string | null {
  try {
    const leader = admin.members().find((member) => member.id === leaderId);
    return leader?.addresses?.http ?? null;
  } catch {
    return null;
  }
}

function notLeaderResponse(error: NotLeaderError, admin: ClusterAdmin): AdminErrorResponse {
  if (error.leaderId === null) {
    return {
      status: 503, code: "NO_LEADER", message: error.message, definite: true, leader: null,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    };
  }
  const http = leaderHttpOf(admin, error.leaderId);
  return {
    status: 421, code: "NOT_LEADER", definite: true, leader: error.leaderId,
    message: `${error.message}${http === null ? "" : ` (HTTP ${http})`}`,
    ...(http === null ? {} : { leaderHttp: http }),
  };
}

/** The response for anything an admin route threw. */
export function adminErrorResponseOf(thrown: unknown, admin: ClusterAdmin): AdminErrorResponse {
  if (thrown instanceof AdminRequestError) {
    return { status: thrown.status, code: thrown.code, message: thrown.message, definite: true };
  }
  if (thrown instanceof NotLeaderError) return notLeaderResponse(thrown, admin);
  const code = codeOf(thrown);
  if (thrown instanceof Error && code !== null) {
    switch (code) {
      case "CONF_CHANGE_REFUSED":
        return { status: 409, code, message: thrown.message, definite: definiteOf(thrown, true) };
      case "CATCH_UP_TIMEOUT":
      case "TRANSFER_TIMEOUT":
        return { status: 504, code, message: thrown.message, definite: definiteOf(thrown, false) };
      case "NODE_STOPPED":
        return {
          status: 503, code, message: thrown.message, definite: true,
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        };
      default:
        break;
    }
  }
  return errorResponseOf(thrown);
}

/** Sends `response` in the API's common error shape, with the leader's address when known. */
export function sendAdminError(
  reply: FastifyReply,
  response: AdminErrorResponse,
  path: string,
): FastifyReply {
  if (response.retryAfterSeconds !== undefined) {
    void reply.header("retry-after", String(response.retryAfterSeconds));
  }
  if (response.leaderHttp !== undefined) {
    void reply.header("location", `http://${response.leaderHttp}${path}`);
  }
  const { code, message, definite, leader, leaderHttp } = response;
  return reply.code(response.status).send({
    error: {
      code, message, definite,
      ...(leader === undefined ? {} : { leader }),
      ...(leaderHttp === undefined ? {} : { leaderHttp }),
    },
  });
}
