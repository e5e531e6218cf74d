/**
 * Writing certificates and keys to disk: private keys readable by their owner only (0600),
 * every file replaced atomically (written beside, then renamed), so a node watching its files
 * never reads half a certificate during a rotation.
 */
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { IssuedCertificate } from "./authority.js";
import { CertificateError } from "./errors.js";

/** The file names `raftkv certs` uses in a certificate directory. */
export function certFiles(dir: string, name: string): { cert: string; key: string } {
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

/** The cluster CA's files in `dir`. */
export function caFiles(dir: string): { cert: string; key: string } {
  return certFiles(dir, "ca");
}

/**
 * Writes a certificate (0644) and its key (0600) as `<dir>/<name>.crt` and `.key`.
 * @throws CertificateError CERT_EXISTS if `overwrite` is false and either file exists.
 */
export function writeCertificate(
  dir: string,
  name: string,
  issued: IssuedCertificate,
  overwrite: boolean,
): { cert: string; key: string } {
  const files = certFiles(dir, name);
  if (!overwrite) {
    for (const file of [files.cert, files.key]) {
      if (existsSync(file)) {
        throw new CertificateError("CERT_EXISTS", file, "already exists (--force replaces it)");
      }
    }
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeAtomically(files.key, issued.key, 0o600);
  writeAtomically(files.cert, issued.cert, 0o644);
  return files;
}

function writeAtomically(path: string, text: string, mode: number): void {
  const temporary = join(dirname(path), `.${String(process.pid)}.${Date.now()}.tmp`);
  writeFileSync(temporary, text, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}
