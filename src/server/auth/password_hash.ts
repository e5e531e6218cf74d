/**
 * Salted, slow password hashes (scrypt from node:crypto) in the PHC string format, so a hash
 * names its own parameters and can be checked long after the defaults change:
 *
 *   $scrypt$ln=14,r=8,p=1$<salt>$<hash>
 *
 * `ln` is log2 of scrypt's cost N, `r` its block size, `p` its parallelism; salt (16 bytes) and
 * hash (32 bytes) are unpadded standard base64, as the PHC format specifies. `raftkv users hash`
 * prints one. Verification runs scrypt on libuv's thread pool (never on the event loop, where it
 * would stall Raft's timers) and compares in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** A hash string that is not a `$scrypt$` PHC string raftkv can check. */
export class InvalidPasswordHashError extends Error {
  override readonly name = "InvalidPasswordHashError";
  readonly code = "INVALID_PASSWORD_HASH";
}

export interface ScryptParams {
  /** log2 of the cost N. */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

/** About 90 ms here (a shared 2-core machine): slow for a guesser, fine once per login. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { ln: 14, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Refuses hashes that would take seconds or gigabytes to check (a hostile config). */
const LN_MAX = 20;
const R_MAX = 32;
const P_MAX = 16;

interface ParsedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function derive(password: Buffer, salt: Buffer, params: ScryptParams, bytes: number) {
  const N = 2 ** params.ln;
  const options: ScryptOptions = {
    N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024,
  };
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, bytes, options, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

const b64 = (bytes: Buffer): string => bytes.toString("base64").replace(/=+$/, "");

/** Hashes `password` with a fresh random salt. */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(Buffer.from(password, "utf8"), salt, params, HASH_BYTES);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

function intIn(text: string | undefined, min: number, max: number): number | null {
  if (text === undefined || !/^[0-9]{1,3}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/**
 * Parses a PHC scrypt string.
 * @throws InvalidPasswordHashError saying what is wrong with it.
 */
export function parsePasswordHash(text: string): ParsedHash {
  const parts = text.split("$");
  if (parts.length !== 5 || parts[0] !== "" || parts[1] !== "scrypt") {
    throw new InvalidPasswordHashError(
      "expected $scrypt$ln=..,r=..,p=..$salt$hash (print one with: raftkv users hash)");
  }
  const pairs = (parts[2] ?? "").split(",").map((kv) => kv.split("=") as [string, string]);
  const fields = new Map(pairs);
  const ln = intIn(fields.get("ln"), 1, LN_MAX);
  const r = intIn(fields.get("r"), 1, R_MAX);
  const p = intIn(fields.get("p"), 1, P_MAX);
  if (ln === null || r === null || p === null || fields.size !== 3) {
    throw new InvalidPasswordHashError(`scrypt parameters must be ln=1..${LN_MAX}, ` +
      `r=1..${R_MAX}, p=1..${P_MAX}; got ${JSON.stringify(parts[2])}`);
  }
  const base64 = /^[A-Za-z0-9+/]+$/;
  const [saltText, hashText] = [parts[3] ?? "", parts[4] ?? ""];
  if (!base64.test(saltText) || !base64.test(hashText)) {
    throw new InvalidPasswordHashError("salt and hash must be unpadded base64");
  }
  const salt = Buffer.from(saltText, "base64");
  const hash = Buffer.from(hashText, "base64");
  if (salt.length < 8 || hash.length < 16) {
    throw new InvalidPasswordHashError("salt must be at least 8 bytes and hash at least 16");
  }
  return { params: { ln, r, p }, salt, hash };
}

/**
 * Whether `password` matches `hash` (a string from `hashPassword`), compared in constant time.
 * @throws InvalidPasswordHashError when `hash` cannot be parsed.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parsePasswordHash(hash);
  const derived = await derive(Buffer.from(password, "utf8"), parsed.salt, parsed.params,
    parsed.hash.length);
  return timingSafeEqual(derived, parsed.hash);
}
