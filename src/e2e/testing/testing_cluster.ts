/**
 * Test support for the multi-process tests: a LocalCluster of real node processes on random
 * high ports in a temporary directory, with fast timeouts, and helpers to find the leader and
 * to wait for catch-up. Tests must call `close()` in an `after` hook so no child outlives them.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify as stringifyYaml } from "yaml";
import { delay, LocalCluster, type LocalNode } from "../../app/local_cluster.js";
import { ENTRY_PATH } from "../../cli/entry.js";
import { fetchStatuses, type NodeStatusJson } from "../../cli/status_command.js";

export interface TestCluster {
  readonly cluster: LocalCluster;
  readonly dir: string;
  /** Every line the nodes wrote, prefixed with the node id. */
  readonly output: string[];
  close(): Promise<void>;
}

/** Fast enough for tests, slow enough not to flap on a busy 2-core machine. */
export const TEST_CONFIG = {
  tickMs: 10,
  electionTimeoutMs: { min: 400, max: 800 },
  heartbeatIntervalMs: 50,
  limits: { proposalTimeoutMs: 2000, readTimeoutMs: 2000 },
  logLevel: "info",
} as const;

/** What else a test cluster may have (LocalClusterOptions). */
export interface TestClusterOptions {
  /** The dashboards get stop/restart/partition buttons (raftkv cluster --dashboard-controls). */
  readonly dashboardControls?: boolean;
}

/** Starts `nodes` node processes and waits until each serves HTTP. */
export async function startTestCluster(
  nodes = 3,
  config: Record<string, unknown> = TEST_CONFIG,
  options: TestClusterOptions = {},
): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-cluster-"));
  const output: string[] = [];
  const base = await freePortBase(nodes);
  const cluster = new LocalCluster({
    nodes, dataDir: dir, entryPath: ENTRY_PATH, redisPortBase: base, httpPortBase: base + 10,
    peerPortBase: base + 20, config, ...options,
    onOutput: (id, line) => { output.push(`${id} ${line}`); },
  });
  const close = async (): Promise<void> => {
    await cluster.stop(3000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await cluster.start();
    await cluster.waitReady(20_000);
  } catch (error) {
    await close();
    const tail = output.slice(-20).join("\n");
    throw new Error(`${(error as Error).message}\n${tail}`, { cause: error });
  }
  return { cluster, dir, output, close };
}

export interface MemberAddressFlags {
  readonly peer: string;
  readonly http: string;
  readonly redis: string;
}

/** A cluster whose founders run now and whose spare ids can join later (`startJoiner`). */
export interface GrowableTestCluster extends TestCluster {
  /** Starts spare node `id` with `--join` (an empty configuration until the leader adds it). */
  startJoiner(id: string): void;
  /** The `--peer/--http/--redis` a joiner is added with. */
  addressesOf(id: string): MemberAddressFlags;
}

/**
 * Starts `founders` node processes (n1..) configured as the cluster's voters, and keeps ids up
 * to `founders + spares` free for joining nodes. The founders' file lists only themselves; the
 * joiners' file (same cluster id) lists everyone, so a joiner knows every address.
 */
export async function startGrowableCluster(
  founders: number,
  spares: number,
  config: Record<string, unknown> = TEST_CONFIG,
): Promise<GrowableTestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-grow-"));
  const output: string[] = [];
  const base = await freePortBase(founders + spares);
  const cluster = new LocalCluster({
    nodes: founders + spares, dataDir: dir, entryPath: ENTRY_PATH, redisPortBase: base,
    httpPortBase: base + 10, peerPortBase: base + 20, config,
    onOutput: (id, line) => { output.push(`${id} ${line}`); },
  });
  const addressesOf = (id: string): MemberAddressFlags => {
    const node = cluster.node(id);
    return {
      peer: `127.0.0.1:${node.peerPort}`, http: `127.0.0.1:${node.httpPort}`,
      redis: `127.0.0.1:${node.redisPort}`,
    };
  };
  const clusterId = `grow-${Math.floor(Math.random() * 1e9).toString(36)}`;
  const peerTls = await cluster.peerCertificates(clusterId);
  const fileOf = (members: readonly LocalNode[]): string => stringifyYaml({
    clusterId, members: members.map((n) => ({ id: n.id, ...addressesOf(n.id) })),
    dataDir: join(dir, "{id}"), peerTls, ...config,
  });
  writeFileSync(cluster.configPath, fileOf(cluster.nodes.slice(0, founders)));
  const joinersPath = join(dir, "joiners.yaml");
  writeFileSync(joinersPath, fileOf(cluster.nodes));
  const close = async (): Promise<void> => {
    await cluster.stop(3000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const node of cluster.nodes.slice(0, founders)) cluster.startNode(node.id);
    await cluster.waitReady(20_000);
  } catch (error) {
    await close();
    const tail = output.slice(-20).join("\n");
    throw new Error(`${(error as Error).message}\n${tail}`, { cause: error });
  }
  return {
    cluster, dir, output, close, addressesOf,
    startJoiner: (id) => { cluster.startNode(id, ["--config", joinersPath, "--join"]); },
  };
}

/**
 * Whether `port` can be bound now. (Not `events.once(server, "listening")`: it rejects with the
 * 'error' event, so a port in use threw EADDRINUSE out of the probe instead of answering false.)
 */
export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => { resolve(false); });
    server.listen(port, "127.0.0.1", () => { server.close(() => { resolve(true); }); });
  });
}

/**
 * A random base below the ephemeral port range (32768+) whose ports base+i, base+10+i and
 * base+20+i are free, so concurrent test files and outgoing connections do not clash.
 */
export async function freePortBase(nodes: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 380) * 32;
    const ports = Array.from({ length: nodes }, (_, i) => [1, 11, 21].map((d) => base + d + i));
    let free = true;
    for (const port of ports.flat()) free &&= await canListen(port);
    if (free) return base;
  }
  throw new Error("no free port range found");
}

/** The status of every running node (unreachable ones left out). */
export async function statuses(cluster: LocalCluster): Promise<NodeStatusJson[]> {
  const urls = cluster.runningIds.map((id) => cluster.node(id).httpUrl);
  return (await fetchStatuses(urls)).flatMap((s) => (s.status === null ? [] : [s.status]));
}

/** Waits until a running node is leader and every running node agrees. @throws on timeout. */
export async function waitForLeader(
  cluster: LocalCluster,
  timeoutMs = 10_000,
): Promise<NodeStatusJson> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const all = await statuses(cluster);
    const leader = all.find((s) => s.role === "leader");
    if (leader !== undefined && all.length === cluster.runningIds.length &&
      all.every((s) => s.leaderId === leader.id && s.term === leader.term)) return leader;
    await delay(50);
  }
  throw new Error(`no agreed leader within ${timeoutMs} ms`);
}

/** Waits until node `id` has applied at least `index`. @throws on timeout. */
export async function waitApplied(
  cluster: LocalCluster,
  id: string,
  index: number,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [status] = (await fetchStatuses([cluster.node(id).httpUrl])).map((s) => s.status);
    if (status !== null && status !== undefined && status.applied >= index) return;
    await delay(50);
  }
  throw new Error(`${id} did not apply index ${index} within ${timeoutMs} ms`);
}
