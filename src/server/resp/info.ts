/**
 * The text of INFO: Redis's `# Section` blocks of `field:value` lines, with the sections and
 * fields clients and libraries read (ioredis reads `loading`; BullMQ `redis_version` and
 * `maxmemory_policy`; redis-cli `redis_version`) and a `raft` section with this node's role,
 * term, leader, commit and applied indexes and, on the leader, each peer's progress.
 *
 * Sections as in Redis 7: no argument or "default" gives the default ones (here with `raft`),
 * "all" adds commandstats, "everything" too; named sections (any case, several allowed) give
 * those; an unknown name gives nothing. Memory figures are the store's estimate of its keys and
 * values (what its memory limit counts), not allocator bytes.
 */
import { randomBytes } from "node:crypto";
import { arch, release, totalmem, type } from "node:os";
import type { CommandContext } from "./command_context.js";
import { argText } from "./command_context.js";
import { REDIS_COMPAT_VERSION } from "./commands_connection.js";
import { displayRole } from "../kv_service.js";

/** raftkv's own version, reported beside the Redis version it follows. */
export const RAFTKV_VERSION = "0.1.0";

/** Redis's run_id: random per process start. */
const RUN_ID = randomBytes(20).toString("hex");

type Section = (context: CommandContext) => string[];

/** Redis's bytesToHuman: 1023B, 1.00K, 2.50M, ... */
export function bytesToHuman(bytes: number): string {
  const units = ["K", "M", "G", "T", "P"];
  if (bytes < 1024) return `${bytes}B`;
  let value = bytes / 1024;
  for (const unit of units) {
    if (value < 1024 || unit === "P") return `${value.toFixed(2)}${unit}`;
    value /= 1024;
  }
  return `${bytes}B`;
}

function serverSection({ server }: CommandContext): string[] {
  const nowMs = Date.now();
  const uptimeSeconds = Math.floor((nowMs - server.startedAtMs) / 1000);
  return [
    `redis_version:${REDIS_COMPAT_VERSION}`, "redis_git_sha1:00000000", "redis_git_dirty:0",
    "redis_build_id:0", "redis_mode:standalone", `raftkv_version:${RAFTKV_VERSION}`,
    `os:${type()} ${release()} ${arch()}`, `arch_bits:${process.arch.endsWith("64") ? 64 : 32}`,
    "multiplexing_api:libuv", `process_id:${process.pid}`, "process_supervised:no",
    `run_id:${RUN_ID}`, `tcp_port:${server.port()}`, `server_time_usec:${nowMs * 1000}`,
    `uptime_in_seconds:${uptimeSeconds}`, `uptime_in_days:${Math.floor(uptimeSeconds / 86400)}`,
    "hz:10", "configured_hz:10", `executable:${process.argv[1] ?? ""}`, "config_file:",
    "io_threads_active:0",
  ];
}

function clientsSection({ server }: CommandContext): string[] {
  return [
    `connected_clients:${server.clients().length}`, "cluster_connections:0",
    `maxclients:${server.clientsMax}`, "client_recent_max_input_buffer:0",
    "client_recent_max_output_buffer:0", "blocked_clients:0", "tracking_clients:0",
    "clients_in_timeout_table:0",
  ];
}

let peakBytes = 0;

function memorySection({ service }: CommandContext): string[] {
  const info = service.keyspaceInfo?.();
  const used = info?.usedBytes ?? 0;
  peakBytes = Math.max(peakBytes, used);
  const rss = process.memoryUsage().rss;
  const max = info?.maxBytes ?? 0;
  return [
    `used_memory:${used}`, `used_memory_human:${bytesToHuman(used)}`,
    `used_memory_rss:${rss}`, `used_memory_rss_human:${bytesToHuman(rss)}`,
    `used_memory_peak:${peakBytes}`, `used_memory_peak_human:${bytesToHuman(peakBytes)}`,
    `used_memory_dataset:${used}`, `total_system_memory:${totalmem()}`,
    `total_system_memory_human:${bytesToHuman(totalmem())}`,
    `maxmemory:${max}`, `maxmemory_human:${bytesToHuman(max)}`, "maxmemory_policy:noeviction",
    `mem_fragmentation_ratio:${used === 0 ? "0.00" : (rss / used).toFixed(2)}`,
    "mem_allocator:v8", "lazyfree_pending_objects:0",
  ];
}

