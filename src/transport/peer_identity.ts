/**
 * Who a peer is, as its certificate says. Every node's certificate carries a URI subject
 * alternative name `raftkv://<clusterId>/<nodeId>` (the cluster id percent-encoded), signed by
 * the cluster CA. After the handshake names a node id, the connection is accepted only if the
 * other side's verified certificate names exactly that node of this cluster: a valid certificate
 * for n4 cannot speak as n2, and a certificate from another CA never gets this far. Hostnames
 * are deliberately not checked: the identity that matters to Raft is the node id, and addresses
 * change with membership.
 */
import type { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { HandshakeError } from "./errors.js";

/** The URI scheme of raftkv identities in certificates. */
export const IDENTITY_SCHEME = "raftkv:";

/** `raftkv://<clusterId>`: the name a cluster CA carries, so tools can find the cluster id. */
export function clusterUri(clusterId: string): string {
  return `raftkv://${encodeURIComponent(clusterId)}`;
}

/** `raftkv://<clusterId>/<nodeId>`: the name a node's certificate must carry. */
export function peerUri(clusterId: string, nodeId: string): string {
  return `${clusterUri(clusterId)}/${encodeURIComponent(nodeId)}`;
}

/**
 * The URI names in a certificate, parsed from Node's `subjectAltName` text, where entries are
 * separated by ", " and a value with a comma, quote or control character is a JSON string.
 */
export function certificateUris(cert: Pick<X509Certificate, "subjectAltName">): string[] {
  const text = cert.subjectAltName ?? "";
  const uris: string[] = [];
  let at = 0;
  while (at < text.length) {
    const colon = text.indexOf(":", at);
    if (colon < 0) break;
    const kind = text.slice(at, colon);
    let value: string;
    let end: number;
    if (text[colon + 1] === "\"") {
      end = closingQuote(text, colon + 2);
      value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      end += 1;
    } else {
      end = text.indexOf(", ", colon);
      if (end < 0) end = text.length;
      value = text.slice(colon + 1, end);
    }
    if (kind === "URI") uris.push(value);
    at = end + 2;
  }
  return uris;
}

function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") i += 1;
    else if (text[i] === "\"") return i;
  }
  return text.length - 1;
}

/**
 * Checks the verified certificate on a TLS peer connection names `nodeId` of `clusterId`.
 * @throws HandshakeError UNTRUSTED_CERTIFICATE if the chain did not verify against the cluster
 *   CA (or no certificate was sent); CERTIFICATE_MISMATCH if it names another node or cluster.
 */
export function assertPeerCertificate(
  socket: TLSSocket,
  expected: { readonly clusterId: string; readonly nodeId: string },
): void {
  if (!socket.authorized) {
    const why = String(socket.authorizationError);
    throw new HandshakeError("UNTRUSTED_CERTIFICATE",
      `the peer's certificate is missing or not signed by the cluster CA (${why})`);
  }
  const cert = socket.getPeerX509Certificate();
  const wanted = peerUri(expected.clusterId, expected.nodeId);
  const names = cert === undefined ? [] : certificateUris(cert);
  if (!names.includes(wanted)) {
    const named = names.length === 0 ? "no URI name" : names.join(", ");
    throw new HandshakeError("CERTIFICATE_MISMATCH",
      `node ${expected.nodeId} presented a certificate for ${named}, expected ${wanted}`);
  }
}
