/** The transport compliance suite (transport_compliance.ts), run over mutual TLS. */
import { nodeId, type NodeId } from "../../core/index.js";
import type { PeerAddress } from "../../transport/peer_link.js";
import { PeerTlsCredentials } from "../../transport/peer_tls.js";
import { TcpTransport } from "../../transport/tcp_transport.js";
import { registerTransportCompliance } from "../../transport/transport_compliance.js";
import { freePort } from "../../transport/test_support.js";
import { createTestPki } from "./testing_pki.js";

registerTransportCompliance({
  name: "tcp+tls",
  async cluster(ids, limits) {
    const pki = await createTestPki("compliance");
    const addresses = new Map<NodeId, PeerAddress>();
    const credentials = new Map<NodeId, PeerTlsCredentials>();
    for (const id of ids) {
      addresses.set(id, { host: "127.0.0.1", port: await freePort() });
      credentials.set(id, new PeerTlsCredentials(await pki.material(id)));
    }
    return {
      create: (id) => {
        const listen = addresses.get(id);
        const tls = credentials.get(nodeId(id));
        if (listen === undefined || tls === undefined) throw new Error(`unknown id ${id}`);
        const peers = new Map([...addresses].filter(([peer]) => peer !== id));
        return new TcpTransport({
          clusterId: "compliance", nodeId: id, listen, peers, limits, tls,
          backoff: { initialMs: 5, maxMs: 50 },
        });
      },
    };
  },
});
