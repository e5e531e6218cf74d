import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, nodeId } from "../core/index.js";
import { MemoryNetwork, TcpTransport } from "../transport/index.js";
import type { ClusterNodeOptions } from "./options.js";
import { resolvePeers } from "./peer_map.js";
import { RecordingMachine, type LogResult } from "./testing/cluster.js";

function options(extra: Partial<ClusterNodeOptions<LogResult>>): ClusterNodeOptions<LogResult> {
  return { id: "n1", peers: [], dataDir: "/nowhere", stateMachine: new RecordingMachine(), ...extra };
}

test("a peer map names each member once: ids, address book seed and a TCP transport", async () => {
  const peers = { n1: "127.0.0.1:7001", n2: "127.0.0.1:7002", n3: "[::1]:7003" };
  const resolved = resolvePeers(options({ peers, addresses: { n2: { peer: "10.0.0.2:7002" } } }));
  assert.deepEqual(resolved.peers, ["n1", "n2", "n3"]);
  assert.ok(resolved.transport instanceof TcpTransport);
  assert.equal(resolved.transport.nodeId, nodeId("n1"));
  assert.deepEqual(resolved.transport.stats().peers.map((peer) => peer.peer), ["n2", "n3"]);
  // Explicit addresses (the operator's, with client ports) win over the map's peer address.
  assert.deepEqual(resolved.addresses?.n2, { peer: "10.0.0.2:7002" });
  assert.deepEqual(resolved.addresses.n3, { peer: "[::1]:7003" });
  await resolved.transport.close();
});

test("a list of ids needs a transport and is passed through", () => {
  const ids = [nodeId("n1"), nodeId("n2")];
  const transport = new MemoryNetwork().endpoint(nodeId("n1"), ids);
  assert.equal(resolvePeers(options({ peers: ["n1", "n2"], transport })).transport, transport);
  assert.throws(() => resolvePeers(options({ peers: ["n1", "n2"] })),
    (error: unknown) => error instanceof ConfigError && error.message.includes("transport"));
});

test("a map without this node, with a bad id or a bad address is refused by field", () => {
  const refused = (peers: Record<string, string>, field: string): void => {
    assert.throws(() => resolvePeers(options({ peers })),
      (error: unknown) => error instanceof ConfigError && error.message.includes(field));
  };
  refused({ n2: "127.0.0.1:7002" }, "peers");
  refused({ n1: "127.0.0.1:7001", "bad id!": "127.0.0.1:7002" }, "peers");
  refused({ n1: "127.0.0.1:7001", n2: "no-port" }, "peers.n2");
});
