/**
 * The config file's client-security fields (users, tokens, requirepass, protected mode, which
 * HTTP routes stay open, TLS on the client ports), validated with zod and resolved to what
 * `startNodeServer` needs. Kept apart from config.ts so the peer-security fields can grow there
 * independently.
 *
 *   users:                        # authentication on as soon as one user exists
 *     - name: app
 *       passwordHash: "$scrypt$ln=14,r=8,p=1$..."    # raftkv users hash
 *       permissions: [read, write]
 *     - name: ops
 *       passwordFile: /run/secrets/ops-password      # the password itself, hashed at start
 *       permissions: [read, write, admin]
 *   requirepass: secret           # shorthand: user "default" with every permission; or
 *   requirepassFile: /run/secrets/raftkv            # or the RAFTKV_REQUIREPASS variable
 *   tokens:                       # bearer tokens for HTTP: raftkv users token --user app
 *     - { user: app, tokenHash: "sha256:..." }
 *   protectedMode: true           # no users: loopback clients only (default true)
 *   openHttp: { healthz: true, metrics: true }      # served without credentials (default)
 *   tls: { cert: server.crt, key: server.key, ca: ca.crt, clientAuth: none|optional|require }
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { hashPassword } from "../server/auth/password_hash.js";
import {
  ClientAuth, PERMISSIONS, type TokenSpec, type UserSpec,
} from "../server/auth/client_auth.js";
import {
  CLIENT_AUTH_MODES, loadClientTls, type ClientTlsFiles,
} from "../server/auth/client_tls.js";
import { assertBindAllowed } from "../server/auth/protected_mode.js";
import type { TlsOptions } from "node:tls";

const userName = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/,
  "expected a user name of 1-64 letters, digits, '_', '.', '@' or '-'");

const userSchema = z.strictObject({
  name: userName,
  passwordHash: z.string().min(1).optional(),
  passwordFile: z.string().min(1).optional(),
  permissions: z.array(z.enum(PERMISSIONS)).min(1),
});

/** Spread into the config file's schema. */
export const clientSecurityShape = {
  users: z.array(userSchema).max(1000).default([]),
  requirepass: z.string().min(1).optional(),
  requirepassFile: z.string().min(1).optional(),
  tokens: z.array(z.strictObject({ user: userName, tokenHash: z.string() })).max(1000)
    .default([]),
  protectedMode: z.boolean().default(true),
  openHttp: z.strictObject({
    healthz: z.boolean().default(true), metrics: z.boolean().default(true),
  }).default({ healthz: true, metrics: true }),
  tls: z.strictObject({
    cert: z.string().min(1),
    key: z.string().min(1),
    ca: z.string().min(1).optional(),
    clientAuth: z.enum(CLIENT_AUTH_MODES).default("none"),
  }).optional(),
};

/** The fields as parsed (defaults filled in). */
type ClientSecurityFile = z.infer<z.ZodObject<typeof clientSecurityShape>>;

/** A user whose password is known as a hash, or (from a file or requirepass) in plain. */
export interface ConfiguredUser {
  readonly name: string;
  readonly secret: { readonly hash: string } | { readonly plain: string };
  readonly permissions: UserSpec["permissions"];
}

/** The resolved client-security settings of one node. */
export interface ClientSecurityConfig {
  readonly users: readonly ConfiguredUser[];
  readonly tokens: readonly TokenSpec[];
  readonly protectedMode: boolean;
  readonly openHttp: { readonly healthz: boolean; readonly metrics: boolean };
  readonly tls: ClientTlsFiles | undefined;
}

/** Thrown with the field that is wrong; config.ts turns it into an InvalidConfigError. */
export class ClientSecurityConfigError extends Error {
  override readonly name = "ClientSecurityConfigError";
  readonly code = "INVALID_CLIENT_SECURITY";
  constructor(readonly field: string, reason: string) {
    super(reason);
  }
}

function readSecret(field: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ClientSecurityConfigError(field, `cannot read ${path}: ${(error as Error).message}`);
  }
  const secret = text.replace(/\r?\n$/, "");
  if (secret === "") throw new ClientSecurityConfigError(field, `${path} is empty`);
  return secret;
}

function usersOf(file: ClientSecurityFile): ConfiguredUser[] {
  const users = file.users.map((user, i): ConfiguredUser => {
    const field = `users[${i}]`;
    if ((user.passwordHash === undefined) === (user.passwordFile === undefined)) {
      throw new ClientSecurityConfigError(field,
        "set exactly one of passwordHash and passwordFile");
    }
    const secret = user.passwordHash === undefined
      ? { plain: readSecret(`${field}.passwordFile`, user.passwordFile ?? "") }
      : { hash: user.passwordHash };
    return { name: user.name, secret, permissions: user.permissions };
  });
  const requirepass = file.requirepass ??
    (file.requirepassFile === undefined ? undefined
      : readSecret("requirepassFile", file.requirepassFile));
  if (requirepass !== undefined) {
    if (users.some((user) => user.name === "default")) {
      throw new ClientSecurityConfigError("requirepass",
        "the default user is also in users: set its password in one place");
    }
    users.unshift({ name: "default", secret: { plain: requirepass }, permissions: PERMISSIONS });
  }
  return users;
}

/**
 * Resolves the fields and refuses, under protected mode with no users, client ports bound to a
 * non-loopback address.
 * @throws ClientSecurityConfigError naming the field.
 */
export function resolveClientSecurity(
  file: ClientSecurityFile,
  bind: { readonly redisHost: string; readonly httpHost: string },
): ClientSecurityConfig {
  const users = usersOf(file);
  const state = { enabled: users.length > 0, protectedMode: file.protectedMode };
  try {
    assertBindAllowed(state, "Redis clients", bind.redisHost);
    assertBindAllowed(state, "HTTP clients", bind.httpHost);
  } catch (error) {
    throw new ClientSecurityConfigError("users", (error as Error).message);
  }
  return {
    users, tokens: file.tokens, protectedMode: file.protectedMode, openHttp: file.openHttp,
    tls: file.tls,
  };
}

/** What the front ends take: the users (plain passwords hashed now) and the TLS options. */
export interface ClientSecurity {
  readonly auth: ClientAuth;
  readonly tls: TlsOptions | undefined;
}

/**
 * Hashes plain passwords, checks hashes and tokens, reads the TLS files.
 * @throws InvalidClientAuthError, ClientTlsFileError.
 */
export async function buildClientSecurity(config: ClientSecurityConfig): Promise<ClientSecurity> {
  const users = await Promise.all(config.users.map(async (user): Promise<UserSpec> => ({
    name: user.name, permissions: user.permissions,
    passwordHash: "hash" in user.secret ? user.secret.hash : await hashPassword(user.secret.plain),
  })));
  const auth = new ClientAuth({
    users, tokens: config.tokens, protectedMode: config.protectedMode, openHttp: config.openHttp,
  });
  return { auth, tls: config.tls === undefined ? undefined : loadClientTls(config.tls) };
}
