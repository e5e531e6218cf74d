/**
 * One raftkv server process, assembled: the replicated store (ReplicatedKv on a ClusterNode over
 * DiskStorage and the TCP peer transport) behind the Redis-protocol server and the HTTP API, with
 * Prometheus metrics and structured logs of elections, leader changes, snapshots and failures.
 */
import { join } from "node:path";
import { collectDefaultMetrics, Registry } from "prom-client";
import { ConfigError, nodeId, type NodeId } from "../core/index.js";
import { ReplicatedKv } from "../kv/index.js";
import { DEFAULT_STORE_LIMITS } from "../kv/index.js";
import {
  createClientMetrics, createClientResources, createNodeMetrics, createRaftMetrics,
  createRespMetrics, LoopDelay, nodeObserver, RespServer, startHttpApi, type ClientResources,
  type NodeMetrics, type RaftMetrics, type RunningHttpApi,
} from "../server/index.js";
import { TcpTransport, type PeerAddress, type Transport } from "../transport/index.js";
import { RemovedFromClusterError, type MemberAddresses, type NodeObserver } from "../node/index.js";
import { buildClientSecurity } from "./client_security_config.js";
import { checkDataDirIdentity, markRemoved } from "./data_dir_identity.js";
import { diskUsageBytes } from "./disk_usage.js";
import type { Member, NodeConfig } from "./config.js";
import type { Logger } from "./logger.js";
import { startPeerSecurity } from "./peer_security.js";
import { DashboardRecorder } from "../server/dashboard/recorder.js";
import type { DashboardControls } from "../server/dashboard/routes.js";
import {
  parentControls, partitionable, type PartitionableTransport,
} from "./dashboard_controls.js";

export interface RunningNodeServer {
  readonly kv: ReplicatedKv;
  readonly resp: RespServer;
  readonly http: RunningHttpApi;
  /** Resolves with the error once the node fails (disk failure, assertion): fail-stop. */
  readonly failed: Promise<Error>;
  /** Resolves with the configuration's index once this node is removed from the cluster. */
  readonly removed: Promise<number>;
  /** Reloads the peer certificates and CA from their files (SIGHUP); new connections use them. */
  reloadCertificates(why: string): void;
  /** Closes the front ends, then stops the node (idempotent). */
  stop(): Promise<void>;
}

/**
 * Opens the node's storage, joins the cluster and starts listening for clients.
 * @throws CertificateError if the peer certificate, key or CA cannot be used; ConfigError;
 *   DataDirMismatchError when the data directory is another cluster's, node's or format's;
 *   WalCorruptError, SnapshotCorruptError, DiskFailedError from storage;
 *   ListenError or a listen error (EADDRINUSE) from the transport and front ends.
 */
export interface NodeServerOptions {
  /** Dashboard buttons that ask the parent `raftkv cluster` (dashboard_controls.ts). */
  readonly dashboardControls?: boolean;
}

