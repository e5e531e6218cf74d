/**
 * TEST-ONLY: a throwaway CA, a server certificate for 127.0.0.1/localhost and client
 * certificates (Common Name = user), made with @peculiar/x509 on Node's WebCrypto and written as
 * PEM files, for the client-TLS tests. The `raftkv certs` module replaces this at integration.
 */
import "./reflect_metadata_shim.js";
import { webcrypto } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;

interface Issued {
  readonly cert: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
}

/** Paths of the PEM files written. */
export interface TestCertFiles {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** user name -> its client certificate and key */
  readonly clients: ReadonlyMap<string, { readonly cert: string; readonly key: string }>;
}

let serial = 1;

function validity() {
  serial += 1;
  return {
    serialNumber: serial.toString(16).padStart(2, "0"),
    notBefore: new Date(Date.now() - DAY_MS), notAfter: new Date(Date.now() + DAY_MS),
  };
}

async function keyPem(keys: webcrypto.CryptoKeyPair): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

async function issue(ca: Issued, name: string, extensions: x509.Extension[]): Promise<Issued> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.create({
    ...validity(), subject: name, issuer: ca.cert.subject, signingKey: ca.keys.privateKey,
    publicKey: keys.publicKey, signingAlgorithm: ALGORITHM,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true), ...extensions],
  });
  return { cert, keys };
}

/** Writes ca.crt, server.crt/key and <user>.crt/key for each of `users` into `dir`. */
export async function writeTestCerts(
  dir: string,
  users: readonly string[],
): Promise<TestCertFiles> {
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    ...validity(), name: "CN=raftkv test CA", keys: caKeys, signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  const ca = { cert: caCert, keys: caKeys };
  const server = await issue(ca, "CN=raftkv test server", [
    new x509.SubjectAlternativeNameExtension([
      { type: "ip", value: "127.0.0.1" }, { type: "dns", value: "localhost" },
    ]),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
  ]);
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const clients = new Map<string, { cert: string; key: string }>();
  for (const user of users) {
    const client = await issue(ca, `CN=${user}`, [
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ]);
    clients.set(user, {
      cert: write(`${user}.crt`, client.cert.toString("pem")),
      key: write(`${user}.key`, await keyPem(client.keys)),
    });
  }
  return {
    caCert: write("ca.crt", caCert.toString("pem")),
    serverCert: write("server.crt", server.cert.toString("pem")),
    serverKey: write("server.key", await keyPem(server.keys)),
    clients,
  };
}
