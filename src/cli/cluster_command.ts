/**
 * `raftkv cluster --nodes 3 --data-dir ./data`: a local cluster of node processes in one
 * command. Node i listens for Redis on 6380+i, HTTP on 8080+i and peers on 9080+i; its log
 * lines are prefixed with its id. Ctrl-C (SIGINT) or SIGTERM stops every node cleanly. A node
 * that dies is reported and the others keep serving; rerunning the command on the same data
 * directory restarts the cluster from its data.
 */
import { Command, Option } from "commander";
import { LOG_LEVELS } from "../app/config.js";
import { delay, LocalCluster, type LocalNode } from "../app/local_cluster.js";
import { ENTRY_PATH } from "./entry.js";
import { fetchStatuses } from "./status_command.js";
import { formatTable } from "./table.js";

interface ClusterFlags {
  readonly nodes: string;
  readonly dataDir: string;
  readonly host: string;
  readonly redisPortBase: string;
  readonly httpPortBase: string;
  readonly peerPortBase: string;
  readonly logLevel?: string;
  readonly logFormat?: "json" | "pretty";
  readonly insecurePeers?: boolean;
  readonly dashboardControls?: boolean;
}

const READY_TIMEOUT_MS = 20_000;

export function registerClusterCommand(program: Command): void {
  program.command("cluster")
    .description("Run a local cluster of node processes (Ctrl-C stops them all)")
    .option("-n, --nodes <count>", "number of nodes", "3")
    .option("-d, --data-dir <dir>", "data directory (one subdirectory per node)", "./data")
    .option("--host <host>", "address every node listens on", "127.0.0.1")
    .option("--redis-port-base <port>", "node i serves Redis on base+i", "6380")
    .option("--http-port-base <port>", "node i serves HTTP on base+i", "8080")
    .option("--peer-port-base <port>", "node i listens for peers on base+i", "9080")
    .addOption(new Option("--log-level <level>", "nodes' log level (env LOG_LEVEL)")
      .choices(LOG_LEVELS))
    .addOption(new Option("--log-format <format>", "default: pretty on a terminal, else json")
      .choices(["json", "pretty"]))
    .option("--insecure-peers", "plaintext, unauthenticated peer traffic instead of mutual TLS " +
      "(loopback only; for comparing the cost of TLS, never for a real cluster)")
    .option("--dashboard-controls", "buttons on every node's dashboard (http://HOST:PORT/) to " +
      "transfer leadership, stop, restart and partition nodes (a local cluster only)")
    .action(async (flags: ClusterFlags) => {
      process.exitCode = await runCluster(flags);
    });
}

function port(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0 || value > 65_535) {
    throw new RangeError(`${flag} must be a port number, got ${JSON.stringify(text)}`);
  }
  return value;
}

async function runCluster(flags: ClusterFlags): Promise<number> {
  const logLevel = flags.logLevel ?? process.env.LOG_LEVEL;
  const say = (line: string): void => { process.stdout.write(`[cluster] ${line}\n`); };
  const state = { stopping: false };
  const reported = new Set<number>();
  const cluster = new LocalCluster({
    nodes: Number(flags.nodes),
    dataDir: flags.dataDir,
    entryPath: ENTRY_PATH,
    host: flags.host,
    redisPortBase: port(flags.redisPortBase, "--redis-port-base"),
    httpPortBase: port(flags.httpPortBase, "--http-port-base"),
    peerPortBase: port(flags.peerPortBase, "--peer-port-base"),
    logFormat: flags.logFormat ?? (process.stdout.isTTY ? "pretty" : "json"),
    config: {
      ...(logLevel === undefined ? {} : { logLevel }),
      ...(flags.insecurePeers === true ? { peerTls: false } : {}),
    },
    onOutput: (id, line) => { process.stdout.write(`${id.padEnd(4)}| ${line}\n`); },
    dashboardControls: flags.dashboardControls === true,
    onControl: (request, error) => {
      const what = `${request.action}${request.action === "partition"
        ? (request.isolated === true ? " (cut)" : " (heal)") : ""} ${request.node}`;
      say(`Dashboard control: ${what}${error === null ? "" : ` refused: ${error}`}`);
    },
    onExit: (id, exit) => {
      if (exit.expected || state.stopping || reported.has(exit.pid)) return;
      reported.add(exit.pid);
      const how = exit.signal === null ? `with code ${exit.code}` : `by signal ${exit.signal}`;
      say(`${id} (pid ${exit.pid}) exited ${how}; the other nodes keep serving.`);
      say(`Restart it with: raftkv node --config ${cluster.configPath} --id ${id}`);
    },
  });
  await cluster.start();
  const allExited = new Promise<void>((done) => {
    const timer = setInterval(() => {
      if (cluster.runningIds.length === 0) {
        clearInterval(timer);
        done();
      }
    }, 200);
  });
  const stop = async (why: string): Promise<void> => {
    if (state.stopping) return;
    state.stopping = true;
    say(`${why}: stopping ${cluster.runningIds.join(", ") || "nothing"}`);
    await cluster.stop();
    say("All nodes stopped.");
  };
  process.on("SIGINT", () => { void stop("SIGINT"); });
  process.on("SIGTERM", () => { void stop("SIGTERM"); });
  try {
    await cluster.waitReady(READY_TIMEOUT_MS);
    await waitForLeader(cluster, READY_TIMEOUT_MS);
  } catch (error) {
    say(`Cluster did not start: ${(error as Error).message}`);
    await stop("Start failed");
    return 1;
  }
  if (!state.stopping) printEndpoints(cluster);
  await allExited;
  return state.stopping ? 0 : 1;
}

/** Ready means writable: wait until some node is leader. @throws after `timeoutMs`. */
async function waitForLeader(cluster: LocalCluster, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const statuses = await fetchStatuses(cluster.nodes.map((node) => node.httpUrl));
    if (statuses.some((s) => s.status?.role === "leader")) return;
    await delay(50);
  }
  throw new Error(`no leader was elected within ${timeoutMs} ms`);
}

function printEndpoints(cluster: LocalCluster): void {
  const rows = cluster.nodes.map((node: LocalNode) => [
    node.id, String(cluster.pid(node.id) ?? "-"), `redis-cli -p ${node.redisPort}`,
    `${node.httpUrl}/v1/kv/KEY`, String(node.peerPort), `${node.httpUrl}/`,
  ]);
  const first = cluster.nodes[0];
  const last = cluster.nodes.at(-1);
  const lines = [
    "",
    formatTable(["node", "pid", "redis", "http", "peer port", "dashboard"], rows),
    "",
    `Config: ${cluster.configPath}`,
    first === undefined || last === undefined ? "" :
      `Try: redis-cli -p ${first.redisPort} SET k v && redis-cli -p ${last.redisPort} GET k`,
    "     raftkv status    (Ctrl-C stops every node)",
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");
}