export async function startNodeServer(
  config: NodeConfig,
  logger: Logger,
  options: NodeServerOptions = {},
): Promise<RunningNodeServer> {
  // Before anything listens: a bad hash, token or TLS file stops the start with its reason.
  const clientSecurity = await buildClientSecurity(config.clientSecurity);
  const dashboard = dashboardParts(config, logger, options.dashboardControls === true);
  const { recorder, controls } = dashboard;
  const id = nodeId(config.nodeId);
  const peers = new Map<NodeId, PeerAddress>();
  for (const member of config.members) {
    if (member.id !== config.nodeId) peers.set(nodeId(member.id), member.peer);
  }
  const peerSecurity = startPeerSecurity(config, logger.child({ component: "peer-tls" }));
  // Configuration and certificates first, then, before any data is opened: never another
  // cluster's or another node's data directory.
  try {
    const identity = await checkDataDirIdentity(config.dataDir,
      { clusterId: config.clusterId, nodeId: config.nodeId });
    if (identity === "adopted") {
      logger.info({ dataDir: config.dataDir, clusterId: config.clusterId },
        `Recorded cluster ${config.clusterId} and node ${config.nodeId} in the existing data directory`);
    }
  } catch (error) {
    peerSecurity.close();
    throw error;
  }
  const tcp = new TcpTransport({
    clusterId: config.clusterId, nodeId: id, listen: config.self.peer, peers, tls: peerSecurity.tls,
    logger: logger.child({ component: "transport" }),
    // Streamed snapshots are assembled here, so a transfer resumes after a restart too.
    snapshotDir: join(config.dataDir, "incoming-snapshots"),
  });
  const transport = dashboard.wrap(tcp);
  const storageLogger = logger.child({ component: "storage" });
  // Created before the node so its observer can count from the first applied entry; the
  // status gauges read the node only at scrape time, once it runs.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let started: ReplicatedKv | null = null;
  const running = (): ReplicatedKv => {
    if (started === null) throw new Error("metrics scraped before the node started");
    return started;
  };
  const transportStats = () => tcp.stats();
  const metrics = createRaftMetrics(registry, {
    status: () => running().status(), transport: transportStats,
  });
  const nodeMetrics = createNodeMetrics(registry, {
    status: () => running().node.status(), transport: transportStats,
  });
  const kv = await ReplicatedKv.start({
    id: config.nodeId,
    // Founding: the members are the voters. Joining: they are whom to hear from.
    peers: config.members.map((member) => member.id),
    join: config.join,
    addresses: Object.fromEntries(config.members.map((m) => [m.id, memberAddresses(m)])),
    dataDir: config.dataDir,
    diskStorage: { logger: storageLogger },
    transport,
    limits: config.nodeLimits,
    logger: logger.child({ component: "node" }),
    store: config.store,
    observer: recorder.observe(withWriteTrace(nodeObserver(metrics, nodeMetrics), logger)),
  });
  started = kv;
  recorder.attach(kv.node, registry);
  const failed = watchNode(kv, logger, metrics, nodeMetrics);
  const { resources, loopDelay } = clientResources(config, registry, logger);
  const keyBytesMax = config.store.keyBytesMax ?? DEFAULT_STORE_LIMITS.keyBytesMax;
  let resp: RespServer | null = null;
  try {
    const clientAuth = {
      auth: clientSecurity.auth,
      ...(clientSecurity.tls === undefined ? {} : { tls: clientSecurity.tls }),
    };
    const removal = (): Error | null => {
      const index = kv.node.removedIndex;
      return index === null ? null : new RemovedFromClusterError(kv.node.id, index);
    };
    resp = await RespServer.start({
      service: kv, logger: logger.child({ component: "resp" }), resources, removal,
      metrics: createRespMetrics(registry), ...clientAuth,
    }, {
      host: config.self.redis.host, port: config.self.redis.port, keyBytesMax,
      ...(config.redisClientsMax === undefined ? {} : { clientsMax: config.redisClientsMax }),
    });
    const httpLogger = logger.child({ component: "http" });
    const httpDeps = {
      service: kv, registry, logger: httpLogger, resources, removal, ...clientAuth,
      diskUsage: () => diskUsageBytes(config.dataDir),
      dashboard: { recorder, ...(controls === undefined ? {} : { controls }) },
    };
    const http = await startHttpApi(httpDeps, {
      host: config.self.http.host, port: config.self.http.port, keyBytesMax,
      ...(config.httpBodyBytesMax === undefined ? {} : { bodyBytesMax: config.httpBodyBytesMax }),
    });
    const stop = once(async () => {
      peerSecurity.close();
      resources.fdWatch.stop();
      await stopAll(kv, [resp, http], loopDelay);
    });
    const removed = new Promise<number>((resolve) => {
      if (kv.node.removedIndex !== null) resolve(kv.node.removedIndex);
      kv.node.once("removed", ({ index }) => { resolve(index); });
    });
    void removed.then((index) => markRemoved(config.dataDir, index)).catch((error: unknown) => {
      logger.warn({ err: error }, "Could not record the removal in the data directory");
    });
    return {
      kv, resp, http, failed, removed, reloadCertificates: (why) => { peerSecurity.reload(why); }, stop,
    };
  } catch (error) {
    recorder.close();
    peerSecurity.close();
    loopDelay.stop();
    resources.fdWatch.stop();
    await resp?.close();
    await kv.stop();
    throw error;
  }
}

interface DashboardParts {
  readonly recorder: DashboardRecorder;
  readonly controls: DashboardControls | undefined;
  /** The transport the node uses: with controls, behind the partition switch. */
  wrap(transport: Transport): Transport;
}

/**
 * The dashboard's recorder and, with `--dashboard-controls`, its controls and partition switch.
 * @throws ConfigError when controls are asked for without a parent `raftkv cluster`.
 */
