/**
 * A certificate directory as `raftkv certs` lays it out (`ca.crt`/`ca.key`, `<node>.crt`/`.key`,
 * `client-<user>.crt`/`.key`) and the operations on it: create the CA, issue node and client
 * certificates, and `ensureNodeCertificates`, which `raftkv cluster` runs on every start so a
 * local cluster has peer mTLS with no extra step, reusing what is still good.
 */
import { existsSync, readFileSync } from "node:fs";
import {
  createClusterCa, type CertificateAuthority, issueClientCertificate, issueNodeCertificate,
  loadCa, type ValidityOptions,
} from "./authority.js";
import { loadTlsMaterial, type TlsFilePaths } from "./credentials.js";
import { CertificateError } from "./errors.js";
import { caFiles, certFiles, writeCertificate } from "./pem_files.js";

/** Names every node certificate carries besides its --host names, so local clients can verify. */
export const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "::1"] as const;
/** `ensureNodeCertificates` reissues a certificate that expires sooner than this. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/**
 * Creates the cluster CA in `dir`.
 * @throws CertificateError CERT_EXISTS unless `force`, if a CA is already there.
 */
export async function initCa(
  dir: string,
  clusterId: string,
  options: ValidityOptions & { readonly force?: boolean } = {},
): Promise<{ cert: string; key: string }> {
  const issued = await createClusterCa(clusterId, options);
  return writeCertificate(dir, "ca", issued, options.force === true);
}

/**
 * Reads the CA in `dir`.
 * @throws CertificateError CERT_UNREADABLE or CERT_INVALID.
 */
export async function readCa(dir: string): Promise<CertificateAuthority> {
  const files = caFiles(dir);
  const read = (path: string): string => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      throw new CertificateError("CERT_UNREADABLE", path,
        "cannot read the CA (create one with: raftkv certs init --cluster-id ID --out DIR)");
    }
  };
  return loadCa(read(files.cert), read(files.key));
}

/** The cluster id for new certificates: the CA's, unless given (and then they must agree). */
function clusterIdFor(ca: CertificateAuthority, given: string | undefined): string {
  if (given !== undefined && ca.clusterId !== null && given !== ca.clusterId) {
    throw new CertificateError("CERT_WRONG_IDENTITY", "",
      `the CA is for cluster ${ca.clusterId}, not ${given}`);
  }
  const clusterId = given ?? ca.clusterId;
  if (clusterId === null) {
    throw new CertificateError("CERT_WRONG_IDENTITY", "",
      "the CA names no raftkv cluster: give --cluster-id");
  }
  return clusterId;
}

/** Issues `<dir>/<nodeId>.crt` and `.key` (replacing any: that is how a node's cert rotates). */
export async function issueNode(
  dir: string,
  subject: { readonly nodeId: string; readonly hosts: readonly string[]; readonly clusterId?: string },
  options: ValidityOptions = {},
): Promise<{ cert: string; key: string }> {
  const ca = await readCa(dir);
  const clusterId = clusterIdFor(ca, subject.clusterId);
  const hosts = [...LOOPBACK_HOSTS, ...subject.hosts];
  const issued = await issueNodeCertificate(ca, { clusterId, nodeId: subject.nodeId, hosts }, options);
  return writeCertificate(dir, subject.nodeId, issued, true);
}

/** Issues `<dir>/client-<user>.crt` and `.key`. */
export async function issueClient(
  dir: string,
  subject: { readonly user: string; readonly clusterId?: string },
  options: ValidityOptions = {},
): Promise<{ cert: string; key: string }> {
  const ca = await readCa(dir);
  const clusterId = clusterIdFor(ca, subject.clusterId);
  const issued = await issueClientCertificate(ca, { clusterId, user: subject.user }, options);
  return writeCertificate(dir, `client-${subject.user}`, issued, true);
}

/**
 * Makes sure `dir` holds a CA for `clusterId` and a usable certificate for every node, creating
 * or reissuing only what is missing, expiring within 30 days, or not for this cluster and CA.
 * Returns the paths to configure, with `{id}` standing for the node id.
 */
export async function ensureNodeCertificates(
  dir: string,
  clusterId: string,
  nodes: { readonly ids: readonly string[]; readonly hosts: readonly string[] },
): Promise<TlsFilePaths> {
  const ca = caFiles(dir);
  let caUsable = existsSync(ca.cert) && existsSync(ca.key);
  if (caUsable) caUsable = (await readCa(dir).catch(() => null))?.clusterId === clusterId;
  if (!caUsable) await initCa(dir, clusterId, { force: true });
  const soon = new Date(Date.now() + RENEW_BEFORE_MS);
  for (const nodeId of nodes.ids) {
    const files = certFiles(dir, nodeId);
    const paths = { ...files, ca: ca.cert };
    const identity = { clusterId, nodeId };
    const good = (at: Date): boolean => {
      try {
        loadTlsMaterial(paths, { identity, now: at });
        return true;
      } catch {
        return false;
      }
    };
    if (!caUsable || !good(new Date()) || !good(soon)) {
      await issueNode(dir, { nodeId, hosts: nodes.hosts, clusterId });
    }
  }
  return { ...certFiles(dir, "{id}"), ca: ca.cert };
}
