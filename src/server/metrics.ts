/**
 * The Prometheus metrics of a raftkv node, registered on a `Registry` the caller owns and served
 * at `GET /metrics`. The node runtime updates the counters and histograms as things happen; the
 * gauges that mirror `status()` (term, role, commit and applied indexes) refresh themselves on
 * each scrape when a status source is given, so the runtime need not push them.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { RoleName } from "../core/index.js";
import type { TransportStats } from "../node/index.js";
import type { RaftStatusView } from "./kv_service.js";

/** How a proposal ended, the `result` label of `raft_proposals_total`. */
export type ProposalResult = "committed" | "dropped" | "not_leader" | "unknown";

const roles: readonly RoleName[] = ["follower", "pre-candidate", "candidate", "leader"];

export interface RaftMetrics {
  readonly term: Gauge;
  /** 1 for the node's current role, 0 for the others. */
  readonly role: Gauge<"role">;
  readonly commitIndex: Gauge;
  readonly appliedIndex: Gauge;
  readonly elections: Counter;
  readonly proposals: Counter<"result">;
  readonly commitLatencySeconds: Histogram;
  readonly walFsyncSeconds: Histogram;
  readonly peerBytesSent: Counter<"peer">;
  /** Committed entries that could not be decoded and were applied as no-ops (entry_applier.ts). */
  readonly applyErrors: Counter;
}

export interface RaftMetricsOptions {
  /** When given, the status gauges are read from it at each scrape. */
  readonly status?: () => RaftStatusView;
  /** When given, `raft_peer_bytes_sent_total` is set from its per-peer totals at each scrape. */
  readonly transport?: () => TransportStats;
}

/** Sets the status gauges from `status`; for runtimes that push rather than let scrapes pull. */
export function recordStatus(metrics: RaftMetrics, status: RaftStatusView): void {
  metrics.term.set(status.term);
  for (const role of roles) metrics.role.set({ role }, role === status.role ? 1 : 0);
  metrics.commitIndex.set(status.commit);
  metrics.appliedIndex.set(status.applied);
}

/**
 * Creates and registers the metrics on `registry`.
 * @throws Error from prom-client if metrics with these names are already registered there.
 */
export function createRaftMetrics(
  registry: Registry,
  options: RaftMetricsOptions = {},
): RaftMetrics {
  const registers = [registry];
  const refresh = options.status;
  // Declared before the gauges so their collect callbacks can refer to the whole set.
  let metrics: RaftMetrics | null = null;
  const collect = refresh === undefined ? undefined : (): void => {
    if (metrics !== null) recordStatus(metrics, refresh());
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({
      name, help, labelNames, registers, ...(collect === undefined ? {} : { collect }),
    });
  metrics = {
    term: gauge("raft_term", "The node's current Raft term (§5.1)."),
    role: gauge("raft_role", "1 for the node's current Raft role, 0 for the others.", ["role"]),
    commitIndex: gauge("raft_commit_index", "The highest log index known to be committed."),
    appliedIndex: gauge("raft_applied_index", "The highest log index applied to the state."),
    elections: new Counter({
      name: "raft_elections_total", help: "Elections this node started as a candidate.", registers,
    }),
    proposals: new Counter({
      name: "raft_proposals_total", help: "Client proposals, by how they ended.",
      labelNames: ["result"], registers,
    }),
    commitLatencySeconds: new Histogram({
      name: "raft_commit_latency_seconds",
      help: "Time from a proposal to its being applied on the node that proposed it.",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    walFsyncSeconds: new Histogram({
      name: "raft_wal_fsync_seconds", help: "Duration of write-ahead log fsyncs.",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    peerBytesSent: new Counter({
      name: "raft_peer_bytes_sent_total", help: "Bytes sent to each peer.", labelNames: ["peer"],
      registers,
      ...(options.transport === undefined ? {} : { collect: bytesSent(options.transport) }),
    }),
    applyErrors: new Counter({
      name: "raft_apply_errors_total",
      help: "Committed entries that could not be decoded and were applied as no-ops.",
      registers,
    }),
  };
  return metrics;
}

/** Sets a per-peer counter from the transport's own totals (it counts; we only mirror). */
function bytesSent(transport: () => TransportStats): (this: Counter<"peer">) => void {
  return function collect(this: Counter<"peer">): void {
    this.reset();
    for (const peer of transport().peers) this.inc({ peer: peer.peer }, peer.bytesSent);
  };
}

/** Counts one proposal's result; a typed helper so label values stay within `ProposalResult`. */
export function recordProposal(metrics: RaftMetrics, result: ProposalResult): void {
  metrics.proposals.inc({ result });
}

/** Metrics of the Redis-protocol front end, updated by `RespServer` when it is given them. */
export interface RespMetrics {
  readonly connections: Gauge;
  /** By command name; names outside the command table count as "unknown" (bounded labels). */
  readonly commands: Counter<"command">;
}

/**
 * Creates and registers the RESP front end's metrics on `registry`.
 * @throws Error from prom-client if metrics with these names are already registered there.
 */
export function createRespMetrics(registry: Registry): RespMetrics {
  const registers = [registry];
  return {
    connections: new Gauge({
      name: "raftkv_resp_connections", help: "Open Redis-protocol client connections.", registers,
    }),
    commands: new Counter({
      name: "raftkv_resp_commands_total", help: "Redis-protocol commands received, by command.",
      labelNames: ["command"], registers,
    }),
  };
}

/** Metrics of client resource use across both front ends (see client_resources.ts). */
export interface ClientMetrics {
  /** By reason (client_memory_cap, output_buffer_limit, protocol_error, ...). */
  readonly disconnections: Counter<"reason">;
  /** How late the event loop ran a 10 ms timer (see loop_delay.ts). */
  readonly loopDelaySeconds: Histogram;
}

/** What the client gauges read at each scrape. */
export interface ClientMetricsSources {
  /** Bytes all client connections hold now, and the cap. */
  readonly memory: () => { readonly totalBytes: number; readonly capBytes: number };
}

/**
 * Creates and registers the client-resource metrics on `registry`. The event-loop delay is how
 * late timers fire, so it bounds how late the leader's heartbeats go out (each heartbeat is at
 * most this much later than heartbeatIntervalMs).
 * @throws Error from prom-client if metrics with these names are already registered there.
 */
export function createClientMetrics(
  registry: Registry,
  sources: ClientMetricsSources,
): ClientMetrics {
  const registers = [registry];
  new Gauge({
    name: "raftkv_client_memory_bytes", registers,
    help: "Bytes held for client connections (unparsed input plus unsent output), all together.",
    collect(): void { this.set(sources.memory().totalBytes); },
  });
  new Gauge({
    name: "raftkv_client_memory_max_bytes", registers,
    help: "The cap on client memory (clientMemoryMaxBytes).",
    collect(): void { this.set(sources.memory().capBytes); },
  });
  return {
    loopDelaySeconds: new Histogram({
      name: "raftkv_event_loop_delay_seconds", registers,
      help: "How late the event loop ran a 10 ms timer: the Raft tick's lateness.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    disconnections: new Counter({
      name: "raftkv_client_disconnections_total", labelNames: ["reason"], registers,
      help: "Client connections the server closed or refused, by reason.",
    }),
  };
}
