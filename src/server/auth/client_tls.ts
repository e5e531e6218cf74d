/**
 * TLS for the client ports (Redis and HTTP): the files named in the config, read into the
 * options `tls.createServer` and Fastify's `https` take. `clientAuth`:
 *
 * - `none`: server authentication only (clients check the server with the CA).
 * - `optional`: a client may present a certificate signed by `ca`; if it does and its Common
 *   Name is a configured user, the connection is authenticated as that user (no AUTH needed).
 * - `require`: every client must present such a certificate; others fail the handshake.
 *
 * TLS 1.2 is the minimum (redis-cli and curl builds still negotiate 1.2 by default in places).
 */
import { readFileSync } from "node:fs";
import type { TLSSocket, TlsOptions } from "node:tls";
import type { AuthenticatedUser, ClientAuth } from "./client_auth.js";

export const CLIENT_AUTH_MODES = ["none", "optional", "require"] as const;
export type ClientAuthMode = (typeof CLIENT_AUTH_MODES)[number];

/** File paths, as configured. */
export interface ClientTlsFiles {
  readonly cert: string;
  readonly key: string;
  /** CA bundle that signs client certificates (needed unless clientAuth is none). */
  readonly ca?: string | undefined;
  readonly clientAuth: ClientAuthMode;
}

/** A TLS file that cannot be read; names the file. */
export class ClientTlsFileError extends Error {
  override readonly name = "ClientTlsFileError";
  readonly code = "CLIENT_TLS_FILE";
}

function readPem(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ClientTlsFileError(`Cannot read the client TLS ${what} ${path}: ` +
      (error as Error).message);
  }
}

/**
 * Reads the files into server options.
 * @throws ClientTlsFileError when a file cannot be read or `ca` is missing for client auth.
 */
export function loadClientTls(files: ClientTlsFiles): TlsOptions {
  if (files.clientAuth !== "none" && files.ca === undefined) {
    throw new ClientTlsFileError(`tls.clientAuth ${files.clientAuth} needs tls.ca, the CA ` +
      "that signs client certificates");
  }
  return {
    cert: readPem("certificate", files.cert),
    key: readPem("key", files.key),
    ...(files.ca === undefined ? {} : { ca: readPem("CA", files.ca) }),
    minVersion: "TLSv1.2",
    requestCert: files.clientAuth !== "none",
    rejectUnauthorized: files.clientAuth === "require",
  };
}

/** The user a TLS connection's verified client certificate names, else null. */
export function certificateUser(
  socket: unknown,
  auth: ClientAuth | null,
): AuthenticatedUser | null {
  if (auth === null || !isTlsSocket(socket) || !socket.authorized) return null;
  const subject = socket.getPeerCertificate().subject as { CN?: string | string[] } | undefined;
  const cn = subject?.CN;
  return auth.userForCertificate(Array.isArray(cn) ? undefined : cn);
}

function isTlsSocket(socket: unknown): socket is TLSSocket {
  return typeof (socket as { getPeerCertificate?: unknown }).getPeerCertificate === "function";
}
