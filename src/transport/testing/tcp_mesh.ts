/**
 * Loopback TCP addresses for an in-process test cluster: a free port per node, and a factory
 * for each node's TcpTransport (fast reconnects, the given logger) that knows every other node.
 * A restarted node gets a fresh transport on the same port. Only tests import this file.
 */
import type { NodeId } from "../../core/index.js";
import type { BackoffOptions } from "../limits.js";
import type { PeerTlsCredentials } from "../peer_tls.js";
import { TcpTransport } from "../tcp_transport.js";
import { freePort } from "../test_support.js";
import type { Logger } from "../../core/logger.js";

const HOST = "127.0.0.1";
const FAST_BACKOFF: BackoffOptions = { initialMs: 20, maxMs: 200 };

export class TcpMesh {
  private constructor(
    readonly clusterId: string,
    readonly ports: ReadonlyMap<NodeId, number>,
    private readonly tls: ((id: NodeId) => PeerTlsCredentials) | null,
  ) {}

  /**
   * Picks a free loopback port for each of `ids`; with `tls`, every transport speaks mutual TLS
   * with the credentials it returns for its node (plaintext otherwise, loopback only).
   */
  static async create(
    clusterId: string, ids: readonly NodeId[], tls?: (id: NodeId) => PeerTlsCredentials,
  ): Promise<TcpMesh> {
    const ports = new Map<NodeId, number>();
    for (const id of ids) ports.set(id, await freePort());
    return new TcpMesh(clusterId, ports, tls ?? null);
  }

  port(id: NodeId): number {
    const port = this.ports.get(id);
    if (port === undefined) throw new Error(`${id} is not in the mesh`);
    return port;
  }

  /**
   * A new, not yet started transport for `id`, with every other node as a peer; `backoff`
   * defaults to fast redials.
   */
  transport(id: NodeId, logger: Logger, backoff: BackoffOptions = FAST_BACKOFF): TcpTransport {
    const peers = new Map([...this.ports].filter(([peer]) => peer !== id)
      .map(([peer, port]) => [peer, { host: HOST, port }] as const));
    return new TcpTransport({
      clusterId: this.clusterId, nodeId: id, peers, listen: { host: HOST, port: this.port(id) },
      logger, backoff,
      ...(this.tls === null ? {} : { tls: this.tls(id) }),
    });
  }
}
