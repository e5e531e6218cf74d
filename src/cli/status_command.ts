/**
 * `raftkv status`: every node's role, term, leader, commit and applied indexes, and how far it
 * lags the leader, from GET /v1/status of each endpoint (default: the local cluster's).
 */
import { addCredentialOptions } from "./client_credentials.js";
import type { Command } from "commander";
import type { StatusJson } from "../server/http/routes_status.js";
import { httpRequest, type HttpAnswer } from "./client_credentials.js";
import { parseEndpoints } from "./http_client.js";
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
      process.exitCode = statuses.some((s) => s.status === null) ? 1 : 0;
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

/** Asks every endpoint at once; never throws (an unreachable node is a row with its error). */
export async function fetchStatuses(endpoints: readonly string[]): Promise<EndpointStatus[]> {
  const answers = await Promise.all(endpoints.map(async (endpoint) => {
    try {
      const answer = await httpRequest(`${endpoint}/v1/status`, { method: "GET", timeoutMs: 2000 });
      if (answer.status !== 200) return { endpoint, status: null, error: httpProblem(answer) };
      return { endpoint, status: JSON.parse(answer.text) as NodeStatusJson, error: null };
    } catch (error) {
      return { endpoint, status: null, error: (error as Error).message };
    }
  }));
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
  const rows = statuses.map(({ endpoint, status, error, lag }) => status === null
    ? [endpoint, "-", "unreachable", "-", "-", "-", "-", error ?? ""]
    : [endpoint, status.id, status.role, String(status.term), status.leaderId ?? "none",
      String(status.commit), String(status.applied), lag === null ? "-" : String(lag)]);
  const header = ["endpoint", "node", "role", "term", "leader", "commit", "applied", "lag"];
  return formatTable(header, rows);
}
