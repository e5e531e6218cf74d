/**
 * The CLI's client for the cluster-operation routes (src/server/http/routes_admin.ts): it finds
 * the leader by following the 421 NOT_LEADER answers (which carry the leader's HTTP address),
 * waits out 503 NO_LEADER (an election) and refused connections by trying the other endpoints,
 * all until one deadline. Once a mutation may have reached a node (a timeout, a connection lost
 * after sending) it stops: a membership change must not be replayed blindly.
 *
 * Shared by `raftkv member`, `raftkv transfer-leader` and `raftkv snapshot`, with their exit
 * codes (those of kv_commands.ts: 1 refused, 2 unavailable, 3 unknown outcome).
 */
import {
  OutcomeUnknownError, UnavailableError, endpointUrl, requestCluster, type ApiResponse,
} from "./http_client.js";
import { EXIT_NO, EXIT_UNAVAILABLE, EXIT_UNKNOWN } from "./kv_commands.js";

/** Where a command writes: process.stdout/stderr in the CLI, buffers in tests. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CommandIo = {
  out: (text) => { process.stdout.write(`${text}\n`); },
  err: (text) => { process.stderr.write(`${text}\n`); },
};

/** Collects a command's output (tests, and callers that parse `--json`). */
export class BufferedIo implements CommandIo {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  out(text: string): void { this.stdout.push(text); }
  err(text: string): void { this.stderr.push(text); }
  get text(): string { return this.stdout.join("\n"); }
}

export interface AdminRequest {
  readonly method: "GET" | "POST" | "DELETE";
  readonly path: string;
  readonly body?: unknown;
  /** Overall deadline for finding the leader and getting an answer. */
  readonly deadlineMs: number;
  /** One request's timeout: longer than the server-side wait (catch-up, transfer). */
  readonly attemptTimeoutMs: number;
}

export interface ErrorJson {
  readonly code?: string;
  readonly message?: string;
  readonly definite?: boolean;
  readonly leader?: string | null;
  readonly leaderHttp?: string;
}

/** A redirect loop is a bug or a cluster in flux; give up after this many hops in a row. */
const REDIRECTS_MAX = 8;

/**
 * Sends `request` to the leader, starting from `endpoints`.
 * @returns the leader's answer (any status but 421/503), from the endpoint that gave it.
 * @throws UnavailableError (nothing happened), OutcomeUnknownError (a mutation may have).
 */
export async function requestLeader(
  endpoints: readonly string[],
  request: AdminRequest,
): Promise<ApiResponse> {
  const deadline = Date.now() + request.deadlineMs;
  const write = request.method !== "GET";
  let targets = [...endpoints];
  let redirects = 0;
  let lastProblem = "no attempt";
  while (Date.now() < deadline) {
    const response = await requestCluster(targets, {
      method: request.method, path: request.path, body: request.body, write,
      deadlineMs: Math.max(1, deadline - Date.now()),
      attemptTimeoutMs: request.attemptTimeoutMs,
    });
    if (response.status !== 421) return response;
    const error = response.body.error as ErrorJson | undefined;
    lastProblem = `${response.endpoint}: ${error?.message ?? "not the leader"}`;
    if (++redirects > REDIRECTS_MAX) break;
    const leader = error?.leaderHttp === undefined ? null : endpointUrl(error.leaderHttp);
    // The leader first, then everyone else (its address may be stale or unreachable from here).
    targets = leader === null
      ? [...targets.slice(1), ...targets.slice(0, 1)]
      : [leader, ...endpoints.filter((e) => e !== leader)];
  }
  throw new UnavailableError(`No leader answered in time (last: ${lastProblem})`);
}

/**
 * Runs a command and sets the process exit code; a bad flag value (RangeError from the flag
 * parsers) is a message and exit 1, not a stack trace.
 */
export async function runCommand(run: (io: CommandIo) => Promise<number>): Promise<void> {
  try {
    process.exitCode = await run(processIo);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    processIo.err(`Invalid arguments: ${error.message}`);
    process.exitCode = EXIT_NO;
  }
}

/**
 * Runs `send` and turns its failures into an exit code with a clear message.
 * @returns 0 when `onOk` accepts the answer, else the exit code.
 */
export async function runAdmin(
  io: CommandIo,
  send: () => Promise<ApiResponse>,
  onOk: (response: ApiResponse) => number,
): Promise<number> {
  let response: ApiResponse;
  try {
    response = await send();
  } catch (error) {
    if (error instanceof OutcomeUnknownError) {
      io.err(`Unknown outcome: the operation may or may not have taken effect (${error.message});` +
        " check with `raftkv member list` before retrying");
      return EXIT_UNKNOWN;
    }
    if (error instanceof UnavailableError) {
      io.err(`Unavailable: ${error.message}`);
      return EXIT_UNAVAILABLE;
    }
    throw error;
  }
  if (response.status < 400) return onOk(response);
  const error = response.body.error as ErrorJson | undefined;
  const code = error?.code ?? `HTTP ${response.status}`;
  io.err(`Error ${code}: ${error?.message ?? "request failed"} (from ${response.endpoint})`);
  return error?.definite === false ? EXIT_UNKNOWN : EXIT_NO;
}
