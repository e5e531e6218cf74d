/**
 * The `peerTls` part of the node config: how peers authenticate each other.
 *
 *   peerTls:                       # mutual TLS 1.3 (see raftkv certs)
 *     cert: ./certs/{id}.crt       # {id} becomes the node id, so one file serves every member
 *     key: ./certs/{id}.key
 *     ca: ./certs/ca.crt
 *   peerTls: false                 # plaintext peers: loopback only, warned at every start
 *
 * There is no default: a config without `peerTls` is refused, so plaintext is always a choice.
 * `RAFTKV_PEER_TLS_CERT`, `_KEY`, `_CA` override the paths; `--insecure-peers` (or
 * `RAFTKV_INSECURE_PEERS=true`) selects plaintext.
 */
import { z } from "zod";
import type { TlsFilePaths } from "./certs/index.js";
import { isLoopbackHost } from "../transport/peer_tls.js";

export const peerTlsSchema = z.union([
  z.literal(false),
  z.strictObject({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1) }),
]).optional();

export type PeerTlsFileValue = z.infer<typeof peerTlsSchema>;

/** What the node runs with: TLS from these files, or plaintext (loopback only). */
export type PeerTlsSetting =
  | { readonly mode: "tls"; readonly files: TlsFilePaths }
  | { readonly mode: "plaintext" };

/** Overrides from flags and the environment. */
export interface PeerTlsOverrides {
  readonly insecure?: boolean | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly ca?: string | undefined;
}

/** Reads `RAFTKV_PEER_TLS_*` and `RAFTKV_INSECURE_PEERS`; the flag wins over the environment. */
export function peerTlsOverridesFromEnv(
  insecureFlag: boolean | undefined,
  env: NodeJS.ProcessEnv,
): PeerTlsOverrides {
  const insecureEnv = env.RAFTKV_INSECURE_PEERS;
  return {
    insecure: insecureFlag ?? (insecureEnv === undefined ? undefined
      : /^(1|true|yes)$/i.test(insecureEnv)),
    cert: env.RAFTKV_PEER_TLS_CERT,
    key: env.RAFTKV_PEER_TLS_KEY,
    ca: env.RAFTKV_PEER_TLS_CA,
  };
}

/** The file's `peerTls` with overrides applied (before validation). */
export function applyPeerTlsOverrides(raw: unknown, overrides: PeerTlsOverrides): unknown {
  if (overrides.insecure === true) return false;
  const paths = Object.fromEntries(Object.entries({
    cert: overrides.cert, key: overrides.key, ca: overrides.ca,
  }).filter(([, v]) => v !== undefined));
  if (Object.keys(paths).length === 0) return raw;
  const base = typeof raw === "object" && raw !== null ? raw : {};
  return { ...base, ...paths };
}

/**
 * Resolves the validated value for node `nodeId` listening for peers on `peerHost`.
 * @returns the setting, or the reason it is refused (the caller names the field).
 */
export function resolvePeerTls(
  value: PeerTlsFileValue,
  self: { readonly nodeId: string; readonly peerHost: string },
): PeerTlsSetting | { readonly refused: string } {
  if (value === undefined) {
    return { refused: "is required: { cert, key, ca } files (make them with raftkv certs), " +
      "or false for plaintext peers on loopback (--insecure-peers)" };
  }
  if (value === false) {
    if (isLoopbackHost(self.peerHost)) return { mode: "plaintext" };
    return { refused: `false (plaintext peers) is refused: this node listens for peers on ` +
      `${self.peerHost}, which is not a loopback address; configure peer TLS` };
  }
  const at = (path: string): string => path.replaceAll("{id}", self.nodeId);
  return { mode: "tls", files: { cert: at(value.cert), key: at(value.key), ca: at(value.ca) } };
}
