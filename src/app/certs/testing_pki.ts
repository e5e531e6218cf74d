/**
 * Test support: an in-memory cluster PKI (a CA and node certificates as PEM text), for tests of
 * peer TLS over real sockets. Never shipped as API; certificates are made fresh on every run so
 * none can expire in the repository.
 */
import type { PeerTlsMaterial } from "../../transport/peer_tls.js";
import {
  type CertificateAuthority, createClusterCa, issueNodeCertificate, loadCa, type ValidityOptions,
} from "./authority.js";

export interface TestPki {
  readonly clusterId: string;
  readonly ca: CertificateAuthority;
  readonly caPem: string;
  /** Issues a certificate naming `nodeId` of this PKI's cluster (or of `clusterId`). */
  material(nodeId: string, options?: ValidityOptions & { clusterId?: string }): Promise<PeerTlsMaterial>;
}

/** A fresh CA for `clusterId`. */
export async function createTestPki(clusterId: string): Promise<TestPki> {
  const issued = await createClusterCa(clusterId);
  const ca = await loadCa(issued.cert, issued.key);
  return {
    clusterId, ca, caPem: issued.cert,
    material: async (nodeId, options = {}) => {
      const subject = { clusterId: options.clusterId ?? clusterId, nodeId, hosts: ["127.0.0.1"] };
      const node = await issueNodeCertificate(ca, subject, options);
      return { cert: node.cert, key: node.key, ca: issued.cert };
    },
  };
}
