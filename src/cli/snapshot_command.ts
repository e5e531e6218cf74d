/**
 * `raftkv snapshot`: every node named by `--endpoints` takes a snapshot of its state machine now
 * and compacts its log behind it, freeing the disk the log held (`POST /v1/snapshot`; any node,
 * leader or not); each node reports its data directory's size before and after. Pass a single
 * endpoint to snapshot one node. A snapshot changes no data, so a lost request is simply retried.
 * Exit 0 when every node took one, else 1 (each failing node is named).
 */
import { addCredentialOptions } from "./client_credentials.js";
import type { Command } from "commander";
import type { SnapshotJson } from "../server/http/routes_admin.js";
import { runCommand, type CommandIo, type ErrorJson } from "./admin_client.js";
import { messageOf } from "../server/errors.js";
import { parseEndpoints, requestCluster } from "./http_client.js";
import { deadlineOf, endpointsHelp, type AdminFlags } from "./member_command.js";
import { formatTable } from "./table.js";
import { EXIT_NO } from "./kv_commands.js";

export interface SnapshotRow {
  readonly endpoint: string;
  readonly node: string | null;
  readonly index: number | null;
  readonly error: string | null;
  /** The node's data directory before and after (null: the node did not say). */
  readonly bytesBefore?: number | null;
  readonly bytesAfter?: number | null;
}

function megabytes(bytes: number | null | undefined): string {
  return bytes == null ? "-" : `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

async function snapshotOne(endpoint: string, deadlineMs: number): Promise<SnapshotRow> {
  try {
    const response = await requestCluster([endpoint], {
      method: "POST", path: "/v1/snapshot", write: false, deadlineMs, attemptTimeoutMs: deadlineMs,
    });
    if (response.status === 200) {
      const taken = response.body as unknown as SnapshotJson;
      return {
        endpoint, node: taken.node, index: taken.index, error: null,
        bytesBefore: taken.bytesBefore ?? null, bytesAfter: taken.bytesAfter ?? null,
      };
    }
    const error = response.body.error as ErrorJson | undefined;
    const text = `${error?.code ?? `HTTP ${response.status}`}: ${error?.message ?? ""}`;
    return { endpoint, node: null, index: null, error: text };
  } catch (error) {
    return { endpoint, node: null, index: null, error: messageOf(error) };
  }
}

export async function takeSnapshots(flags: AdminFlags, io: CommandIo): Promise<number> {
  const endpoints = parseEndpoints(flags.endpoints);
  const deadlineMs = deadlineOf(flags);
  const rows = await Promise.all(endpoints.map((e) => snapshotOne(e, deadlineMs)));
  if (flags.json === true) io.out(JSON.stringify(rows, null, 2));
  else {
    io.out(formatTable(["endpoint", "node", "snapshot index", "disk before", "disk after", "error"],
      rows.map((r) => [
        r.endpoint, r.node ?? "-", r.index === null ? "-" : String(r.index),
        megabytes(r.bytesBefore), megabytes(r.bytesAfter), r.error ?? "",
      ])));
  }
  const failed = rows.filter((r) => r.error !== null);
  for (const row of failed) io.err(`No snapshot on ${row.endpoint}: ${row.error ?? ""}`);
  return failed.length === 0 ? 0 : EXIT_NO;
}

export function registerSnapshotCommand(program: Command): void {
  addCredentialOptions(program.command("snapshot"))
    .description("Take a snapshot now on each endpoint's node, compact its log and free its disk")
    .option("-e, --endpoints <list>", endpointsHelp)
    .option("--json", "print JSON instead of a table")
    .option("--timeout <ms>", "give up on a node after this long (default 30000)")
    .action((flags: AdminFlags) => runCommand((io) => takeSnapshots(flags, io)));
}
