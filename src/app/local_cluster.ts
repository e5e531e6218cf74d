/**
 * A local cluster of raftkv node processes on one machine: what `raftkv cluster`, `npm run
 * bench` and the multi-process tests run. It writes one config file for all members into the
 * data directory (keeping the cluster id of an earlier run, so a rerun restarts the same cluster
 * from its data), spawns one child per node, relays their output, and stops them all: SIGTERM,
 * wait, then SIGKILL for stragglers, so no process is left behind.
 *
 * Children run in their own process group (so a terminal's Ctrl-C reaches only this parent,
 * which stops them once, in order) and are started with `--stop-with-parent`, so they also stop
 * if this process dies without stopping them (their stdin closes).
 *
 * Peers use mutual TLS with no extra step: on first start a cluster CA and one certificate per
 * node are created under `<dataDir>/certs` (certs/cluster_pki.ts); later starts reuse them,
 * reissuing only a node certificate that is missing or about to expire.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ensureNodeCertificates, type TlsFilePaths } from "./certs/index.js";
import {
  isControlRequest, type ControlMessage, type ControlRequest,
} from "./dashboard_controls.js";
import { readDataDirIdentity } from "./data_dir_identity.js";

export interface LocalClusterOptions {
  readonly nodes: number;
  readonly dataDir: string;
  /** The `raftkv` entry script children run with `node` (src/cli/entry.ts). */
  readonly entryPath: string;
  readonly host?: string;
  /** Node i (1-based) listens on base + i. */
  readonly redisPortBase: number;
  readonly httpPortBase: number;
  readonly peerPortBase: number;
  /** Extra config file fields (timeouts, limits, logLevel), merged into the generated file. */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly logFormat?: "json" | "pretty";
  /** Each line a child writes (stdout or stderr). */
  readonly onOutput?: (id: string, line: string) => void;
  /** A child exited; `expected` is false unless stop() or kill() caused it. */
  readonly onExit?: (id: string, info: ChildExit) => void;
  /**
   * Give the nodes' dashboards buttons to stop, restart and partition nodes
   * (dashboard_controls.ts): children get an IPC channel and `--dashboard-controls`.
   */
  readonly dashboardControls?: boolean;
  /** A dashboard control was used (for the parent's log). */
  readonly onControl?: (request: ControlRequest, error: string | null) => void;
}

export interface ChildExit {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly expected: boolean;
}

export interface RemovedNode {
  readonly id: string;
  /** The index of the configuration that removed it. */
  readonly index: number;
}

export interface LocalNode {
  readonly id: string;
  readonly redisPort: number;
  readonly httpPort: number;
  readonly peerPort: number;
  readonly httpUrl: string;
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<ChildExit>;
  readonly state: { expectExit: boolean };
}

const STOP_GRACE_MS = 10_000;
const READY_POLL_MS = 50;

export class LocalCluster {
  readonly nodes: readonly LocalNode[];
  readonly configPath: string;
  private readonly running = new Map<string, Running>();
  private readonly host: string;

  constructor(private readonly options: LocalClusterOptions) {
    if (!Number.isSafeInteger(options.nodes) || options.nodes < 1 || options.nodes > 64) {
      throw new RangeError(`--nodes must be an integer from 1 to 64, got ${options.nodes}`);
    }
    this.host = options.host ?? "127.0.0.1";
    this.configPath = join(resolve(options.dataDir), "raftkv.yaml");
    const nodes: LocalNode[] = [];
    for (let i = 1; i <= options.nodes; i++) {
      const node = {
        id: `n${i}`, redisPort: options.redisPortBase + i, httpPort: options.httpPortBase + i,
        peerPort: options.peerPortBase + i,
      };
      for (const port of [node.redisPort, node.httpPort, node.peerPort]) {
        if (!Number.isSafeInteger(port) || port < 1 || port > 65_535) {
          throw new RangeError(`port ${port} of ${node.id} is out of range: lower the port bases`);
        }
      }
      nodes.push({ ...node, httpUrl: `http://${this.host}:${node.httpPort}` });
    }
    this.nodes = nodes;
  }

