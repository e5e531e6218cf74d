/**
 * Certificates for raftkv (process assembly, ARCHITECTURE.md): creating a cluster CA and node and
 * client certificates (`raftkv certs`), loading and checking a node's TLS files at start, and
 * reloading them when they change. The TLS itself is the transport's (transport/peer_tls.ts).
 */
export {
  CA_DAYS_DEFAULT, CERT_DAYS_DEFAULT, type CertificateAuthority, clientUri, clusterIdOf,
  createClusterCa, type IssuedCertificate, issueClientCertificate, issueNodeCertificate, loadCa,
  type ValidityOptions,
} from "./authority.js";
export {
  ensureNodeCertificates, initCa, issueClient, issueNode, LOOPBACK_HOSTS, readCa,
} from "./cluster_pki.js";
export {
  type LoadedTlsMaterial, loadTlsMaterial, type LoadOptions, splitPem, type TlsFilePaths,
} from "./credentials.js";
export { CertificateError, type CertificateErrorCode } from "./errors.js";
export { caFiles, certFiles, writeCertificate } from "./pem_files.js";
export { CertificateReloader, type ReloaderOptions } from "./reloader.js";
