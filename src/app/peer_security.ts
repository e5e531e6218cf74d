/**
 * Peer authentication for one node process, from its config: loads and checks the node's
 * certificate, key and CA (a bad one stops the start with a CertificateError that says what is
 * wrong), hands them to the transport, and keeps them current (file changes and `reload`, which
 * `raftkv node` calls on SIGHUP). With `peerTls: false` it warns, at every start, what is given up.
 */
import { CertificateReloader, loadTlsMaterial, type LoadedTlsMaterial } from "./certs/index.js";
import { PeerTlsCredentials } from "../transport/peer_tls.js";
import { peerUri } from "../transport/peer_identity.js";
import type { NodeConfig } from "./config.js";
import type { Logger } from "./logger.js";

export interface PeerSecurity {
  /** For TcpTransport; undefined for plaintext. */
  readonly tls: PeerTlsCredentials | undefined;
  /** Reloads the files now (SIGHUP); a bad change is logged and the old credentials stay. */
  reload(why: string): void;
  close(): void;
}

/** @throws CertificateError if the configured certificate, key or CA cannot be used. */
export function startPeerSecurity(config: NodeConfig, logger: Logger): PeerSecurity {
  const setting = config.peerTls;
  if (setting.mode === "plaintext") {
    logger.warn({ peerTls: false, peer: config.self.peer },
      "Peer traffic is PLAINTEXT and unauthenticated (peerTls: false / --insecure-peers): any " +
      "local process that can reach the peer port can act as a member. Use it only for tests " +
      "on one machine; configure peerTls with certificates from raftkv certs otherwise");
    return { tls: undefined, reload: () => undefined, close: () => undefined };
  }
  const identity = { clusterId: config.clusterId, nodeId: config.nodeId };
  const load = (): LoadedTlsMaterial => loadTlsMaterial(setting.files, { identity });
  const material = load();
  const tls = new PeerTlsCredentials(material);
  const reloader = new CertificateReloader(material, {
    what: "peer TLS",
    files: [setting.files.cert, setting.files.key, setting.files.ca],
    load,
    apply: (next) => { tls.replace(next); },
    same: (a, b) => a.cert === b.cert && a.key === b.key && a.ca === b.ca,
    logger,
  });
  reloader.watchFiles();
  logger.info({ cert: setting.files.cert, ca: setting.files.ca, expires: material.notAfter },
    `Peer mutual TLS on as ${peerUri(config.clusterId, config.nodeId)}; the certificate ` +
    `expires ${material.notAfter.toISOString()}`);
  return {
    tls,
    reload: (why) => { reloader.reload(why); },
    close: () => { reloader.close(); },
  };
}
