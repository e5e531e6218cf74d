/**
 * Who a client is and what it may do. `ClientAuth` holds the configured users (name, scrypt
 * password hash, permissions) and bearer tokens, and answers three questions for both front ends:
 * does this name and password belong to a user (AUTH, HELLO AUTH, HTTP Basic), does this token
 * (HTTP Bearer), and which user does this verified client certificate name (its Common Name, as
 * etcd maps certificates to users).
 *
 * Permissions are independent: `read` (GET, EXISTS, DBSIZE, INFO, GET /v1/kv, /v1/status),
 * `write` (SET, DEL, INCR, CAS, PUT/DELETE/POST /v1/kv) and `admin` (membership, leader
 * transfer, snapshots, CONFIG). With no users configured authentication is off and protected
 * mode (see `protected_mode.ts`) keeps the client ports to loopback.
 *
 * Cost: a password check is a scrypt run (~90 ms measured) on libuv's thread pool, at most
 * `VERIFICATIONS_CONCURRENT_MAX` at a time so a flood of AUTH attempts cannot occupy the pool the
 * WAL's file I/O shares. A successful check is remembered (keyed by an HMAC of name and password
 * under a per-process random key, never the password itself), so reconnecting clients and HTTP
 * Basic requests pay it once; failures are never remembered, so every guess costs a scrypt run.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { parsePasswordHash, verifyPassword } from "./password_hash.js";

export const PERMISSIONS = ["read", "write", "admin"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** One configured user. */
export interface UserSpec {
  readonly name: string;
  /** A `$scrypt$...` PHC string (see password_hash.ts). */
  readonly passwordHash: string;
  readonly permissions: readonly Permission[];
}

/** A bearer token: the user it acts as and the SHA-256 of the token (`sha256:<hex>`). */
export interface TokenSpec {
  readonly user: string;
  readonly tokenHash: string;
}

/** An authenticated client's identity. */
export interface AuthenticatedUser {
  readonly name: string;
  readonly permissions: ReadonlySet<Permission>;
}

export interface ClientAuthOptions {
  readonly users: readonly UserSpec[];
  readonly tokens?: readonly TokenSpec[];
  /** With no users: refuse clients that are not on loopback (default true). */
  readonly protectedMode?: boolean;
  /** HTTP routes served without credentials even when users are configured (default both). */
  readonly openHttp?: { readonly healthz: boolean; readonly metrics: boolean };
}

/** A user or token list that cannot be used; the message says which entry and why. */
export class InvalidClientAuthError extends Error {
  override readonly name = "InvalidClientAuthError";
  readonly code = "INVALID_CLIENT_AUTH";
}

const VERIFICATIONS_CONCURRENT_MAX = 2;
const REMEMBERED_MAX = 1024;
const TOKEN_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;
/** Checked against when the user does not exist, so timing does not reveal which names do. */
const DUMMY_HASH = "$scrypt$ln=14,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$" +
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/** The `sha256:<hex>` form a token is configured as. */
export function tokenHashOf(token: string): string {
  return `sha256:${createHash("sha256").update(token, "utf8").digest("hex")}`;
}

/** A fresh random bearer token (256 bits). */
export function newToken(): string {
  return `rkv_${randomBytes(32).toString("base64url")}`;
}

export class ClientAuth {
  readonly protectedMode: boolean;
  readonly openHttp: { readonly healthz: boolean; readonly metrics: boolean };
  readonly #users = new Map<string, { spec: UserSpec; user: AuthenticatedUser }>();
  readonly #tokens: { hash: Buffer; user: AuthenticatedUser }[] = [];
  readonly #rememberKey = randomBytes(32);
  readonly #remembered = new Map<string, AuthenticatedUser>();
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  /** @throws InvalidClientAuthError for a duplicate user, bad hash or token for no user. */
  constructor(options: ClientAuthOptions) {
    this.protectedMode = options.protectedMode ?? true;
    this.openHttp = options.openHttp ?? { healthz: true, metrics: true };
    for (const spec of options.users) {
      if (this.#users.has(spec.name)) {
        throw new InvalidClientAuthError(`user ${spec.name} is configured twice`);
      }
      try {
        parsePasswordHash(spec.passwordHash);
      } catch (error) {
        throw new InvalidClientAuthError(`user ${spec.name}: bad passwordHash: ` +
          (error as Error).message);
      }
      const user = { name: spec.name, permissions: new Set(spec.permissions) };
      this.#users.set(spec.name, { spec, user });
    }
    for (const token of options.tokens ?? []) {
      const user = this.#users.get(token.user)?.user;
      if (user === undefined) {
        throw new InvalidClientAuthError(`a token names user ${token.user}, who is not configured`);
      }
      if (!TOKEN_HASH_PATTERN.test(token.tokenHash)) {
        throw new InvalidClientAuthError(`a token of ${token.user}: tokenHash must be ` +
          "sha256:<64 hex digits> (print one with: raftkv users token)");
      }
      this.#tokens.push({ hash: Buffer.from(token.tokenHash.slice(7), "hex"), user });
    }
  }

  /** Authentication is required: at least one user is configured. */
  get enabled(): boolean {
    return this.#users.size > 0;
  }

  /** Whether a user called `name` is configured (CLIENT KILL USER). */
  hasUser(name: string): boolean {
    return this.#users.has(name);
  }

  /** The user `name` if `password` is theirs, else null. Never throws for bad input. */
  async verifyPassword(name: string, password: string): Promise<AuthenticatedUser | null> {
    const key = createHmac("sha256", this.#rememberKey)
      .update(name, "utf8").update("\0").update(password, "utf8").digest("base64");
    const known = this.#remembered.get(key);
    if (known !== undefined) return known;
    const entry = this.#users.get(name);
    const matches = await this.#throttled(() =>
      verifyPassword(password, entry?.spec.passwordHash ?? DUMMY_HASH));
    if (!matches || entry === undefined) return null;
    if (this.#remembered.size >= REMEMBERED_MAX) {
      const oldest = this.#remembered.keys().next().value;
      if (oldest !== undefined) this.#remembered.delete(oldest);
    }
    this.#remembered.set(key, entry.user);
    return entry.user;
  }

  /** The user a bearer token acts as, else null (compared in constant time). */
  verifyToken(token: string): AuthenticatedUser | null {
    const hash = createHash("sha256").update(token, "utf8").digest();
    let found: AuthenticatedUser | null = null;
    for (const entry of this.#tokens) {
      if (timingSafeEqual(hash, entry.hash)) found = entry.user;
    }
    return found;
  }

  /** The configured user a verified client certificate names (by Common Name), else null. */
  userForCertificate(commonName: string | undefined): AuthenticatedUser | null {
    if (commonName === undefined) return null;
    return this.#users.get(commonName)?.user ?? null;
  }

  async #throttled<T>(run: () => Promise<T>): Promise<T> {
    if (this.#running >= VERIFICATIONS_CONCURRENT_MAX) {
      await new Promise<void>((resolve) => { this.#waiting.push(resolve); });
    } else {
      this.#running += 1;
    }
    try {
      return await run();
    } finally {
      const next = this.#waiting.shift();
      if (next === undefined) this.#running -= 1;
      else next();
    }
  }
}
