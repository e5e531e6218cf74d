/**
 * The CLI's HTTP client for a raftkv cluster. It tries the endpoints in turn: on a refused
 * connection or a definite refusal (503: no leader, dropped) the request cannot have taken
 * effect, so it retries elsewhere until its deadline. When a write may have taken effect (504
 * UNKNOWN_OUTCOME, a connection lost after the request was sent, a timeout) it stops and says
 * the outcome is unknown, distinctly from a failure: retrying a non-idempotent write blindly
 * could apply it twice. A 421 NOT_LEADER (a write that reached a follower) is a definite
 * refusal too: with `followLeader` the next attempt goes to the leader it names.
 */
import { OutcomeUnknownError, UnavailableError } from "../node/errors.js";
import { defaultScheme, httpRequest } from "./client_credentials.js";

export const DEFAULT_ENDPOINTS = ["127.0.0.1:8081", "127.0.0.1:8082", "127.0.0.1:8083"] as const;

/**
 * "host:port" or a URL, to a base URL without a trailing slash; host:port is https when a CA
 * is configured (`--cacert`), else http.
 */
export function endpointUrl(endpoint: string): string {
  const trimmed = endpoint.trim().replace(/\/+$/, "");
  return /^https?:\/\//.test(trimmed) ? trimmed : `${defaultScheme()}://${trimmed}`;
}

/** `--endpoints a,b` (or RAFTKV_ENDPOINTS), else the local cluster's defaults. */
export function parseEndpoints(flag: string | undefined, env = process.env): string[] {
  const text = flag ?? env.RAFTKV_ENDPOINTS;
  const list = text === undefined
    ? [...DEFAULT_ENDPOINTS]
    : text.split(",").filter((s) => s.trim() !== "");
  if (list.length === 0) throw new RangeError("--endpoints must name at least one host:port");
  return list.map(endpointUrl);
}

export { OutcomeUnknownError, UnavailableError };

export interface ApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly endpoint: string;
}

export interface RequestOptions {
  readonly method: "GET" | "PUT" | "DELETE" | "POST";
  readonly path: string;
  readonly body?: unknown;
  /** A write is not retried once it may have reached a node. */
  readonly write: boolean;
  readonly deadlineMs?: number;
  readonly attemptTimeoutMs?: number;
  /** Retry a 421 NOT_LEADER at the leader it names instead of returning it. */
  readonly followLeader?: boolean;
}

const RETRY_PAUSE_MS = 100;

interface ErrorBody {
  readonly code?: string;
  readonly message?: string;
  readonly definite?: boolean;
  readonly leaderHttp?: string;
}

/**
 * @throws UnavailableError when no endpoint served it in time (definite for writes only if
 *   every attempt was refused before sending); OutcomeUnknownError for a write that may have
 *   applied.
 */
export async function requestCluster(
  endpoints: readonly string[],
  options: RequestOptions,
): Promise<ApiResponse> {
  const deadline = Date.now() + (options.deadlineMs ?? 10_000);
  let lastProblem = "no attempt";
  let leader: string | null = null;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const endpoint = leader ?? endpoints[attempt % endpoints.length] ?? "";
    leader = null;
    const outcome = await attemptOnce(endpoint, options);
    if (outcome.kind === "response") {
      const { status, body } = outcome;
      const error = body.error as ErrorBody | undefined;
      const redirected = status === 421 && options.followLeader === true;
      // 410: that node was removed from the cluster; another endpoint may serve.
      if ((status === 503 || status === 410 || redirected) && error?.definite !== false) {
        lastProblem = `${endpoint}: ${error?.code ?? status} ${error?.message ?? ""}`.trim();
        if (redirected && error?.leaderHttp !== undefined) leader = endpointUrl(error.leaderHttp);
      } else if (options.write && status >= 500 && error?.definite !== true) {
        // A 5xx may have applied unless it says otherwise (a definite 504: a catch-up timeout).
        throw new OutcomeUnknownError(`${endpoint}: ${error?.message ?? `status ${status}`}`);
      } else {
        return { status, body, endpoint };
      }
    } else if (outcome.kind === "refused" || !options.write) {
      lastProblem = `${endpoint}: ${outcome.message}`;
    } else {
      throw new OutcomeUnknownError(`${endpoint}: ${outcome.message}`);
    }
    if ((attempt + 1) % endpoints.length === 0) {
      await new Promise((done) => setTimeout(done, RETRY_PAUSE_MS));
    }
  }
  throw new UnavailableError(`No endpoint served the request in time (last: ${lastProblem})`);
}

type Attempt =
  | { readonly kind: "response"; readonly status: number; readonly body: Record<string, unknown> }
  | { readonly kind: "refused" | "lost"; readonly message: string };

async function attemptOnce(endpoint: string, options: RequestOptions): Promise<Attempt> {
  let answer;
  try {
    answer = await httpRequest(`${endpoint}${options.path}`, {
      method: options.method,
      timeoutMs: options.attemptTimeoutMs ?? 6000,
      ...(options.body === undefined ? {} : {
        body: JSON.stringify(options.body), headers: { "content-type": "application/json" },
      }),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    return { kind: code === "ECONNREFUSED" ? "refused" : "lost", message };
  }
  let body: Record<string, unknown>;
  try {
    body = answer.text === "" ? {} : JSON.parse(answer.text) as Record<string, unknown>;
  } catch (error) {
    return { kind: "lost", message: `unreadable response (${(error as Error).message})` };
  }
  return { kind: "response", status: answer.status, body };
}