function dashboardParts(config: NodeConfig, logger: Logger, controlled: boolean): DashboardParts {
  let switchable: PartitionableTransport | null = null;
  const recorder = new DashboardRecorder(config.nodeId, {
    isolated: () => switchable?.isolated() ?? false,
  });
  if (!controlled) return { recorder, controls: undefined, wrap: (transport) => transport };
  let controls: DashboardControls;
  try {
    controls = parentControls(process, (isolated) => {
      switchable?.setIsolated(isolated);
      recorder.recordPartition(isolated);
      logger.warn({ isolated }, isolated ? "Dashboard control: peer traffic cut off"
        : "Dashboard control: peer traffic restored");
    });
  } catch (error) {
    throw new ConfigError("--dashboard-controls", (error as Error).message);
  }
  // The channel must not keep the process alive on its own (the node exits explicitly).
  process.channel?.unref();
  return {
    recorder, controls, wrap: (transport) => (switchable = partitionable(transport)).transport,
  };
}

/** The client limits both front ends share, with their metrics on `registry`. */
function clientResources(config: NodeConfig, registry: Registry, logger: Logger): {
  resources: ClientResources;
  loopDelay: LoopDelay;
} {
  let counted: ((reason: string) => void) | null = null;
  const resources = createClientResources(config.clientLimits, {
    logger: logger.child({ component: "clients" }),
    counted: (reason) => { counted?.(reason); },
  });
  const clientMetrics = createClientMetrics(registry, { memory: () => resources.memory });
  counted = (reason) => { clientMetrics.disconnections.inc({ reason }); };
  const loopDelay = new LoopDelay((seconds) => {
    clientMetrics.loopDelaySeconds.observe(seconds);
  });
  resources.fdWatch.start();
  return { resources, loopDelay };
}

async function stopAll(
  kv: ReplicatedKv,
  frontEnds: readonly ({ close(): Promise<void> } | null)[],
  loopDelay: LoopDelay,
): Promise<void> {
  await Promise.allSettled(frontEnds.map((frontEnd) => frontEnd?.close() ?? Promise.resolve()));
  loopDelay.stop();
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
function watchNode(
  kv: ReplicatedKv, logger: Logger, metrics: RaftMetrics, nodeMetrics: NodeMetrics,
): Promise<Error> {
  const node = kv.node;
  node.on("snapshot", () => { nodeMetrics.snapshots.inc(); });
  node.on("roleChange", ({ role }) => {
    if (role === "candidate") metrics.elections.inc();
  });
  node.on("removed", ({ index }) => {
    logger.info({ index }, "This node was removed from the cluster: it answers clients with "
      + "'removed from the cluster' (HTTP 410, RESP -ERR) and its Raft activity stops shortly");
  });
  node.on("leaderChange", ({ leaderId, term }) => {
    if (leaderId !== null) nodeMetrics.leaderChanges.inc();
    const text = leaderId === null ? "No leader known" : `Leader is ${leaderId}`;
    logger.info({ leader: leaderId, term }, `${text} in term ${term}`);
  });
  return new Promise<Error>((resolve) => {
    node.on("fatal", ({ error }) => { resolve(error); });
  });
}

/**
 * At log level `trace`, or with RAFTKV_TRACE_WRITES=1 in the environment at any level (the
 * timeline alone, without trace's per-message log lines, which slow every write several-fold),
 * every stage of every write is recorded with a wall-clock time in microseconds that the
 * processes of one machine share (timeOrigin + now), and logged in batches (one line every
 * 200 ms, so tracing itself barely moves the timeline) for scripts/write-timeline.mjs to merge
 * into a per-write timeline.
 */
function withWriteTrace(observer: NodeObserver, logger: Logger): NodeObserver {
  const atTrace = logger.isLevelEnabled("trace");
  if (!atTrace && process.env.RAFTKV_TRACE_WRITES !== "1") return observer;
  const traceLogger = logger.child({ component: "timeline" });
  let events: (string | number)[] = [];
  setInterval(() => {
    if (events.length === 0) return;
    if (atTrace) traceLogger.trace({ events });
    else traceLogger.info({ events }, "timeline");
    events = [];
  }, 200).unref();
  return {
    ...observer,
    writeStage: (stage, index) => {
      events.push(stage, index, Math.round((performance.timeOrigin + performance.now()) * 1000));
    },
  };
}
