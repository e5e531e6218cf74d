/**
 * Creating certificates: a cluster CA, node certificates and client certificates, all ECDSA
 * P-256 with SHA-256, made with @peculiar/x509 on Node's WebCrypto (no openssl, no add-on).
 *
 * - The CA is self-signed, may sign only end-entity certificates (path length 0), and names its
 *   cluster with a URI `raftkv://<clusterId>` so `raftkv certs issue` needs no --cluster-id.
 * - A node certificate names its node with the URI `raftkv://<clusterId>/<nodeId>` (what peers
 *   check, peer_identity.ts) plus DNS/IP names for its hosts (what Redis and HTTP clients check),
 *   and serves both TLS roles: it is the node's server certificate and its peer client one.
 * - A client certificate names its user as the subject CN and the URI
 *   `raftkv://<clusterId>/users/<name>`, which no node id can equal (node ids have no '/').
 */
import { createPrivateKey, randomBytes, webcrypto } from "node:crypto";
import { isIP } from "node:net";
import { clusterUri, peerUri } from "../../transport/peer_identity.js";
import { CertificateError } from "./errors.js";
import { x509 } from "./x509.js";

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;
/** Backdated so a peer whose clock is slightly behind accepts a certificate made just now. */
const BACKDATE_MS = 5 * 60_000;

export const CA_DAYS_DEFAULT = 3650;
export const CERT_DAYS_DEFAULT = 365;

/** A certificate and its private key, as PEM text (the key is PKCS#8). */
export interface IssuedCertificate {
  readonly cert: string;
  readonly key: string;
}

/** A CA that can sign: its certificate, its signing key and the cluster it names. */
export interface CertificateAuthority {
  readonly cert: x509.X509Certificate;
  readonly signingKey: webcrypto.CryptoKey;
  readonly clusterId: string | null;
}

export interface ValidityOptions {
  readonly days?: number;
  /** The start of validity (default: now); tests issue expired certificates with it. */
  readonly now?: Date;
}

/** `raftkv://<clusterId>/users/<name>`: the name a client certificate carries. */
export function clientUri(clusterId: string, user: string): string {
  return `${clusterUri(clusterId)}/users/${encodeURIComponent(user)}`;
}

/** Creates a self-signed cluster CA. */
export async function createClusterCa(
  clusterId: string,
  options: ValidityOptions = {},
): Promise<IssuedCertificate> {
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    ...validity(options, CA_DAYS_DEFAULT), serialNumber: serial(),
    name: [{ CN: [`raftkv cluster CA ${clusterId}`.slice(0, 64)] }],
    keys, signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.SubjectAlternativeNameExtension([{ type: "url", value: clusterUri(clusterId) }]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString("pem"), key: await keyPem(keys.privateKey) };
}

/**
 * Reads a CA from PEM text.
 * @throws CertificateError CERT_INVALID if either cannot be parsed or the key is not P-256.
 */
export async function loadCa(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certPem);
  } catch (error) {
    throw new CertificateError("CERT_INVALID", "", `not a PEM certificate (${String(error)})`);
  }
  let pkcs8: Buffer;
  try {
    const key = createPrivateKey(keyPem);
    if (key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw new Error("raftkv signs with ECDSA P-256 keys only");
    }
    pkcs8 = key.export({ format: "der", type: "pkcs8" });
  } catch (error) {
    throw new CertificateError("CERT_INVALID", "", `unusable CA key (${(error as Error).message})`);
  }
  const signingKey = await webcrypto.subtle.importKey(
    "pkcs8", pkcs8, { name: ALGORITHM.name, namedCurve: ALGORITHM.namedCurve }, false, ["sign"]);
  return { cert, signingKey, clusterId: clusterIdOf(cert) };
}

/** The cluster id a raftkv CA names (`raftkv://<id>`), or null for another CA. */
export function clusterIdOf(cert: x509.X509Certificate): string | null {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  for (const name of san?.names.items ?? []) {
    const match = /^raftkv:\/\/([^/]+)$/.exec(name.value);
    if (name.type === "url" && match?.[1] !== undefined) return decodeURIComponent(match[1]);
  }
  return null;
}

/** Issues a node certificate naming `nodeId` of `clusterId`, valid for `hosts` too. */
export async function issueNodeCertificate(
  ca: CertificateAuthority,
  subject: { readonly clusterId: string; readonly nodeId: string; readonly hosts: readonly string[] },
  options: ValidityOptions = {},
): Promise<IssuedCertificate> {
  const names: x509.JsonGeneralName[] = [
    { type: "url", value: peerUri(subject.clusterId, subject.nodeId) },
    ...[...new Set(subject.hosts)].map((host): x509.JsonGeneralName =>
      ({ type: isIP(host) === 0 ? "dns" : "ip", value: host })),
  ];
  const usages = [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  return issue(ca, subject.nodeId, names, usages, options);
}

/** Issues a client certificate for `user` (subject CN and a `.../users/<name>` URI). */
export async function issueClientCertificate(
  ca: CertificateAuthority,
  subject: { readonly clusterId: string; readonly user: string },
  options: ValidityOptions = {},
): Promise<IssuedCertificate> {
  const names: x509.JsonGeneralName[] = [
    { type: "url", value: clientUri(subject.clusterId, subject.user) },
  ];
  return issue(ca, subject.user, names, [x509.ExtendedKeyUsage.clientAuth], options);
}

async function issue(
  ca: CertificateAuthority,
  commonName: string,
  names: x509.JsonGeneralName[],
  usages: x509.ExtendedKeyUsage[],
  options: ValidityOptions,
): Promise<IssuedCertificate> {
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.create({
    ...validity(options, CERT_DAYS_DEFAULT), serialNumber: serial(),
    subject: [{ CN: [commonName] }], issuer: ca.cert.subjectName,
    publicKey: keys.publicKey, signingKey: ca.signingKey, signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(usages, false),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return { cert: cert.toString("pem"), key: await keyPem(keys.privateKey) };
}

function validity(options: ValidityOptions, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const days = options.days ?? defaultDays;
  if (!Number.isSafeInteger(days) || days < 1 || days > 36_500) {
    throw new RangeError(`--days must be an integer from 1 to 36500, got ${days}`);
  }
  const start = (options.now ?? new Date()).getTime() - BACKDATE_MS;
  return { notBefore: new Date(start), notAfter: new Date(start + days * DAY_MS) };
}

/** 16 random bytes, top bit clear so the DER integer stays positive. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString("hex");
}

async function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  const body = der.toString("base64").replace(/(.{64})/g, "$1\n").trimEnd();
  return `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
}
