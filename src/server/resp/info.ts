/**
 * The text of INFO: Redis's `# Section` blocks of `field:value` lines, with the sections clients
 * rely on (ioredis reads `loading` from `persistence`; redis-cli reads `redis_version`) and a
 * `raft` section with this node's role, term, leader, commit and applied indexes and, on the
 * leader, each peer's replication progress.
 */
import { argText, type CommandContext } from "./command_context.js";
import { REDIS_COMPAT_VERSION } from "./commands_connection.js";
import { displayRole } from "../kv_service.js";

/** raftkv's own version, reported beside the Redis version it follows. */
export const RAFTKV_VERSION = "0.1.0";

type Section = (context: CommandContext) => Promise<string[]> | string[];

function serverSection({ server }: CommandContext): string[] {
  const uptimeSeconds = Math.floor((Date.now() - server.startedAtMs) / 1000);
  return [
    `redis_version:${REDIS_COMPAT_VERSION}`,
    `raftkv_version:${RAFTKV_VERSION}`,
    "redis_mode:standalone",
    `os:${process.platform} ${process.arch}`,
    `process_id:${process.pid}`,
    `tcp_port:${server.port()}`,
    `uptime_in_seconds:${uptimeSeconds}`,
    `uptime_in_days:${Math.floor(uptimeSeconds / 86400)}`,
  ];
}

function clientsSection({ server }: CommandContext): string[] {
  return [
    `connected_clients:${server.clients().length}`,
    `maxclients:${server.clientsMax}`,
    "blocked_clients:0",
  ];
}

function statsSection({ server }: CommandContext): string[] {
  return [
    `total_connections_received:${server.stats.connectionsReceived}`,
    `total_commands_processed:${server.stats.commandsProcessed}`,
    `rejected_connections:${server.stats.rejectedConnections}`,
  ];
}

function replicationSection({ service }: CommandContext): string[] {
  return [`role:${service.status().role === "leader" ? "master" : "slave"}`];
}

function raftSection({ service }: CommandContext): string[] {
  const status = service.status();
  const lines = [
    `raft_node_id:${status.id}`,
    `raft_role:${displayRole(status)}`,
    `raft_term:${status.term}`,
    `raft_leader_id:${status.leaderId ?? ""}`,
    `raft_commit_index:${status.commit}`,
    `raft_applied_index:${status.applied}`,
    `raft_last_index:${status.lastIndex}`,
  ];
  for (const [peer, progress] of status.progress ?? []) {
    lines.push(`raft_peer_${peer}:match=${progress.match},next=${progress.next},` +
      `lag=${Math.max(0, status.lastIndex - progress.match)},state=${progress.state},` +
      `active=${progress.recentActive ? 1 : 0}`);
  }
  return lines;
}

/**
 * The key count needs a linearizable read, which waits while there is no leader; INFO must not
 * (ioredis sends it on every connect), so the line is left out when the count takes longer than
 * `keyspaceWaitMsMax` or fails.
 */
const keyspaceWaitMsMax = 250;

async function keyspaceSection({ service }: CommandContext): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const tooSlow = new Promise<null>((resolve) => {
    timer = setTimeout(() => { resolve(null); }, keyspaceWaitMsMax);
  });
  try {
    const keys = await Promise.race([service.dbSize(), tooSlow]);
    return keys === null ? [] : [`db0:keys=${keys},expires=0,avg_ttl=0`];
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}

const sections: Readonly<Record<string, Section>> = {
  server: serverSection,
  clients: clientsSection,
  persistence: () => ["loading:0"],
  stats: statsSection,
  replication: replicationSection,
  raft: raftSection,
  keyspace: keyspaceSection,
};

function titleOf(name: string): string {
  return name === "raft" ? "Raft" : name.charAt(0).toUpperCase() + name.slice(1);
}

/** INFO [section ...]: no section, "default", "all" or "everything" means every section. */
export async function infoText(context: CommandContext, args: readonly Buffer[]): Promise<string> {
  const asked = args.slice(1).map((arg) => argText(arg).toLowerCase());
  const every = asked.length === 0 ||
    asked.some((name) => ["all", "default", "everything"].includes(name));
  const names = Object.keys(sections).filter((name) => every || asked.includes(name));
  const blocks: string[] = [];
  for (const name of names) {
    const section = sections[name];
    if (section === undefined) continue;
    const lines = await section(context);
    blocks.push([`# ${titleOf(name)}`, ...lines].join("\r\n") + "\r\n");
  }
  return blocks.join("\r\n");
}
