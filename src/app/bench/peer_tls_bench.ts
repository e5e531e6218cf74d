/**
 * The cost of peer mutual TLS: the transport benchmark's closed loop (transport_bench.ts), plain
 * and over TLS 1.3 with certificates from a fresh cluster CA, alternated in the same run so both
 * see the same machine. Reports numbers and asserts nothing (STYLE.md rule 15).
 *
 *   npm run bench:transport     # runs this after the transport benchmark
 *   node dist/app/bench/peer_tls_bench.js --small 100000 --large 2000 --rounds 2
 */
import { PeerTlsCredentials } from "../../transport/peer_tls.js";
import {
  argNumber, type BenchTls, benchTransport, report,
} from "../../transport/bench/transport_bench.js";
import { createTestPki } from "../certs/testing_pki.js";

async function main(): Promise<void> {
  const small = argNumber("--small", 200_000);
  const large = argNumber("--large", 4_000);
  const rounds = argNumber("--rounds", 2);
  const pki = await createTestPki("bench");
  const tls: BenchTls = {
    sender: new PeerTlsCredentials(await pki.material("n1")),
    receiver: new PeerTlsCredentials(await pki.material("n2")),
  };
  console.log(`node ${process.version}: peer transport, plaintext vs mutual TLS 1.3 (ECDSA P-256)`);
  for (let round = 1; round <= rounds; round++) {
    report(await benchTransport(small, 100, { window: 4096 }));
    report(await benchTransport(small, 100, { window: 4096, tls }));
    report(await benchTransport(large, 64 * 1024, { window: 256 }));
    report(await benchTransport(large, 64 * 1024, { window: 256, tls }));
  }
}

await main();
