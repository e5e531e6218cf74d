import type { NodeId } from "../core/index.js";
import { MemoryNetwork } from "./memory_network.js";
import type { PeerAddress } from "./peer_link.js";
import { TcpTransport } from "./tcp_transport.js";
import { registerTransportCompliance } from "./transport_compliance.js";
import { freePort } from "./test_support.js";

registerTransportCompliance({
  name: "tcp",
  async cluster(ids, limits) {
    const addresses = new Map<NodeId, PeerAddress>();
    for (const id of ids) addresses.set(id, { host: "127.0.0.1", port: await freePort() });
    return {
      create: (id) => {
        const listen = addresses.get(id);
        if (listen === undefined) throw new Error(`unknown id ${id}`);
        const peers = new Map([...addresses].filter(([peer]) => peer !== id));
        return new TcpTransport({
          clusterId: "compliance", nodeId: id, listen, peers, limits,
          backoff: { initialMs: 5, maxMs: 50 },
        });
      },
    };
  },
});

registerTransportCompliance({
  name: "memory",
  cluster(ids, limits) {
    const network = new MemoryNetwork({ limits });
    return Promise.resolve({ create: (id) => network.endpoint(id, ids) });
  },
});
