/**
 * `raftkv bench` (`npm run bench`): redis-benchmark against a fresh local cluster (fsync on:
 * every acknowledged write is on a majority's disks), SET and GET with 256-byte values from 64
 * clients, without and with 16-deep pipelines; and, when `redis-server` is installed, the same
 * against Redis with `appendfsync always` as a baseline. Prints ops/s and p50/p99 latency.
 * Benchmarks report numbers; they assert nothing (STYLE.md rule 15).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Command } from "commander";
import { delay, LocalCluster } from "../app/local_cluster.js";
import { ENTRY_PATH } from "./entry.js";
import { fetchStatuses } from "./status_command.js";
import { formatTable } from "./table.js";

const run = promisify(execFile);

interface BenchFlags {
  readonly requests: string;
  readonly clients: string;
  readonly valueBytes: string;
  readonly nodes: string;
  readonly portBase: string;
  readonly baseline: boolean;
}

export interface BenchRow {
  readonly target: string;
  readonly test: "SET" | "GET";
  readonly pipeline: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Why the run failed (then the numbers are NaN). */
  readonly error: string | null;
}

export function registerBenchCommand(program: Command): void {
  program.command("bench")
    .description("Run redis-benchmark against a fresh local cluster " +
      "(and redis-server with appendfsync always, if installed)")
    .option("-n, --requests <count>", "requests per test", "100000")
    .option("-c, --clients <count>", "concurrent clients", "64")
    .option("-d, --value-bytes <bytes>", "value size", "256")
    .option("--nodes <count>", "cluster size", "3")
    .option("--port-base <port>", "ports: redis base+i, http base+100+i, peers base+200+i", "16300")
    .option("--no-baseline", "skip the redis-server baseline")
    .action(async (flags: BenchFlags) => {
      const rows = await runBench(flags);
      process.stdout.write(`\n${formatBenchTable(rows)}\n`);
    });
}

async function runBench(flags: BenchFlags): Promise<BenchRow[]> {
  const base = Number(flags.portBase);
  const dir = mkdtempSync(join(tmpdir(), "raftkv-bench-"));
  const rows: BenchRow[] = [];
  const cluster = new LocalCluster({
    nodes: Number(flags.nodes), dataDir: join(dir, "raftkv"), entryPath: ENTRY_PATH,
    redisPortBase: base, httpPortBase: base + 100, peerPortBase: base + 200,
    config: { logLevel: "warn" },
    onOutput: (id, line) => { process.stderr.write(`${id} | ${line}\n`); },
  });
  try {
    await cluster.start();
    await cluster.waitReady(30_000);
    const leader = await findLeader(cluster);
    const target = `raftkv ${cluster.nodes.length} nodes`;
    process.stderr.write(`${target}: benchmarking the leader ${leader}\n`);
    rows.push(...await benchTarget(target, cluster.node(leader).redisPort, flags));
  } finally {
    await cluster.stop();
  }
  if (flags.baseline) rows.push(...await benchRedisServer(join(dir, "redis"), base + 300, flags));
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

async function findLeader(cluster: LocalCluster): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const statuses = await fetchStatuses(cluster.nodes.map((n) => n.httpUrl));
    const leader = statuses.find((s) => s.status?.role === "leader")?.status?.id;
    if (leader !== undefined) return leader;
    await delay(100);
  }
  throw new Error("no leader elected within 20 s");
}

async function benchTarget(target: string, port: number, flags: BenchFlags): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const pipeline of [1, 16]) {
    for (const test of ["SET", "GET"] as const) {
      const args = ["-p", String(port), "-t", test.toLowerCase(), "-n", flags.requests,
        "-c", flags.clients, "-d", flags.valueBytes, "-r", "100000", "-P", String(pipeline),
        "--csv"];
      process.stderr.write(`${target}: redis-benchmark ${args.join(" ")}\n`);
      try {
        const options = { timeout: 600_000, maxBuffer: 1 << 20 };
        const { stdout } = await run("redis-benchmark", args, options);
        rows.push({ target, test, pipeline, ...parseCsv(stdout), error: null });
      } catch (error) {
        // redis-benchmark stops at the first error reply (e.g. TRYAGAIN during an election).
        const text = `${(error as { stdout?: string }).stdout ?? ""}${(error as Error).message}`;
        const reason = /Error from server: (.*)/.exec(text)?.[1]
          ?? (error as Error).message.split("\n")[0] ?? "";
        process.stderr.write(`${target}: ${test} -P ${pipeline} failed: ${reason}\n`);
        rows.push({
          target, test, pipeline, opsPerSec: NaN, p50Ms: NaN, p99Ms: NaN, error: reason,
        });
      }
    }
  }
  return rows;
}

/** redis-benchmark --csv: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",... */
export function parseCsv(text: string): { opsPerSec: number; p50Ms: number; p99Ms: number } {
  const lines = text.trim().split("\n")
    .map((line) => line.split(",").map((cell) => cell.replace(/"/g, "")));
  const header = lines[0] ?? [];
  const data = lines[1] ?? [];
  const column = (name: string): number => Number(data[header.indexOf(name)]);
  const row = {
    opsPerSec: column("rps"), p50Ms: column("p50_latency_ms"), p99Ms: column("p99_latency_ms"),
  };
  if (Object.values(row).some((v) => !Number.isFinite(v))) {
    throw new Error(`unexpected redis-benchmark output: ${text}`);
  }
  return row;
}

async function benchRedisServer(dir: string, port: number, flags: BenchFlags): Promise<BenchRow[]> {
  try {
    await run("redis-server", ["--version"]);
  } catch {
    process.stderr.write(
      "redis-server is not installed: no baseline (apt-get install redis-server)\n");
    return [];
  }
  mkdirSync(dir, { recursive: true });
  const server: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1",
    "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
  { stdio: "ignore" });
  try {
    await delay(500);
    return await benchTarget("redis-server appendfsync always", port, flags);
  } finally {
    server.kill("SIGTERM");
    await new Promise((done) => server.once("exit", done));
  }
}

export function formatBenchTable(rows: readonly BenchRow[]): string {
  const baseline = (row: BenchRow): BenchRow | undefined => rows.find((r) =>
    r.target.startsWith("redis-server") && r.test === row.test && r.pipeline === row.pipeline);
  const body = rows.map((row) => {
    const base = baseline(row);
    const ratio = base === undefined || base === row || base.error !== null
      ? ""
      : `${(row.opsPerSec / base.opsPerSec).toFixed(2)}x`;
    const pipelined = row.pipeline === 1 ? "no" : `-P ${row.pipeline}`;
    if (row.error !== null) return [row.target, row.test, pipelined, "failed", "-", "-", row.error];
    return [row.target, row.test, pipelined,
      Math.round(row.opsPerSec).toLocaleString("en-US"), row.p50Ms.toFixed(3),
      row.p99Ms.toFixed(3), ratio];
  });
  return formatTable(["target", "test", "pipeline", "ops/s", "p50 ms", "p99 ms", "vs redis"], body);
}
