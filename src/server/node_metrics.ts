/**
 * The metrics of a running node's internals beyond `createRaftMetrics`'s: Ready loop and WAL
 * timings, read-index latency, Raft messages per peer and type, follower progress, pending work,
 * snapshots and leader changes. `nodeObserver` turns them into the node's observer hooks.
 *
 * Hot path: message counts go into plain nested maps (no allocation once a peer and type have
 * been seen) and reach prom-client only at scrape time; follower, pending and transport figures
 * are read from their sources at scrape time too.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Message } from "../core/index.js";
import type { NodeObserver, NodeStatus } from "../node/index.js";
import type { TransportStats } from "../node/index.js";
import { recordProposal, type RaftMetrics } from "./metrics.js";

/** What the scrape-time gauges read. */
export interface NodeMetricsSources {
  /** The node's status (its `peers` are present on the leader only). */
  readonly status: () => NodeStatus;
  /** The peer transport's counters. */
  readonly transport: () => TransportStats;
}

export interface NodeMetrics {
  readonly walSaveEntryBytes: Histogram;
  readonly readyLoopSeconds: Histogram;
  readonly readIndexSeconds: Histogram;
  readonly readFailures: Counter;
  readonly snapshots: Counter;
  readonly leaderChanges: Counter;
  readonly diskStalls: Counter;
  readonly replicationStalls: Counter<"peer">;
  /** Outbound messages by peer, then type; flushed into `raft_messages_sent_total` on scrape. */
  readonly sent: MessageCounts;
  readonly received: MessageCounts;
}

/** Counts by peer, then message type. */
export type MessageCounts = Map<string, Map<string, number>>;

function count(counts: MessageCounts, peer: string, type: string): void {
  let byType = counts.get(peer);
  if (byType === undefined) counts.set(peer, (byType = new Map<string, number>()));
  byType.set(type, (byType.get(type) ?? 0) + 1);
}

/** A counter whose value is set from `counts` at each scrape. */
function messageCounter(registry: Registry, name: string, help: string, counts: MessageCounts) {
  return new Counter({
    name, help, labelNames: ["peer", "type"], registers: [registry],
    collect(): void {
      this.reset();
      for (const [peer, byType] of counts) {
        for (const [type, n] of byType) this.inc({ peer, type }, n);
      }
    },
  });
}

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Registers the scrape-time gauges of pending work and follower progress. */
function registerStatusGauges(registry: Registry, status: () => NodeStatus): void {
  const registers = [registry];
  new Gauge({
    name: "raft_pending_proposals", help: "Proposals made here and not yet settled.", registers,
    collect(): void { this.set(status().pendingProposals); },
  });
  new Gauge({
    name: "raft_pending_reads", help: "Linearizable reads waiting for their read point.",
    registers, collect(): void { this.set(status().pendingReads); },
  });
  const lag = new Gauge({
    name: "raft_follower_lag_entries", labelNames: ["peer"], registers,
    help: "On the leader: entries each follower lacks (last index minus its match index).",
    collect(): void {
      lag.reset();
      for (const p of status().peers ?? []) lag.set({ peer: p.id }, p.lag);
    },
  });
  const match = new Gauge({
    name: "raft_follower_match_index", labelNames: ["peer"], registers,
    help: "On the leader: the highest log index known to be replicated on each follower.",
    collect(): void {
      match.reset();
      for (const p of status().peers ?? []) match.set({ peer: p.id }, p.match);
    },
  });
}

/** Sets the per-peer received bytes from the transport's own totals at each scrape. */
function registerBytesReceived(registry: Registry, transport: () => TransportStats): void {
  new Counter({
    name: "raft_peer_bytes_received_total", help: "Bytes received from each peer.",
    labelNames: ["peer"], registers: [registry],
    collect(): void {
      this.reset();
      for (const peer of transport().peers) this.inc({ peer: peer.peer }, peer.bytesReceived);
    },
  });
}

/**
 * Creates and registers the node metrics on `registry`.
 * @throws Error from prom-client if metrics with these names are already registered there.
 */
export function createNodeMetrics(registry: Registry, sources: NodeMetricsSources): NodeMetrics {
  const registers = [registry];
  const sent: MessageCounts = new Map();
  const received: MessageCounts = new Map();
  messageCounter(registry, "raft_messages_sent_total",
    "Raft messages this node handed to the transport, by peer and type.", sent);
  messageCounter(registry, "raft_messages_received_total",
    "Raft messages this node received, by peer and type.", received);
  registerStatusGauges(registry, sources.status);
  registerBytesReceived(registry, sources.transport);
  return {
    sent, received,
    walSaveEntryBytes: new Histogram({
      name: "raft_wal_save_entry_bytes", registers,
      help: "Entry payload bytes made durable by each synced WAL save.",
      buckets: [0, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304],
    }),
    readyLoopSeconds: new Histogram({
      name: "raft_ready_loop_seconds", registers, buckets: latencyBuckets,
      help: "Time to handle one Ready: persist, send, apply and advance.",
    }),
    readIndexSeconds: new Histogram({
      name: "raft_read_index_seconds", registers, buckets: latencyBuckets,
      help: "Time from a linearizable read's start to its read point being applied here.",
    }),
    readFailures: new Counter({
      name: "raft_read_index_failures_total", registers,
      help: "Linearizable reads that did not reach a read point (no leader, timeout, stop).",
    }),
    snapshots: new Counter({
      name: "raft_snapshots_total", registers, help: "Snapshots this node took of its state.",
    }),
    leaderChanges: new Counter({
      name: "raft_leader_changes_total", registers,
      help: "Times this node learned of a new leader (a change to no leader is not counted).",
    }),
    diskStalls: new Counter({
      name: "raft_leader_disk_stalls_total", registers,
      help: "Times this node, as leader, handed leadership over because a WAL save stalled.",
    }),
    replicationStalls: new Counter({
      name: "raft_replication_stalls_total", registers, labelNames: ["peer"],
      help: "Follower streams restarted: heartbeats acknowledged, match index stuck.",
    }),
  };
}

/** The node observer hooks that feed `raft` and `node`. */
export function nodeObserver(raft: RaftMetrics, node: NodeMetrics): NodeObserver {
  return {
    proposalSettled: (outcome, seconds) => {
      recordProposal(raft, outcome);
      if (outcome === "committed") raft.commitLatencySeconds.observe(seconds);
    },
    saveDurable: (seconds, entryBytes) => {
      raft.walFsyncSeconds.observe(seconds);
      node.walSaveEntryBytes.observe(entryBytes);
    },
    readyTaken: (ready) => {
      const messages: readonly Message[] = ready.messages;
      for (const message of messages) count(node.sent, message.to, message.type);
    },
    readyFinished: (seconds) => { node.readyLoopSeconds.observe(seconds); },
    messageReceived: (message) => { count(node.received, message.from, message.type); },
    readSettled: (ok, seconds) => {
      if (ok) node.readIndexSeconds.observe(seconds);
      else node.readFailures.inc();
    },
    entryApplyFailed: () => { raft.applyErrors.inc(); },
    leaderDiskStalled: () => { node.diskStalls.inc(); },
    replicationStalled: (peer) => { node.replicationStalls.inc({ peer }); },
  };
}
