/**
 * `raftkv status`: every node's role, term, leader, commit and applied indexes, and how far it
 * lags the leader, from GET /v1/status of each endpoint (default: the local cluster's) and of
 * every member the leader knows (GET /v1/members on the leader), so a member added since the
 * endpoints were written down shows too. A node removed from the cluster answers 410 and is
 * shown as removed; lag is the leader's view.
 */
import { addCredentialOptions } from "./client_credentials.js";
import type { Command } from "commander";
import type { StatusJson } from "../server/http/routes_status.js";
import { httpRequest, type HttpAnswer } from "./client_credentials.js";
import { endpointUrl, parseEndpoints } from "./http_client.js";
import type { MembersJson } from "../server/http/routes_admin.js";
import { formatTable } from "./table.js";

interface StatusFlags {
  readonly endpoints?: string;
  readonly json?: boolean;
}

/** One endpoint's answer: its status, or why it gave none. */
export interface EndpointStatus {
  readonly endpoint: string;
  readonly status: NodeStatusJson | null;
  readonly error: string | null;
  /** Entries behind the leader's last index, from the leader's view (null: unknown). */
  readonly lag: number | null;
  /** The node answered that it was removed from the cluster (HTTP 410). */
  readonly removed?: boolean;
  /** Not among the endpoints given: found in the leader's member list. */
  readonly discovered?: boolean;
}

/** What GET /v1/status answers (the server defines it). */
export type NodeStatusJson = StatusJson;

export function registerStatusCommand(program: Command): void {
  addCredentialOptions(program.command("status"))
    .description("Show every node's role, term, leader, commit, applied and lag")
    .option("-e, --endpoints <list>",
      "comma-separated HTTP host:port list (default: 127.0.0.1:8081-8083)")
    .option("--json", "print JSON instead of a table")
    .action(async (flags: StatusFlags) => {
      const statuses = await fetchStatuses(parseEndpoints(flags.endpoints));
      if (flags.json === true) process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
      else process.stdout.write(`${formatStatusTable(statuses)}\n`);
      process.exitCode = statuses.some((s) => s.status === null && s.removed !== true) ? 1 : 0;
    });
}

/** "HTTP 401 UNAUTHENTICATED: ..." from an error answer. */
function httpProblem(answer: HttpAnswer): string {
  try {
    const { error } = JSON.parse(answer.text) as { error?: { code?: string; message?: string } };
    return `HTTP ${answer.status} ${error?.code ?? ""}: ${error?.message ?? ""}`;
  } catch {
    return `HTTP ${answer.status}`;
  }
}

type Answer = Omit<EndpointStatus, "lag">;

async function fetchOne(endpoint: string): Promise<Answer> {
  try {
    const answer = await httpRequest(`${endpoint}/v1/status`, { method: "GET", timeoutMs: 2000 });
    if (answer.status === 410) {
      return { endpoint, status: null, error: "removed from the cluster", removed: true };
    }
    if (answer.status !== 200) return { endpoint, status: null, error: httpProblem(answer) };
    return { endpoint, status: JSON.parse(answer.text) as NodeStatusJson, error: null };
  } catch (error) {
    return { endpoint, status: null, error: (error as Error).message };
  }
}

async function fetchMembers(endpoint: string): Promise<MembersJson | null> {
  try {
    const answer = await httpRequest(`${endpoint}/v1/members`, { method: "GET", timeoutMs: 2000 });
    return answer.status === 200 ? JSON.parse(answer.text) as MembersJson : null;
  } catch {
    return null;
  }
}

/** The leader's member list: asked of the leader among `answers`, else of whom they name. */
async function leaderMembers(answers: readonly Answer[]): Promise<MembersJson | null> {
  const leader = answers.filter((a) => a.status?.role === "leader")
    .sort((a, b) => (b.status?.term ?? 0) - (a.status?.term ?? 0))[0];
  if (leader !== undefined) return fetchMembers(leader.endpoint);
  const anyone = answers.find((a) => a.status?.leaderId != null);
  if (anyone === undefined) return null;
  const view = await fetchMembers(anyone.endpoint);
  if (view?.leaderHttp == null) return null;
  return fetchMembers(endpointUrl(view.leaderHttp));
}

/**
 * Asks every endpoint at once, then every member the leader lists that was not among them;
 * never throws (an unreachable node is a row with its error).
 */
export async function fetchStatuses(endpoints: readonly string[]): Promise<EndpointStatus[]> {
  const given = await Promise.all(endpoints.map(fetchOne));
  const members = await leaderMembers(given);
  const known = new Set(given.map((a) => a.endpoint));
  const knownIds = new Set(given.map((a) => a.status?.id));
  const more = (members?.members ?? [])
    .filter((m) => m.http !== null && !knownIds.has(m.id))
    .map((m) => endpointUrl(m.http ?? ""))
    .filter((endpoint) => !known.has(endpoint));
  const discovered = (await Promise.all(more.map(fetchOne)))
    .map((answer) => ({ ...answer, discovered: true }));
  const answers = [...given, ...discovered];
  const leader = answers
    .map((a) => a.status)
    .filter((s): s is NodeStatusJson => s?.role === "leader")
    .sort((a, b) => b.term - a.term)[0];
  return answers.map((answer) => {
    const peer = leader?.peers?.find((p) => p.id === answer.status?.id);
    return { ...answer, lag: peer?.lag ?? null };
  });
}

export function formatStatusTable(statuses: readonly EndpointStatus[]): string {
  const rows = statuses.map(({ endpoint, status, error, lag, removed }) => status === null
    ? [endpoint, "-", removed === true ? "removed" : "unreachable", "-", "-", "-", "-", error ?? ""]
    : [endpoint, status.id, status.role, String(status.term), status.leaderId ?? "none",
      String(status.commit), String(status.applied), lag === null ? "-" : String(lag)]);
  const header = ["endpoint", "node", "role", "term", "leader", "commit", "applied", "lag"];
  return formatTable(header, rows);
}
