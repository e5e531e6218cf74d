/**
 * One raftkv server process, assembled: the replicated store (ReplicatedKv on a ClusterNode over
 * DiskStorage and the TCP peer transport) behind the Redis-protocol server and the HTTP API, with
 * Prometheus metrics and structured logs of elections, leader changes, snapshots and failures.
 */
import { join } from "node:path";
import { Registry } from "prom-client";
import { nodeId, type NodeId } from "../core/index.js";
import { ReplicatedKv } from "../kv/index.js";
import {
  createRaftMetrics, RespServer, startHttpApi, type RaftMetrics, type RunningHttpApi,
} from "../server/index.js";
import { TcpTransport, type PeerAddress } from "../transport/index.js";
import type { MemberAddresses } from "../node/index.js";
import type { Member, NodeConfig } from "./config.js";
import type { Logger } from "./logger.js";
import { startPeerSecurity } from "./peer_security.js";

export interface RunningNodeServer {
  readonly kv: ReplicatedKv;
  readonly resp: RespServer;
  readonly http: RunningHttpApi;
  /** Resolves with the error once the node fails (disk failure, assertion): fail-stop. */
  readonly failed: Promise<Error>;
  /** Reloads the peer certificates and CA from their files (SIGHUP); new connections use them. */
  reloadCertificates(why: string): void;
  /** Closes the front ends, then stops the node (idempotent). */
  stop(): Promise<void>;
}

/**
 * Opens the node's storage, joins the cluster and starts listening for clients.
 * @throws CertificateError if the peer certificate, key or CA cannot be used; ConfigError;
 *   WalCorruptError, SnapshotCorruptError, DiskFailedError from storage;
 *   ListenError or a listen error (EADDRINUSE) from the transport and front ends.
 */
export async function startNodeServer(
  config: NodeConfig,
  logger: Logger,
): Promise<RunningNodeServer> {
  const id = nodeId(config.nodeId);
  const peers = new Map<NodeId, PeerAddress>();
  for (const member of config.members) {
    if (member.id !== config.nodeId) peers.set(nodeId(member.id), member.peer);
  }
  const security = startPeerSecurity(config, logger.child({ component: "peer-tls" }));
  const transport = new TcpTransport({
    clusterId: config.clusterId, nodeId: id, listen: config.self.peer, peers, tls: security.tls,
    logger: logger.child({ component: "transport" }),
    // Streamed snapshots are assembled here, so a transfer resumes after a restart too.
    snapshotDir: join(config.dataDir, "incoming-snapshots"),
  });
  const storageLogger = logger.child({ component: "storage" });
  const kv = await ReplicatedKv.start({
    id: config.nodeId,
    // Founding: the members are the voters. Joining: they are whom to hear from.
    peers: config.members.map((member) => member.id),
    join: config.join,
    addresses: Object.fromEntries(config.members.map((m) => [m.id, memberAddresses(m)])),
    dataDir: config.dataDir,
    diskStorage: { logger: (level, message) => { storageLogger[level](message); } },
    transport,
    limits: config.nodeLimits,
    logger: logger.child({ component: "node" }),
    store: config.store,
  });
  const registry = new Registry();
  const metrics = createRaftMetrics(registry, { status: () => kv.status() });
  const failed = watchNode(kv, logger, metrics);
  let resp: RespServer | null = null;
  try {
    resp = await RespServer.start({ service: kv, logger: logger.child({ component: "resp" }) }, {
      host: config.self.redis.host, port: config.self.redis.port,
      ...(config.redisClientsMax === undefined ? {} : { clientsMax: config.redisClientsMax }),
    });
    const httpLogger = logger.child({ component: "http" });
    const http = await startHttpApi({ service: kv, registry, logger: httpLogger }, {
      host: config.self.http.host, port: config.self.http.port,
      ...(config.httpBodyBytesMax === undefined ? {} : { bodyBytesMax: config.httpBodyBytesMax }),
    });
    const stop = once(async () => {
      security.close();
      await stopAll(kv, resp, http);
    });
    return {
      kv, resp, http, failed, reloadCertificates: (why) => { security.reload(why); }, stop,
    };
  } catch (error) {
    security.close();
    await resp?.close();
    await kv.stop();
    throw error;
  }
}

async function stopAll(
  kv: ReplicatedKv,
  resp: RespServer | null,
  http: RunningHttpApi | null,
): Promise<void> {
  await Promise.allSettled([resp?.close(), http?.close()]);
  await kv.stop();
}

function memberAddresses(member: Member): MemberAddresses {
  const text = ({ host, port }: { host: string; port: number }): string =>
    host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return { peer: text(member.peer), redis: text(member.redis), http: text(member.http) };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => (running ??= fn());
}

/**
 * Logs leader changes (the node itself logs role changes, snapshots and its failure) and
 * resolves once the node fails.
 */
function watchNode(kv: ReplicatedKv, logger: Logger, metrics: RaftMetrics): Promise<Error> {
  const node = kv.node;
  node.on("roleChange", ({ role }) => {
    if (role === "candidate") metrics.elections.inc();
  });
  node.on("removed", ({ index }) => {
    logger.info({ index }, "This node was removed from the cluster: its Raft activity stops " +
      "shortly; stop the process once leadership has moved on");
  });
  node.on("leaderChange", ({ leaderId, term }) => {
    const text = leaderId === null ? "No leader known" : `Leader is ${leaderId}`;
    logger.info({ leader: leaderId, term }, `${text} in term ${term}`);
  });
  return new Promise<Error>((resolve) => {
    node.on("fatal", ({ error }) => { resolve(error); });
  });
}
