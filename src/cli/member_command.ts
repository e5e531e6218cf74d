/**
 * `raftkv member list|add|remove|promote`: membership changes over the HTTP API's admin routes
 * (src/server/http/routes_admin.ts), sent to the leader wherever `--endpoints` starts.
 *
 *   member list                       the configuration, as the leader sees it (with lag)
 *   member add <id> --peer host:port  safe add: learner, catch up, promote (one call);
 *              [--redis h:p] [--http h:p] [--learner] [--catch-up-timeout ms] [--lag-max n]
 *   member promote <id>               a caught-up learner becomes a voter
 *   member remove <id>                removing the leader hands leadership over first
 *
 * Exit codes: 0 done; 1 refused (CONF_CHANGE_REFUSED, not a member, bad request); 2 no leader
 * reachable (nothing happened); 3 unknown outcome (timed out: check `member list`).
 */
import type { Command } from "commander";
import type { MemberJson, MembersJson } from "../server/http/routes_admin.js";
import { addCredentialOptions } from "./client_credentials.js";
import { requestLeader, runAdmin, runCommand, type CommandIo } from "./admin_client.js";
import { endpointUrl, parseEndpoints, type ApiResponse } from "./http_client.js";
import { formatTable } from "./table.js";

export interface AdminFlags {
  readonly endpoints?: string;
  readonly json?: boolean;
  /** Overall deadline in ms (string from the command line). */
  readonly timeout?: string;
}

interface AddFlags extends AdminFlags {
  readonly peer: string;
  readonly redis?: string;
  readonly http?: string;
  readonly learner?: boolean;
  readonly catchUpTimeout?: string;
  readonly lagMax?: string;
}

const DEFAULT_DEADLINE_MS = 30_000;
const DEFAULT_CATCH_UP_TIMEOUT_MS = 30_000;
/** Slack over a server-side wait so the server's own timeout answers first. */
const ATTEMPT_SLACK_MS = 5_000;

export const endpointsHelp =
  "comma-separated HTTP host:port list (default: 127.0.0.1:8081-8083, or RAFTKV_ENDPOINTS)";

/** A positive integer flag, or undefined when absent. @throws RangeError naming the flag. */
export function intFlag(name: string, text: string | undefined, min = 1): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}

export function deadlineOf(flags: AdminFlags): number {
  return intFlag("timeout", flags.timeout) ?? DEFAULT_DEADLINE_MS;
}

export function formatMembers(view: MembersJson): string {
  const dash = (value: string | number | null): string => (value === null ? "-" : String(value));
  const rows = view.members.map((m: MemberJson) => [
    m.id, m.role + (m.outgoingVoter ? " (outgoing)" : ""), m.isLeader ? "yes" : "",
    dash(m.peer), dash(m.http), dash(m.redis), dash(m.match), dash(m.lag),
  ]);
  const table = formatTable(
    ["id", "role", "leader", "peer", "http", "redis", "match", "lag"], rows);
  return `${table}\n(term ${view.term}, answered by ${view.node})`;
}

function printMembers(io: CommandIo, flags: AdminFlags, heading: string | null) {
  return (response: ApiResponse): number => {
    const view = response.body as unknown as MembersJson;
    if (flags.json === true) io.out(JSON.stringify(view, null, 2));
    else io.out(heading === null ? formatMembers(view) : `${heading}\n${formatMembers(view)}`);
    return 0;
  };
}

/**
 * The leader's view of the members (lag is known only there); a follower's view when the
 * leader cannot be reached.
 */
export async function memberList(flags: AdminFlags, io: CommandIo): Promise<number> {
  const endpoints = parseEndpoints(flags.endpoints);
  const request = { method: "GET", path: "/v1/members", deadlineMs: deadlineOf(flags),
    attemptTimeoutMs: 3000 } as const;
  return runAdmin(io, async () => {
    const first = await requestLeader(endpoints, request);
    const view = first.body as unknown as Partial<MembersJson>;
    if (first.status !== 200 || view.leaderHttp == null || view.leader === view.node) return first;
    try {
      const fromLeader = await requestLeader([endpointUrl(view.leaderHttp)],
        { ...request, deadlineMs: 3000 });
      return fromLeader.status === 200 ? fromLeader : first;
    } catch {
      return first;
    }
  }, printMembers(io, flags, null));
}

