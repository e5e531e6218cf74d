/**
 * The public edge's one way to name a cluster: `peers: { n1: "10.0.0.1:7001", n2: ..., n3: ... }`
 * names each member once, by id and address. From it the node derives what the runtime needs:
 * the voters (the map's ids), the address book's seed, and a TcpTransport that listens on this
 * node's own address (or `listen`) and dials the others. A caller that brings its own transport
 * (in-memory, simulated) gives `peers` as a list of ids instead.
 */
import { ConfigError, nodeId, type NodeId } from "../core/index.js";
import {
  silentLogger, TcpTransport, type PeerAddress, type Transport,
} from "../transport/index.js";
import type { MemberAddresses } from "./admin.js";
import { parsePeerAddress } from "./address_book.js";
import { isPeerList, type ClusterNodeOptions } from "./options.js";

/** Each member's id and its peer address ("host:port"), this node's own included. */
export type PeerMap = Readonly<Record<string, string>>;

export const CLUSTER_ID_DEFAULT = "raftkv";

/** Options with the transport settled and `peers` as a list of ids. */
export type ResolvedNodeOptions<R> = ClusterNodeOptions<R> & {
  readonly peers: readonly string[];
  readonly transport: Transport;
};

/**
 * Settles the peer options: a list of ids must come with a transport; a map yields the ids,
 * seeds the address book with each member's peer address, and builds the TCP transport.
 * @throws ConfigError for a missing transport, a map without this node, a bad id or address.
 */
export function resolvePeers<R>(options: ClusterNodeOptions<R>): ResolvedNodeOptions<R> {
  const { peers, transport } = options;
  if (isPeerList(peers)) {
    if (transport === undefined) {
      throw new ConfigError("transport", "is required when peers is a list of ids; " +
        "or give peers as a map from id to \"host:port\"");
    }
    return { ...options, peers, transport };
  }
  const id = nodeId(options.id);
  const own = peers[options.id];
  if (own === undefined) {
    throw new ConfigError("peers", `must give this node's own address (${options.id})`);
  }
  const dial = new Map<NodeId, PeerAddress>();
  const addresses: Record<string, MemberAddresses> = {};
  for (const [peer, address] of Object.entries(peers)) {
    let member: NodeId;
    try {
      member = nodeId(peer);
    } catch {
      throw new ConfigError("peers", `holds an invalid node id ${JSON.stringify(peer)}`);
    }
    const parsed = parsePeerAddress(address, `peers.${peer}`);
    if (member !== id) dial.set(member, parsed);
    addresses[peer] = { peer: address };
  }
  const listen = options.listen === undefined
    ? parsePeerAddress(own, `peers.${options.id}`)
    : parsePeerAddress(options.listen, "listen");
  const built = transport ?? new TcpTransport({
    clusterId: options.clusterId ?? CLUSTER_ID_DEFAULT, nodeId: id, listen, peers: dial,
    logger: options.logger ?? silentLogger,
  });
  return {
    ...options,
    peers: Object.keys(peers),
    addresses: { ...addresses, ...options.addresses },
    transport: built,
  };
}
