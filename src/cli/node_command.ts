/**
 * `raftkv node --config raftkv.yaml`: runs one node of a cluster until SIGINT/SIGTERM.
 *
 * SIGHUP reloads the peer certificates and CA (they are also reloaded when their files change).
 *
 * A node removed from the cluster answers clients with "removed" (HTTP 410, RESP -ERR) and exits
 * (code 0) after --removed-grace-ms, unless --stay-when-removed.
 *
 * Exit codes: 0 stopped cleanly (or removed from the cluster); 78 invalid configuration, an
 * unusable certificate, key or CA, or a data directory of another cluster or node (EX_CONFIG);
 * 74 storage cannot be trusted or the disk failed (EX_IOERR), with the storage's advice to the
 * operator; 1 any other failure to start or a fatal runtime error.
 */
import { Command, Option } from "commander";
import { InvalidConfigError, LOG_LEVELS, loadConfigFile, overridesFromEnv } from "../app/config.js";
import { createLogger, parseLogFormat, type Logger } from "../app/logger.js";
import { startNodeServer, type RunningNodeServer } from "../app/node_server.js";
import { CertificateError } from "../app/certs/index.js";
import { DataDirMismatchError } from "../app/data_dir_identity.js";
import { ConfigError } from "../core/index.js";
import { DiskFailedError, SnapshotCorruptError, WalCorruptError } from "../storage/index.js";

export const EXIT_CONFIG = 78;
export const EXIT_STORAGE = 74;

interface NodeFlags {
  readonly config: string;
  readonly id?: string;
  readonly clusterId?: string;
  readonly dataDir?: string;
  readonly logLevel?: string;
  readonly logFormat?: string;
  readonly stopWithParent?: boolean;
  readonly join?: boolean;
  readonly insecurePeers?: boolean;
  readonly dashboardControls?: boolean;
  readonly stayWhenRemoved?: boolean;
  readonly removedGraceMs?: string;
}

/** How long a removed node keeps answering "removed" before it exits (unless told to stay). */
export const REMOVED_GRACE_MS_DEFAULT = 30_000;

export function registerNodeCommand(program: Command): void {
  program.command("node")
    .description("Run one node of a raftkv cluster from a config file")
    .requiredOption("-c, --config <file>", "YAML config file (see examples/raftkv.yaml)")
    .option("--id <id>", "this node's id, one of the config's members (env RAFTKV_NODE_ID)")
    .option("--cluster-id <id>",
      "cluster id; peers with another one are refused (env RAFTKV_CLUSTER_ID)")
    .option("--data-dir <dir>",
      "data directory; {id} is replaced by the node id (env RAFTKV_DATA_DIR)")
    .option("--join", "join the running cluster of the config's members instead of founding " +
      "one; add this node on the leader with raftkv member add (env RAFTKV_JOIN)")
    .option("--insecure-peers", "plaintext, unauthenticated peer traffic instead of mutual TLS: " +
      "loopback addresses only (env RAFTKV_INSECURE_PEERS; config peerTls: false)")
    .addOption(new Option("--log-level <level>", "log level (env LOG_LEVEL)").choices(LOG_LEVELS))
    .addOption(new Option("--log-format <format>", "default: pretty on a terminal, else json")
      .choices(["json", "pretty"]))
    .option("--stay-when-removed", "keep running (answering 410 / -ERR removed) after this node "
      + "is removed from the cluster, instead of exiting after --removed-grace-ms")
    .option("--removed-grace-ms <ms>", "how long a removed node answers 'removed' before it "
      + `exits (env RAFTKV_REMOVED_GRACE_MS; default ${REMOVED_GRACE_MS_DEFAULT})`)
    .addOption(new Option("--stop-with-parent", "stop when stdin closes (used by raftkv cluster)")
      .hideHelp())
    .addOption(new Option("--dashboard-controls",
      "dashboard buttons that ask the parent raftkv cluster to stop, restart and partition " +
      "nodes (set by raftkv cluster --dashboard-controls; refused without it)").hideHelp())
    .action(async (flags: NodeFlags) => {
      // Exit explicitly: with --stop-with-parent, stdin would keep the process alive.
      process.exit(await runNode(flags));
    });
}

