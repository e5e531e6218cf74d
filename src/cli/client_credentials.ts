/**
 * How the CLI's client commands authenticate to a cluster and check its TLS certificate:
 * `--user`/`--password` (HTTP Basic), `--token` (Bearer) and `--cacert` (the CA that signed the
 * nodes' client-port certificates; with it, endpoints given as host:port default to https), or
 * `RAFTKV_USER`, `RAFTKV_PASSWORD`, `RAFTKV_TOKEN`, `RAFTKV_CACERT`; flags win. Each client
 * command adds them with `addCredentialOptions`, which sets them once per run before the action,
 * and `httpRequest` sends every CLI request with them (node:http/https: fetch cannot take a
 * custom CA without undici's Agent).
 */
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { request as httpRequestRaw, type IncomingMessage } from "node:http";
import { request as httpsRequestRaw } from "node:https";

export interface ClientCredentials {
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly token?: string | undefined;
  /** PEM of the CA to trust (the file's content). */
  readonly ca?: Buffer | undefined;
}

/** The flags as commander parses them. */
export interface CredentialFlags {
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  readonly cacert?: string;
}

/**
 * Flags over `RAFTKV_*` variables.
 * @throws RangeError when the CA file cannot be read or only one of user and password is given.
 */
export function credentialsOf(
  flags: CredentialFlags,
  env: NodeJS.ProcessEnv = process.env,
): ClientCredentials {
  const user = flags.user ?? env.RAFTKV_USER;
  const password = flags.password ?? env.RAFTKV_PASSWORD;
  const token = flags.token ?? env.RAFTKV_TOKEN;
  const cacert = flags.cacert ?? env.RAFTKV_CACERT;
  if (password !== undefined && user === undefined && token === undefined) {
    // As redis-cli: a password alone is the default user's.
    return credentialsOf({ ...flags, user: "default", password }, env);
  }
  if (user !== undefined && password === undefined) {
    throw new RangeError("--user needs --password (or RAFTKV_PASSWORD)");
  }
  let ca: Buffer | undefined;
  if (cacert !== undefined) {
    try {
      ca = readFileSync(cacert);
    } catch (error) {
      throw new RangeError(`cannot read --cacert ${cacert}: ${(error as Error).message}`,
        { cause: error });
    }
  }
  return { user, password, token, ca };
}

let current: ClientCredentials | null = null;

/** Sets the credentials every later request of this process uses. */
export function useCredentials(credentials: ClientCredentials): void {
  current = credentials;
}

/** The credentials in use (from the environment until `useCredentials` is called). */
export function credentials(): ClientCredentials {
  current ??= credentialsOf({});
  return current;
}

/** "https" when a CA is configured (TLS client ports), else "http". */
export function defaultScheme(): "http" | "https" {
  return credentials().ca === undefined ? "http" : "https";
}

/** The Authorization header value, if any. */
export function authorizationOf(creds: ClientCredentials): string | undefined {
  if (creds.token !== undefined) return `Bearer ${creds.token}`;
  if (creds.user === undefined || creds.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${creds.user}:${creds.password}`).toString("base64")}`;
}

export interface HttpRequest {
  readonly method: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * One request with the current credentials and CA.
 * @throws the socket error (its `code`, e.g. ECONNREFUSED, tells refused from lost) or a
 *   timeout error.
 */
export function httpRequest(url: string, request: HttpRequest): Promise<HttpAnswer> {
  const creds = credentials();
  const authorization = authorizationOf(creds);
  const headers: Record<string, string> = {
    ...request.headers,
    ...(authorization === undefined ? {} : { authorization }),
    ...(request.body === undefined ? {}
      : { "content-length": String(Buffer.byteLength(request.body)) }),
  };
  const secure = url.startsWith("https:");
  const send = secure ? httpsRequestRaw : httpRequestRaw;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = send(url, {
      method: request.method, headers, timeout: request.timeoutMs,
      ...(secure && creds.ca !== undefined ? { ca: creds.ca } : {}),
    }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => { chunks.push(chunk); });
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
      });
      response.on("error", reject);
    });
    req.on("timeout", () => { req.destroy(new Error(`timed out after ${request.timeoutMs} ms`)); });
    req.on("error", reject);
    req.end(request.body);
  });
}

/**
 * Adds `--user`, `--password`, `--token` and `--cacert` to a client command and applies them
 * (with the environment) before its action runs; a bad value is a message and exit 1.
 */
export function addCredentialOptions(command: Command): Command {
  return command
    .option("--user <name>", "user for the cluster's HTTP API (env RAFTKV_USER)")
    .option("--password <password>", "that user's password (env RAFTKV_PASSWORD)")
    .option("--token <token>", "bearer token instead of a user (env RAFTKV_TOKEN)")
    .option("--cacert <file>", "CA of the nodes' TLS certificates; host:port endpoints then " +
      "use https (env RAFTKV_CACERT)")
    .hook("preAction", (_command, action) => {
      try {
        useCredentials(credentialsOf(action.opts<CredentialFlags>()));
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        process.stderr.write(`Invalid arguments: ${error.message}\n`);
        process.exit(1);
      }
    });
}