export async function memberAdd(id: string, flags: AddFlags, io: CommandIo): Promise<number> {
  const catchUpTimeoutMs = intFlag("catch-up-timeout", flags.catchUpTimeout) ??
    DEFAULT_CATCH_UP_TIMEOUT_MS;
  const lagMax = intFlag("lag-max", flags.lagMax, 0);
  const role = flags.learner === true ? "learner" : "voter";
  const body = {
    id, peer: flags.peer, role, catchUpTimeoutMs,
    ...(flags.redis === undefined ? {} : { redis: flags.redis }),
    ...(flags.http === undefined ? {} : { http: flags.http }),
    ...(lagMax === undefined ? {} : { lagMax }),
  };
  const request = {
    method: "POST", path: "/v1/members", body,
    deadlineMs: Math.max(deadlineOf(flags), catchUpTimeoutMs + ATTEMPT_SLACK_MS),
    attemptTimeoutMs: catchUpTimeoutMs + ATTEMPT_SLACK_MS,
  } as const;
  return runAdmin(io, () => requestLeader(parseEndpoints(flags.endpoints), request),
    printMembers(io, flags, `Added ${id} as a ${role}`));
}

export async function memberChange(
  id: string,
  change: "remove" | "promote",
  flags: AdminFlags & { readonly catchUpTimeout?: string },
  io: CommandIo,
): Promise<number> {
  const catchUpTimeoutMs = intFlag("catch-up-timeout", flags.catchUpTimeout) ??
    DEFAULT_CATCH_UP_TIMEOUT_MS;
  const path = `/v1/members/${encodeURIComponent(id)}`;
  const request = change === "remove"
    ? { method: "DELETE", path, deadlineMs: deadlineOf(flags), attemptTimeoutMs: 20_000 } as const
    : {
      method: "POST", path: `${path}/promote`, body: { catchUpTimeoutMs },
      deadlineMs: Math.max(deadlineOf(flags), catchUpTimeoutMs + ATTEMPT_SLACK_MS),
      attemptTimeoutMs: catchUpTimeoutMs + ATTEMPT_SLACK_MS,
    } as const;
  const done = change === "remove" ? `Removed ${id}` : `Promoted ${id} to voter`;
  return runAdmin(io, () => requestLeader(parseEndpoints(flags.endpoints), request),
    printMembers(io, flags, done));
}

function withCommonFlags(command: Command): Command {
  return addCredentialOptions(command)
    .option("-e, --endpoints <list>", endpointsHelp)
    .option("--json", "print JSON instead of a table")
    .option("--timeout <ms>", "give up finding the leader after this long (default 30000)");
}

export function registerMemberCommand(program: Command): void {
  const member = program.command("member")
    .description("List, add, remove or promote cluster members (membership changes)");
  withCommonFlags(member.command("list").description("Show the members, their roles and lag"))
    .action((flags: AdminFlags) => runCommand((io) => memberList(flags, io)));
  withCommonFlags(member.command("add <id>")
    .description("Add a member: as a learner, wait until it caught up, then promote it to voter"))
    .requiredOption("--peer <host:port>", "the new node's Raft transport address")
    .option("--redis <host:port>", "its Redis-protocol address (for tools)")
    .option("--http <host:port>", "its HTTP API address (for tools and redirects)")
    .option("--learner", "add as a non-voting learner only")
    .option("--catch-up-timeout <ms>", "how long it may take to catch up (default 30000)")
    .option("--lag-max <entries>", "caught up when at most this many entries behind")
    .action((id: string, flags: AddFlags) => runCommand((io) => memberAdd(id, flags, io)));
  withCommonFlags(member.command("remove <id>")
    .description("Remove a member (a removed leader first hands leadership over)"))
    .action((id: string, flags: AdminFlags) =>
      runCommand((io) => memberChange(id, "remove", flags, io)));
  withCommonFlags(member.command("promote <id>")
    .description("Promote a learner to voter once it has caught up"))
    .option("--catch-up-timeout <ms>", "how long it may take to catch up (default 30000)")
    .action((id: string, flags: AdminFlags & { catchUpTimeout?: string }) =>
      runCommand((io) => memberChange(id, "promote", flags, io)));
}