async function runNode(flags: NodeFlags): Promise<number> {
  const graceText = flags.removedGraceMs ?? process.env.RAFTKV_REMOVED_GRACE_MS;
  const graceMs = Number(graceText ?? REMOVED_GRACE_MS_DEFAULT);
  if (!Number.isSafeInteger(graceMs) || graceMs < 0) {
    console.error(`--removed-grace-ms must be a non-negative integer, got ${String(graceText)}`);
    return EXIT_CONFIG;
  }
  let config;
  try {
    config = loadConfigFile(flags.config, overridesFromEnv({
      nodeId: flags.id, clusterId: flags.clusterId, dataDir: flags.dataDir,
      logLevel: flags.logLevel, join: flags.join, insecurePeers: flags.insecurePeers,
    }));
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    console.error(error.message);
    return EXIT_CONFIG;
  }
  const logger = createLogger({
    level: config.logLevel, format: parseLogFormat(flags.logFormat), base: { node: config.nodeId },
  });
  let server: RunningNodeServer;
  try {
    server = await startNodeServer(config, logger,
      { dashboardControls: flags.dashboardControls === true });
  } catch (error) {
    return reportStartFailure(error, logger);
  }
  logger.info({
    cluster: config.clusterId, dataDir: config.dataDir, peer: config.self.peer,
    redis: server.resp.port, http: server.http.port,
  }, `Node ${config.nodeId} serving Redis on ${config.self.redis.host}:${server.resp.port}, ` +
    `HTTP on ${config.self.http.host}:${server.http.port}`);
  return waitForEnd(server, logger, {
    stopWithParent: flags.stopWithParent === true,
    removedGraceMs: flags.stayWhenRemoved === true ? null : graceMs,
  });
}

function reportStartFailure(error: unknown, logger: Logger): number {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof WalCorruptError || error instanceof SnapshotCorruptError) {
    logger.fatal({ code: error.code, file: error.file }, message);
    console.error(message);
    return EXIT_STORAGE;
  }
  if (error instanceof DiskFailedError) {
    logger.fatal({ code: error.code }, message);
    console.error(message);
    return EXIT_STORAGE;
  }
  if (error instanceof ConfigError) {
    console.error(message);
    return EXIT_CONFIG;
  }
  if (error instanceof DataDirMismatchError) {
    logger.fatal({ code: error.code, dataDir: error.dir }, message);
    console.error(message);
    return EXIT_CONFIG;
  }
  if (error instanceof CertificateError) {
    logger.fatal({ code: error.code, file: error.file }, `Cannot start: ${message}`);
    console.error(`Cannot start: ${message}`);
    return EXIT_CONFIG;
  }
  logger.fatal({ err: error }, `Cannot start: ${message}`);
  console.error(`Cannot start: ${message}`);
  return 1;
}

/** Runs until a signal (exit 0 after a clean stop) or a fatal node error (exit 1 or 74). */
function waitForEnd(
  server: RunningNodeServer,
  logger: Logger,
  options: { readonly stopWithParent: boolean; readonly removedGraceMs: number | null },
): Promise<number> {
  const { stopWithParent, removedGraceMs } = options;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (why: string, code: number): void => {
      if (stopping) {
        logger.warn(`${why} again: exiting without waiting`);
        process.exit(code === 0 ? 130 : code);
      }
      stopping = true;
      logger.info(`${why}: stopping`);
      server.stop().then(() => {
        logger.info("Stopped");
        resolve(code);
      }, (error: unknown) => {
        logger.error({ err: error }, "Failed to stop cleanly");
        resolve(1);
      });
    };
    process.on("SIGINT", () => { stop("SIGINT", 0); });
    process.on("SIGTERM", () => { stop("SIGTERM", 0); });
    process.on("SIGHUP", () => { server.reloadCertificates("SIGHUP"); });
    if (stopWithParent) {
      process.stdin.on("end", () => { stop("Parent went away", 0); });
      process.stdin.on("error", () => { stop("Parent went away", 0); });
      process.stdin.resume();
    }
    void server.removed.then((index) => {
      if (removedGraceMs === null) {
        logger.info({ index }, "Removed from the cluster; staying up (--stay-when-removed)");
        return;
      }
      logger.info({ index }, `Removed from the cluster; exiting in ${removedGraceMs} ms `
        + "(--stay-when-removed keeps it running)");
      setTimeout(() => { stop("Removed from the cluster", 0); }, removedGraceMs).unref();
    });
    void server.failed.then((error) => {
      console.error(`raftkv node failed: ${error.message}`);
      stop("Fatal error", error instanceof DiskFailedError ? EXIT_STORAGE : 1);
    });
  });
}
