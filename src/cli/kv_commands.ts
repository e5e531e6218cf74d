/**
 * `raftkv get|put|del|cas`: client commands over the HTTP API (src/server/http/routes_kv.ts).
 *
 * Exit codes: 0 done; 1 a definite "no" (key not found by get or del, NX/XX condition or CAS comparison
 * false, request rejected); 2 unavailable (no node served it: it did not take effect);
 * 3 unknown outcome (a write that may or may not have been applied).
 */
import { addCredentialOptions } from "./client_credentials.js";
import type { Command } from "commander";
import {
  OutcomeUnknownError, UnavailableError, parseEndpoints, requestCluster, type ApiResponse,
  type RequestOptions,
} from "./http_client.js";

export const EXIT_NO = 1;
export const EXIT_UNAVAILABLE = 2;
export const EXIT_UNKNOWN = 3;

interface ClientFlags {
  readonly endpoints?: string;
}

interface SetFlags {
  readonly nx?: boolean;
  readonly xx?: boolean;
}

interface CasFlags {
  readonly absent?: boolean;
}

const endpointsHelp =
  "comma-separated HTTP host:port list (default: 127.0.0.1:8081-8083, or RAFTKV_ENDPOINTS)";

export function registerKvCommands(program: Command): void {
  addCredentialOptions(program.command("get <key>")).description("Read a key (linearizable)")
    .option("-e, --endpoints <list>", endpointsHelp)
    .action(async (key: string, flags: ClientFlags) => {
      await run(flags, { method: "GET", path: keyPath(key), write: false }, (r) => {
        if (r.status === 404) return fail("(nil): key not found");
        return print(String(r.body.value));
      });
    });
  addCredentialOptions(program.command("put <key> <value>")).description("Write a key")
    .option("--nx", "only if the key is absent").option("--xx", "only if the key exists")
    .option("-e, --endpoints <list>", endpointsHelp)
    .action(async (key: string, value: string, flags: ClientFlags & SetFlags) => {
      const query = flags.nx === true ? "?nx" : flags.xx === true ? "?xx" : "";
      const path = keyPath(key) + query;
      await run(flags, { method: "PUT", path, body: { value }, write: true }, (r) => {
        if (r.status === 412) return fail("not written: the NX/XX condition did not hold");
        return print("OK");
      });
    });
  addCredentialOptions(program.command("del <key>")).description("Delete a key")
    .option("-e, --endpoints <list>", endpointsHelp)
    .action(async (key: string, flags: ClientFlags) => {
      await run(flags, { method: "DELETE", path: keyPath(key), write: true }, (r) =>
        r.body.deleted === true ? print("deleted") : fail("(nil): key not found"));
    });
  addCredentialOptions(program.command("cas <key> <expected> <value>"))
    .description("Compare-and-set: write value only if the key holds expected")
    .option("--absent", "expect the key to be absent (expected is then ignored)")
    .option("-e, --endpoints <list>", endpointsHelp)
    .action(async (key: string, expected: string, value: string, flags: ClientFlags & CasFlags) => {
      const body = { expected: flags.absent === true ? null : expected, value };
      await run(flags, { method: "POST", path: `${keyPath(key)}/cas`, body, write: true }, (r) =>
        r.body.swapped === true
          ? print("swapped")
          : fail("not swapped: the current value differs"));
    });
}

function keyPath(key: string): string {
  return `/v1/kv/${encodeURIComponent(key)}`;
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

function fail(text: string): number {
  process.stderr.write(`${text}\n`);
  return EXIT_NO;
}

async function run(
  flags: ClientFlags,
  request: RequestOptions,
  onOk: (r: ApiResponse) => number,
): Promise<void> {
  try {
    const response = await requestCluster(parseEndpoints(flags.endpoints),
      { ...request, followLeader: true });
    const error = response.body.error as { code?: string; message?: string } | undefined;
    if (response.status >= 400 && response.status !== 404 && response.status !== 412) {
      process.exitCode = fail(`Error ${error?.code ?? response.status}: ${error?.message ?? ""}`);
      return;
    }
    process.exitCode = onOk(response);
  } catch (error) {
    if (error instanceof OutcomeUnknownError) {
      process.stderr.write(
        `Unknown outcome: the write may or may not have been applied (${error.message})\n`);
      process.exitCode = EXIT_UNKNOWN;
    } else if (error instanceof UnavailableError) {
      process.stderr.write(`Unavailable: ${error.message}\n`);
      process.exitCode = EXIT_UNAVAILABLE;
    } else {
      throw error;
    }
  }
}
