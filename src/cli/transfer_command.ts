/**
 * `raftkv transfer-leader [--to ID]`: moves leadership (§3.10) to the named voter, or to the
 * most caught-up one, through `POST /v1/transfer-leader` on the current leader. The leader stops
 * taking proposals, brings the target up to date and sends it TimeoutNow; if the target has not
 * taken over within the timeout the old leader resumes (exit 3: check `raftkv status`).
 */
import { addCredentialOptions } from "./client_credentials.js";
import type { Command } from "commander";
import type { TransferJson } from "../server/http/routes_admin.js";
import { requestLeader, runAdmin, runCommand, type CommandIo } from "./admin_client.js";
import { parseEndpoints } from "./http_client.js";
import { deadlineOf, endpointsHelp, intFlag, type AdminFlags } from "./member_command.js";

interface TransferFlags extends AdminFlags {
  readonly to?: string;
  readonly transferTimeout?: string;
}

const ATTEMPT_SLACK_MS = 5_000;

export async function transferLeader(flags: TransferFlags, io: CommandIo): Promise<number> {
  const timeoutMs = intFlag("transfer-timeout", flags.transferTimeout);
  const body = {
    ...(flags.to === undefined ? {} : { to: flags.to }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
  const request = {
    method: "POST", path: "/v1/transfer-leader", body, deadlineMs: deadlineOf(flags),
    attemptTimeoutMs: (timeoutMs ?? 10_000) + ATTEMPT_SLACK_MS,
  } as const;
  return runAdmin(io, () => requestLeader(parseEndpoints(flags.endpoints), request), (r) => {
    const moved = r.body as unknown as TransferJson;
    if (flags.json === true) io.out(JSON.stringify(moved, null, 2));
    else {
      io.out(`Leadership moved from ${moved.previousLeader} to ${moved.leader} in ` +
        `${moved.tookMs} ms`);
    }
    return 0;
  });
}

export function registerTransferCommand(program: Command): void {
  addCredentialOptions(program.command("transfer-leader"))
    .description("Move leadership to another voter (e.g. before maintenance on the leader)")
    .option("--to <id>", "the new leader (default: the most caught-up voter)")
    .option("--transfer-timeout <ms>", "the old leader resumes if not done by then")
    .option("-e, --endpoints <list>", endpointsHelp)
    .option("--json", "print JSON")
    .option("--timeout <ms>", "give up finding the leader after this long (default 30000)")
    .action((flags: TransferFlags) => runCommand((io) => transferLeader(flags, io)));
}