function persistenceSection({ server }: CommandContext): string[] {
  return [
    "loading:0", "async_loading:0", "current_cow_peak:0", "rdb_changes_since_last_save:0",
    "rdb_bgsave_in_progress:0", `rdb_last_save_time:${Math.floor(server.lastSaveMs / 1000)}`,
    "rdb_last_bgsave_status:ok", "aof_enabled:0", "aof_rewrite_in_progress:0",
    "aof_last_write_status:ok",
  ];
}

function statsSection({ server }: CommandContext): string[] {
  let errors = 0;
  for (const stat of server.commandStats.values()) errors += stat.failedCalls + stat.rejectedCalls;
  return [
    `total_connections_received:${server.stats.connectionsReceived}`,
    `total_commands_processed:${server.stats.commandsProcessed}`,
    "instantaneous_ops_per_sec:0", `rejected_connections:${server.stats.rejectedConnections}`,
    "expired_keys:0", "evicted_keys:0", "keyspace_hits:0", "keyspace_misses:0",
    "pubsub_channels:0", "pubsub_patterns:0", `total_error_replies:${errors}`,
  ];
}

function replicationSection({ service }: CommandContext): string[] {
  const status = service.status();
  if (status.role === "leader") {
    const replicas = status.progress === null ? 0 : [...status.progress].length;
    return ["role:master", `connected_slaves:${replicas}`];
  }
  return ["role:slave", `master_link_status:${status.leaderId === null ? "down" : "up"}`,
    "connected_slaves:0"];
}

function cpuSection(): string[] {
  const usage = process.cpuUsage();
  return [
    `used_cpu_sys:${(usage.system / 1e6).toFixed(6)}`, `used_cpu_user:${(usage.user / 1e6).toFixed(6)}`,
    "used_cpu_sys_children:0.000000", "used_cpu_user_children:0.000000",
  ];
}

function commandStatsSection({ server }: CommandContext): string[] {
  return [...server.commandStats].map(([name, s]) => `cmdstat_${name}:calls=${s.calls},` +
    `usec=${s.usec},usec_per_call=${(s.calls === 0 ? 0 : s.usec / s.calls).toFixed(2)},` +
    `rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`);
}

function keyspaceSection({ service }: CommandContext): string[] {
  return (service.keyspaceInfo?.().dbs ?? [])
    .map((db) => `db${db.db}:keys=${db.keys},expires=${db.expires},avg_ttl=0`);
}

function raftSection({ service }: CommandContext): string[] {
  const status = service.status();
  const lines = [
    `raft_node_id:${status.id}`, `raft_role:${displayRole(status)}`, `raft_term:${status.term}`,
    `raft_leader_id:${status.leaderId ?? ""}`, `raft_commit_index:${status.commit}`,
    `raft_applied_index:${status.applied}`, `raft_last_index:${status.lastIndex}`,
  ];
  for (const [peer, progress] of status.progress ?? []) {
    lines.push(`raft_peer_${peer}:match=${progress.match},next=${progress.next},` +
      `lag=${Math.max(0, status.lastIndex - progress.match)},state=${progress.state},` +
      `active=${progress.recentActive ? 1 : 0}`);
  }
  return lines;
}

/** Every section in output order, with whether INFO / INFO default includes it. */
const SECTIONS: readonly (readonly [name: string, title: string, inDefault: boolean, Section])[] = [
  ["server", "Server", true, serverSection],
  ["clients", "Clients", true, clientsSection],
  ["memory", "Memory", true, memorySection],
  ["persistence", "Persistence", true, persistenceSection],
  ["stats", "Stats", true, statsSection],
  ["replication", "Replication", true, replicationSection],
  ["cpu", "CPU", true, cpuSection],
  ["modules", "Modules", true, () => []],
  ["commandstats", "Commandstats", false, commandStatsSection],
  ["cluster", "Cluster", true, () => ["cluster_enabled:0"]],
  ["keyspace", "Keyspace", true, keyspaceSection],
  ["raft", "Raft", true, raftSection],
];

/** INFO [section ...] */
export function infoText(context: CommandContext, args: readonly Buffer[]): string {
  const asked = new Set(args.slice(1).map((arg) => argText(arg).toLowerCase()));
  const every = asked.has("all") || asked.has("everything");
  const defaults = asked.size === 0 || asked.has("default");
  const blocks: string[] = [];
  for (const [name, title, inDefault, section] of SECTIONS) {
    if (!(every || (defaults && inDefault) || asked.has(name))) continue;
    blocks.push([`# ${title}`, ...section(context)].join("\r\n") + "\r\n");
  }
  return blocks.join("\r\n");
}
