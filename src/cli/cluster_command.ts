/**
 * `raftkv cluster --nodes 3 --data-dir ./data`: a local cluster of node processes in one
 * command. Node i listens for Redis on 6380+i, HTTP on 8080+i and peers on 9080+i; its log
 * lines are prefixed with its id. Ctrl-C (SIGINT) or SIGTERM stops every node cleanly.
 *
 * Flags are checked first (one line and exit 1 for a bad one), then every port (all taken ones
 * named at once) before any node starts. A node that fails to start (a corrupt WAL, a port taken
 * meanwhile) is reported with its last words while the others serve, if they are a majority; a
 * node that dies later is reported with what still serves. Rerunning the command on the same
 * data directory restarts the cluster from its data, with the membership it last ran with: a
 * node removed from the cluster is not started again.
 */
import { Command, Option } from "commander";
import { LOG_LEVELS } from "../app/config.js";
import { delay, LocalCluster, type LocalClusterOptions, type LocalNode } from "../app/local_cluster.js";
import { unavailablePorts } from "../app/port_check.js";
import { readDataDirIdentity } from "../app/data_dir_identity.js";
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
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 0 || value > 65_535) {
    throw new RangeError(`${flag} must be a port number, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Builds the cluster from the flags. @throws RangeError with a one-line message. */
function clusterFrom(
  flags: ClusterFlags, hooks: Pick<LocalClusterOptions, "onOutput" | "onExit" | "onControl">,
): LocalCluster {
  const logLevel = flags.logLevel ?? process.env.LOG_LEVEL;
  const nodes = Number(flags.nodes);
  if (!/^\d+$/.test(flags.nodes.trim())) {
    throw new RangeError(`--nodes must be an integer from 1 to 64, got ${JSON.stringify(flags.nodes)}`);
  }
  if (flags.dataDir.trim() === "") throw new RangeError("--data-dir must not be empty");
  return new LocalCluster({
    nodes,
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
    dashboardControls: flags.dashboardControls === true,
    ...hooks,
  });
}

/** How many members must run for the cluster to elect a leader and take writes. */
function majorityOf(members: number): number {
  return Math.floor(members / 2) + 1;
}

/** "n1, n3 keep serving (2 of 3, a majority)" or why the cluster cannot serve. */
function servingSummary(running: readonly string[], members: number): string {
  if (running.length === 0) return "no node is running: the cluster is down.";
  const list = running.join(", ");
  if (running.length >= majorityOf(members)) {
    return `${list} keep serving (${running.length} of ${members}, a majority).`;
  }
  return `only ${list} ${running.length === 1 ? "is" : "are"} running: ${running.length} of ${members}`
    + ` is no majority, so the cluster cannot elect a leader or take writes.`;
}

const TAIL_LINES = 3;

async function runCluster(flags: ClusterFlags): Promise<number> {
  const say = (line: string): void => { process.stdout.write(`[cluster] ${line}\n`); };
  const state = { stopping: false, members: 0 };
  const reported = new Set<number>();
  const tails = new Map<string, string[]>();
  let cluster: LocalCluster;
  try {
    cluster = clusterFrom(flags, {
      onControl: (request, error) => {
        const what = `${request.action}${request.action === "partition"
          ? (request.isolated === true ? " (cut)" : " (heal)") : ""} ${request.node}`;
        say(`Dashboard control: ${what}${error === null ? "" : ` refused: ${error}`}`);
      },
      onOutput: (id, line) => {
        process.stdout.write(`${id.padEnd(4)}| ${line}\n`);
        const tail = tails.get(id) ?? [];
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        tails.set(id, tail);
      },
      onExit: (id, exit) => {
        if (exit.expected || state.stopping || reported.has(exit.pid)) return;
        reported.add(exit.pid);
        const how = exit.signal === null ? `with code ${exit.code}` : `by signal ${exit.signal}`;
        void readDataDirIdentity(cluster.dataDirOf(id)).then((identity) => {
          if (identity?.removedAtIndex !== undefined) {
            state.members--;
            say(`${id} (pid ${exit.pid}) exited ${how}: it was removed from the cluster; `
              + servingSummary(cluster.runningIds, state.members));
            return;
          }
          say(`${id} (pid ${exit.pid}) exited ${how}; ${servingSummary(cluster.runningIds, state.members)}`);
          say(`Restart it with: raftkv node --config ${cluster.configPath} --id ${id}`);
        });
      },
    });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    process.stderr.write(`raftkv cluster: ${error.message}\n`);
    return 1;
  }
  const plan = await cluster.plan();
  for (const gone of plan.removed) {
    say(`${gone.id} was removed from the cluster (configuration at index ${gone.index}): not starting it.`);
  }
  state.members = plan.members.length;
  if (plan.members.length === 0) {
    process.stderr.write("raftkv cluster: every node was removed from this cluster; nothing to start\n");
    return 1;
  }
  const taken = await unavailablePorts(flags.host,
    plan.members.flatMap((n) => [n.redisPort, n.httpPort, n.peerPort]));
  if (taken.length > 0) {
    const list = taken.map((p) => `${p.port} ${p.reason}`).join(", ");
    process.stderr.write(`raftkv cluster: cannot listen on ${flags.host}: ${list}; `
      + "stop what uses them or pick other --*-port-base values\n");
    return 1;
  }
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
  const failed = await startFailures(cluster, plan.members.map((n) => n.id), tails);
  for (const failure of failed) say(`${failure.id} failed to start: ${failure.why}`);
  const up = cluster.runningIds;
  if (up.length < majorityOf(plan.members.length)) {
    say(`Cluster did not start: ${servingSummary(up, plan.members.length)}`);
    await stop("Start failed");
    return 1;
  }
  try {
    await waitForLeader(cluster, READY_TIMEOUT_MS);
  } catch (error) {
    say(`Cluster did not start: ${(error as Error).message}`);
    await stop("Start failed");
    return 1;
  }
  if (failed.length > 0) say(servingSummary(up, plan.members.length));
  if (!state.stopping) printEndpoints(cluster);
  await allExited;
  if (!state.stopping) say("Every node has exited.");
  return state.stopping ? 0 : 1;
}

/**
 * Waits for every node to answer /healthz; returns the ones that did not (exited, or not ready
 * in time), each with its last output lines as the reason. A node that is not ready in time
 * is stopped, so what runs is what serves.
 */
async function startFailures(
  cluster: LocalCluster,
  ids: readonly string[],
  tails: ReadonlyMap<string, readonly string[]>,
): Promise<{ id: string; why: string }[]> {
  const results = await Promise.allSettled(ids.map((id) => cluster.waitReady(READY_TIMEOUT_MS, [id])));
  const failed: { id: string; why: string }[] = [];
  for (const [i, result] of results.entries()) {
    const id = ids[i] ?? "";
    if (result.status === "fulfilled") continue;
    await cluster.kill(id, "SIGTERM");
    const tail = (tails.get(id) ?? []).map(lastMessage).join(" | ");
    failed.push({ id, why: `${(result.reason as Error).message}${tail === "" ? "" : `: ${tail}`}` });
  }
  return failed;
}

/** The message of a JSON log line, or the line itself. */
function lastMessage(line: string): string {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === "string" ? parsed.msg : line;
  } catch {
    return line;
  }
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