  /**
   * The nodes a start would run, and those it leaves out because an earlier run's data says they
   * were removed from the cluster (a removed node stays removed: data_dir_identity.ts).
   */
  async plan(): Promise<{ readonly members: readonly LocalNode[]; readonly removed: readonly RemovedNode[] }> {
    const removed: RemovedNode[] = [];
    for (const node of this.nodes) {
      const identity = await readDataDirIdentity(this.dataDirOf(node.id));
      if (identity?.removedAtIndex !== undefined) removed.push({ id: node.id, index: identity.removedAtIndex });
    }
    const gone = new Set(removed.map((r) => r.id));
    return { members: this.nodes.filter((node) => !gone.has(node.id)), removed };
  }

  /** Node `id`'s data directory. */
  dataDirOf(id: string): string {
    return join(resolve(this.options.dataDir), id);
  }

  /**
   * Writes the config (keeping an earlier run's cluster id, leaving out removed members), makes
   * sure every node has a peer certificate, and starts every member.
   */
  async start(): Promise<void> {
    const { members } = await this.plan();
    await this.writeConfig(members);
    for (const node of members) this.startNode(node.id);
  }

  /** Where the cluster's CA and node certificates live. */
  get certsDir(): string {
    return join(resolve(this.options.dataDir), "certs");
  }

  /**
   * Creates or reuses the CA of `clusterId` and a certificate for every node of this cluster;
   * returns the config's `peerTls` (paths with `{id}`).
   */
  async peerCertificates(clusterId: string): Promise<TlsFilePaths> {
    const ids = this.nodes.map((node) => node.id);
    return ensureNodeCertificates(this.certsDir, clusterId, { ids, hosts: [this.host] });
  }

  /** The pid of a running node, or null. */
  pid(id: string): number | null {
    return this.running.get(id)?.child.pid ?? null;
  }

  node(id: string): LocalNode {
    const node = this.nodes.find((n) => n.id === id);
    if (node === undefined) throw new RangeError(`no node ${id} in this cluster`);
    return node;
  }

