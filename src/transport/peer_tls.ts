/**
 * TLS for peer connections: TLS 1.3 only, both sides present a certificate, and both verify the
 * other's against the cluster CA (peer_identity.ts then checks the node id it names). The
 * credentials are held in one `SecureContext` that `replace` swaps atomically: connections
 * already open keep the context they were made with, new ones (dialled or accepted) use the new
 * certificate and CA, so certificates rotate without a restart or a dropped connection.
 */
import { isIP } from "node:net";
import { createSecureContext, type SecureContext, type SecureContextOptions } from "node:tls";

/** PEM text of this node's certificate (chain), its private key and the cluster CA(s). */
export interface PeerTlsMaterial {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** The only protocol version peers speak. */
export const PEER_TLS_VERSION = "TLSv1.3";

export class PeerTlsCredentials {
  private context: SecureContext;
  private current: PeerTlsMaterial;
  private generation = 1;
  private readonly listeners = new Set<(material: PeerTlsMaterial) => void>();

  /** @throws Error (from node:tls) if the key does not match the certificate or a PEM is bad. */
  constructor(material: PeerTlsMaterial) {
    this.context = buildContext(material);
    this.current = material;
  }

  /** The material in force (a TLS server is reconfigured from it, see `onReplace`). */
  get material(): PeerTlsMaterial {
    return this.current;
  }

  /** Calls `listener` after each `replace`; returns the unsubscribe function. */
  onReplace(listener: (material: PeerTlsMaterial) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** The context new connections use. */
  get secureContext(): SecureContext {
    return this.context;
  }

  /** Counts replacements, starting at 1: lets logs and tests tell contexts apart. */
  get version(): number {
    return this.generation;
  }

  /**
   * Makes new connections use `material`; open connections are untouched.
   * @throws Error (from node:tls) if the material is unusable; the old context stays in force.
   */
  replace(material: PeerTlsMaterial): void {
    this.context = buildContext(material);
    this.current = material;
    this.generation += 1;
    for (const listener of this.listeners) listener(material);
  }
}

/** The secure-context options of `material`: TLS 1.3 only. */
export function peerTlsOptions(material: PeerTlsMaterial): SecureContextOptions {
  return {
    cert: material.cert, key: material.key, ca: material.ca,
    minVersion: PEER_TLS_VERSION, maxVersion: PEER_TLS_VERSION,
  };
}

function buildContext(material: PeerTlsMaterial): SecureContext {
  return createSecureContext(peerTlsOptions(material));
}

/** Whether `host` is a loopback address or name (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (bare.startsWith("::ffff:")) return isLoopbackHost(bare.slice("::ffff:".length));
  return bare === "::1" || bare === "0:0:0:0:0:0:0:1";
}
