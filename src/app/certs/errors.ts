/**
 * Why a certificate, key or CA cannot be used, as a typed error with a stable `code` (STYLE.md
 * rule 10). `raftkv node` exits with EX_CONFIG (78) on any of them at start, and a reload that
 * hits one keeps the credentials in force and logs it.
 */

export type CertificateErrorCode =
  | "CERT_UNREADABLE"
  | "CERT_INVALID"
  | "CERT_EXPIRED"
  | "CERT_NOT_YET_VALID"
  | "CERT_KEY_MISMATCH"
  | "CERT_NOT_SIGNED_BY_CA"
  | "CERT_WRONG_IDENTITY"
  | "CERT_EXISTS";

/** A certificate problem; `file` is the file at fault ("" when it is not about one file). */
export class CertificateError extends Error {
  override readonly name = "CertificateError";
  constructor(readonly code: CertificateErrorCode, readonly file: string, detail: string) {
    super(file === "" ? detail : `${file}: ${detail}`);
  }
}