  /**
   * Starts (or restarts) one node from the config file. `extraArgs` are appended to its
   * `raftkv node` command line (a later `--config` wins: tests start joining nodes that way).
   */
  startNode(id: string, extraArgs: readonly string[] = []): void {
    if (this.running.has(id)) throw new Error(`${id} is already running`);
    const controls = this.options.dashboardControls === true;
    const args = [this.options.entryPath, "node", "--config", this.configPath, "--id", id,
      "--stop-with-parent", "--log-format", this.options.logFormat ?? "json",
      ...(controls ? ["--dashboard-controls"] : []), ...extraArgs];
    // RAFTKV_NODE_FLAGS: node flags for every node process (profiling: docs/performance.md).
    const nodeFlags = (process.env.RAFTKV_NODE_FLAGS ?? "").split(" ").filter((f) => f !== "");
    const child = spawn(process.execPath, [...nodeFlags, ...args], {
      stdio: ["pipe", "pipe", "pipe", controls ? "ipc" : "ignore"], detached: true,
    });
    const { stdin, stdout, stderr } = child;
    // Always present: the first three are pipes (the typing loses that with a fourth stream).
    if (stdin === null || stdout === null || stderr === null) {
      throw new Error("spawn gave no pipes");
    }
    if (controls) {
      child.on("message", (message) => {
        if (isControlRequest(message)) this.control(child, message);
      });
    }
    const state = { expectExit: false };
    const exited = new Promise<ChildExit>((done) => {
      child.once("exit", (code, signal) => {
        this.running.delete(id);
        const info = { pid: child.pid ?? -1, code, signal, expected: state.expectExit };
        this.options.onExit?.(id, info);
        done(info);
      });
    });
    child.once("error", () => undefined);
    stdin.on("error", () => undefined);
    const entry: Running = { child, exited, state };
    for (const stream of [stdout, stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        this.options.onOutput?.(id, line);
      });
    }
    this.running.set(id, entry);
  }

  /** Carries out a dashboard control a child asked for, and answers it. */
  private control(asker: ChildProcess, request: ControlRequest): void {
    const answer = (error: string | null): void => {
      this.options.onControl?.(request, error);
      const reply: ControlMessage = { raftkv: "control-result", id: request.id, error };
      if (asker.connected) asker.send(reply);
    };
    const target = this.nodes.find((node) => node.id === request.node);
    if (target === undefined) {
      answer(`no node ${request.node} in this cluster`);
      return;
    }
    const running = this.running.get(target.id);
    if (request.action === "restart") {
      if (running !== undefined) answer(`${target.id} is already running`);
      else {
        this.startNode(target.id);
        answer(null);
      }
      return;
    }
    if (running === undefined) {
      answer(`${target.id} is not running`);
      return;
    }
    if (request.action === "stop") {
      answer(null); // before the stop: the asker may be the node that stops
      void this.kill(target.id, "SIGTERM");
      return;
    }
    const order: ControlMessage = { raftkv: "partition", isolated: request.isolated === true };
    if (running.child.connected) running.child.send(order);
    answer(running.child.connected ? null : `${target.id} has no control channel`);
  }

  /** Sends `signal` to a node and waits for it to exit. */
  async kill(id: string, signal: NodeJS.Signals = "SIGKILL"): Promise<ChildExit | null> {
    const entry = this.running.get(id);
    if (entry === undefined) return null;
    entry.state.expectExit = true;
    entry.child.kill(signal);
    return entry.exited;
  }

  /** Waits until every running node answers GET /healthz. @throws on timeout. */
  async waitReady(
    timeoutMs: number,
    ids: readonly string[] = [...this.running.keys()],
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const id of ids) {
      const url = `${this.node(id).httpUrl}/healthz`;
      for (;;) {
        if (!this.running.has(id)) throw new Error(`${id} exited before it was ready`);
        if (await answers(url)) break;
        if (Date.now() > deadline) throw new Error(`${id} was not ready within ${timeoutMs} ms`);
        await delay(READY_POLL_MS);
      }
    }
  }

  /** Stops every node: SIGTERM, then SIGKILL after `graceMs`. Resolves when all have exited. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    const entries = [...this.running.values()];
    for (const entry of entries) {
      entry.state.expectExit = true;
      entry.child.kill("SIGTERM");
    }
    const timer = setTimeout(() => {
      for (const entry of entries) entry.child.kill("SIGKILL");
    }, graceMs);
    await Promise.all(entries.map((entry) => entry.exited));
    clearTimeout(timer);
  }

  /** Kills every node at once with SIGKILL (tests; stop() is the clean way). */
  async killAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.kill(id, "SIGKILL")));
  }

  get runningIds(): string[] {
    return [...this.running.keys()].sort();
  }

  private async writeConfig(members: readonly LocalNode[]): Promise<void> {
    mkdirSync(this.options.dataDir, { recursive: true });
    let clusterId = `local-${randomBytes(4).toString("hex")}`;
    if (existsSync(this.configPath)) {
      const text = readFileSync(this.configPath, "utf8");
      const earlier = parseYaml(text) as { clusterId?: unknown } | null;
      if (typeof earlier?.clusterId === "string") clusterId = earlier.clusterId;
    }
    const config = {
      clusterId,
      members: members.map((n) => ({
        id: n.id, peer: `${this.host}:${n.peerPort}`, redis: `${this.host}:${n.redisPort}`,
        http: `${this.host}:${n.httpPort}`,
      })),
      dataDir: join(resolve(this.options.dataDir), "{id}"),
      // `peerTls: false` in `config` (raftkv cluster --insecure-peers) makes no certificates.
      peerTls: this.options.config?.["peerTls"] === false
        ? false : await this.peerCertificates(clusterId),
      ...this.options.config,
    };
    const header = "# Written by raftkv cluster; rewritten on each run (the clusterId is kept).\n";
    writeFileSync(this.configPath, header + stringifyYaml(config));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
