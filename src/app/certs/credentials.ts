/**
 * Loading a node's TLS credentials from files and checking them before use, so a node with a bad
 * certificate says exactly what is wrong at start (or on reload) instead of failing every peer
 * handshake later: unreadable files, a certificate that is expired or not yet valid, a key that
 * does not match it, a certificate the CA did not sign, or one that names another node.
 * The checks use node:crypto's X509Certificate, the same parser TLS uses.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { PeerTlsMaterial } from "../../transport/peer_tls.js";
import { certificateUris, peerUri } from "../../transport/peer_identity.js";
import { CertificateError } from "./errors.js";

/** Where a node's certificate, key and CA bundle are. */
export interface TlsFilePaths {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** Checked credentials, ready for `PeerTlsCredentials` (or a client-facing TLS server). */
export interface LoadedTlsMaterial extends PeerTlsMaterial {
  /** When the certificate expires. */
  readonly notAfter: Date;
}

export interface LoadOptions {
  /** If set, the certificate must name this node of this cluster (peer_identity.ts). */
  readonly identity?: { readonly clusterId: string; readonly nodeId: string };
  /** The time validity is checked at (default: now). */
  readonly now?: Date;
}

/**
 * Reads and checks a certificate, its key and the CA bundle.
 * @throws CertificateError naming the file and what is wrong with it.
 */
export function loadTlsMaterial(paths: TlsFilePaths, options: LoadOptions = {}): LoadedTlsMaterial {
  const certPem = readText(paths.cert, "certificate");
  const keyPem = readText(paths.key, "private key");
  const caPem = readText(paths.ca, "CA certificate");
  const cert = parseCert(certPem, paths.cert);
  const cas = splitPem(caPem).map((pem) => parseCert(pem, paths.ca));
  if (cas.length === 0) throw new CertificateError("CERT_INVALID", paths.ca, "holds no certificate");
  const now = options.now ?? new Date();
  for (const ca of cas) checkValidity(ca, paths.ca, now);
  checkValidity(cert, paths.cert, now);
  const key = parseKey(keyPem, paths.key);
  if (!cert.checkPrivateKey(key)) {
    throw new CertificateError("CERT_KEY_MISMATCH", paths.key,
      `this private key does not belong to the certificate ${paths.cert}`);
  }
  if (!cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) {
    throw new CertificateError("CERT_NOT_SIGNED_BY_CA", paths.cert,
      `not signed by the CA in ${paths.ca} (issuer: ${cert.issuer.replaceAll("\n", ", ")})`);
  }
  if (options.identity !== undefined) {
    const wanted = peerUri(options.identity.clusterId, options.identity.nodeId);
    const names = certificateUris(cert);
    if (!names.includes(wanted)) {
      throw new CertificateError("CERT_WRONG_IDENTITY", paths.cert,
        `names ${names.join(", ") || "no raftkv URI"}, but this node needs ${wanted} ` +
        `(issue one with: raftkv certs issue --id ${options.identity.nodeId})`);
    }
  }
  return { cert: certPem, key: keyPem, ca: caPem, notAfter: new Date(cert.validTo) };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CertificateError("CERT_UNREADABLE", path, `cannot read the ${what} (${reason})`);
  }
}

function parseCert(pem: string, path: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new CertificateError("CERT_INVALID", path,
      `not a PEM certificate (${(error as Error).message})`);
  }
}

function parseKey(pem: string, path: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new CertificateError("CERT_INVALID", path,
      `not a PEM private key (${(error as Error).message})`);
  }
}

function checkValidity(cert: X509Certificate, path: string, now: Date): void {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now < from) {
    throw new CertificateError("CERT_NOT_YET_VALID", path,
      `certificate is not valid until ${from.toISOString()} (now ${now.toISOString()})`);
  }
  if (now > to) {
    throw new CertificateError("CERT_EXPIRED", path,
      `certificate expired at ${to.toISOString()} (now ${now.toISOString()}); issue a new one ` +
      "and replace the file (it is reloaded without a restart)");
  }
}

/** The PEM certificates of a bundle, one string each. */
export function splitPem(text: string): string[] {
  const pattern = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
  return [...text.matchAll(pattern)].map((match) => `${match[0]}\n`);
}
