/**
 * Every timing value and limit of the node runtime in one validated object (STYLE.md rule 11),
 * and the one place where milliseconds become the core's ticks (rule 6). `resolveNodeLimits`
 * rejects bad values and bad combinations up front, naming the field, so a misconfigured node
 * never starts.
 */
import {
  ConfigError, DEFAULT_CONFIG, type NodeId, type RaftConfig, type ReadMode,
} from "../core/index.js";

export interface ElectionTimeoutMs {
  readonly min: number;
  readonly max: number;
}

/** The core's tunables a runtime user may override (everything but times, which are in ms). */
export type RaftTunables = Partial<Pick<RaftConfig,
  "preVote" | "checkQuorum" | "messageBytesMax" | "inflightMessagesMax" | "uncommittedBytesMax"
  | "applyBytesMax">>;

export interface NodeLimits {
  /** One core tick every `tickMs`: the resolution of every timeout below. */
  readonly tickMs: number;
  /** A follower campaigns after a random timeout in [min, max) (§5.2). */
  readonly electionTimeoutMs: ElectionTimeoutMs;
  readonly heartbeatIntervalMs: number;
  /** A proposal not applied within this time is rejected with an unknown outcome. */
  readonly proposalTimeoutMs: number;
  /** A read barrier not served within this time is rejected (reads change nothing). */
  readonly readTimeoutMs: number;
  /** Proposals waiting for their outcome on this node; more are refused (definite). */
  readonly pendingProposalsMax: number;
  /** Read barriers waiting on this node; more are refused. */
  readonly pendingReadsMax: number;
  /**
   * The largest proposal (the command with its envelope) this node accepts, from a local caller
   * or forwarded by a peer; larger ones are refused before they reach the log.
   */
  readonly proposalBytesMax: number;
  /**
   * Snapshot once this many entries were applied since the last snapshot (etcd's snapshot-count
   * default, 100,000: taking the image stalls the apply thread for a time that grows with the
   * keyspace, 8-18 ms for 10,000 keys, which every 10,000 writes doubled the p99 of 64 clients)...
   */
  readonly snapshotEntriesMin: number;
  /** ...or once this many entry bytes (`entrySizeBytes`) were. */
  readonly snapshotBytesMin: number;
  /**
   * Entries kept in the log behind a snapshot, so a follower slightly behind catches up from the
   * log rather than by a whole snapshot (etcd's SnapshotCatchUpEntries).
   */
  readonly snapshotCatchUpEntries: number;
  /**
   * "index" (default): every linearizable read costs the leader a heartbeat round (§6.4).
   * "lease": the leader answers from its lease while that holds (§6.4.1); needs checkQuorum, and
   * must be set on every node (followers keep the promise the lease rests on).
   */
  readonly readMode: ReadMode;
  /**
   * Lease mode: how much shorter than the election timeout's minimum (less one tick) the lease
   * is, to cover clocks running at different rates on different machines.
   */
  readonly leaseClockDriftMs: number;
  /**
   * Gray-failure watch (stall_watch.ts): a leader whose WAL save has been in flight longer than
   * this hands leadership to a voter that has persisted what it is still writing. 0 turns the
   * watch off. Default: half of `electionTimeoutMs.min`, or off when that is under 100 ms (fsync
   * jitter; such timeouts are for tests); must be below it (a longer stall deposes the leader
   * anyway, its heartbeats held behind the save).
   */
  readonly diskStallMs: number;
  /** A leader that stepped down for its disk campaigns again once no save stalled this long. */
  readonly diskHealthyMs: number;
  /**
   * A follower that acknowledges heartbeats while its match index stays behind the leader's log
   * this long is reported and its replication stream restarted. 0 turns the watch off.
   * Default: twice `electionTimeoutMs.max`.
   */
  readonly replicationStallMs: number;
  readonly raft: RaftTunables;
}

/** Input form: every field optional; `electionTimeoutMs` may be given one bound at a time. */
export type NodeLimitsInput = Partial<Omit<NodeLimits, "electionTimeoutMs">> & {
  readonly electionTimeoutMs?: Partial<ElectionTimeoutMs>;
};

export const DEFAULT_NODE_LIMITS: NodeLimits = {
  tickMs: 10,
  electionTimeoutMs: { min: 500, max: 1000 },
  heartbeatIntervalMs: 50,
  proposalTimeoutMs: 5000,
  readTimeoutMs: 5000,
  pendingProposalsMax: 16_384,
  pendingReadsMax: 4096,
  proposalBytesMax: 8 * 1024 * 1024,
  snapshotEntriesMin: 100_000,
  snapshotBytesMin: 64 * 1024 * 1024,
  snapshotCatchUpEntries: 1000,
  readMode: "index",
  leaseClockDriftMs: 50,
  diskStallMs: 250,
  diskHealthyMs: 4000,
  replicationStallMs: 2000,
  raft: {},
};

function positiveInteger(field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

/**
 * Fills defaults and validates.
 * @throws ConfigError naming the first invalid field or combination.
 */
export function resolveNodeLimits(input: NodeLimitsInput = {}): NodeLimits {
  const election = { ...DEFAULT_NODE_LIMITS.electionTimeoutMs, ...input.electionTimeoutMs };
  const limits: NodeLimits = {
    ...DEFAULT_NODE_LIMITS,
    // The watches' defaults follow the election timeout they are fractions of.
    diskStallMs: defaultDiskStallMs(election.min, input.tickMs ?? DEFAULT_NODE_LIMITS.tickMs),
    diskHealthyMs: 4 * election.max,
    replicationStallMs: 2 * election.max,
    ...input,
    electionTimeoutMs: election,
    raft: { ...input.raft },
  };
  for (const field of ["tickMs", "heartbeatIntervalMs", "proposalTimeoutMs", "readTimeoutMs",
    "pendingProposalsMax", "pendingReadsMax", "proposalBytesMax", "snapshotEntriesMin",
    "snapshotBytesMin"] as const) {
    positiveInteger(field, limits[field]);
  }
  positiveInteger("electionTimeoutMs.min", limits.electionTimeoutMs.min);
  positiveInteger("electionTimeoutMs.max", limits.electionTimeoutMs.max);
  const catchUp = limits.snapshotCatchUpEntries;
  if (!Number.isSafeInteger(catchUp) || catchUp < 0) {
    throw new ConfigError("snapshotCatchUpEntries", `must be a non-negative integer, got ${catchUp}`);
  }
  if (limits.heartbeatIntervalMs < limits.tickMs) {
    throw new ConfigError("heartbeatIntervalMs", `must be at least tickMs (${limits.tickMs})`);
  }
  const ticks = toTicks(limits);
  if (ticks.heartbeatIntervalTicks >= ticks.electionTimeoutTicksMin) {
    throw new ConfigError("electionTimeoutMs.min",
      `must exceed heartbeatIntervalMs (${limits.heartbeatIntervalMs}) by at least one tick (${limits.tickMs} ms)`);
  }
  if (ticks.electionTimeoutTicksMax <= ticks.electionTimeoutTicksMin) {
    throw new ConfigError("electionTimeoutMs.max",
      `must exceed electionTimeoutMs.min (${limits.electionTimeoutMs.min}) by at least one tick (${limits.tickMs} ms)`);
  }
  if (limits.proposalTimeoutMs < limits.tickMs) {
    throw new ConfigError("proposalTimeoutMs", `must be at least tickMs (${limits.tickMs})`);
  }
  if (limits.readTimeoutMs < limits.tickMs) {
    throw new ConfigError("readTimeoutMs", `must be at least tickMs (${limits.tickMs})`);
  }
  validateLeaseLimits(limits);
  validateStallLimits(limits);
  return limits;
}

/**
 * Below this, the disk watch is off unless set: ordinary fsync jitter on a busy machine reaches
 * tens of milliseconds, and election timeouts that short are for tests.
 */
export const DISK_STALL_MS_DEFAULT_MIN = 100;

/** Half the election timeout's minimum (at least a tick), or 0 (off) when under 100 ms. */
function defaultDiskStallMs(electionMinMs: number, tickMs: number): number {
  const half = Math.floor(electionMinMs / 2);
  return half < DISK_STALL_MS_DEFAULT_MIN ? 0 : Math.max(tickMs, half);
}

function validateStallLimits(limits: NodeLimits): void {
  for (const field of ["diskStallMs", "replicationStallMs"] as const) {
    const value = limits[field];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ConfigError(field, `must be a non-negative integer (0: off), got ${JSON.stringify(value)}`);
    }
  }
  positiveInteger("diskHealthyMs", limits.diskHealthyMs);
  const stall = limits.diskStallMs;
  if (stall !== 0 && (stall < limits.tickMs || stall >= limits.electionTimeoutMs.min)) {
    throw new ConfigError("diskStallMs", `must be 0 (off) or from tickMs (${limits.tickMs}) up to`
      + ` below electionTimeoutMs.min (${limits.electionTimeoutMs.min}), got ${stall}`);
  }
  const replication = limits.replicationStallMs;
  if (replication !== 0 && replication < limits.electionTimeoutMs.max) {
    throw new ConfigError("replicationStallMs", "must be 0 (off) or at least electionTimeoutMs.max"
      + ` (${limits.electionTimeoutMs.max}), got ${replication}`);
  }
}

function validateLeaseLimits(limits: NodeLimits): void {
  const mode: string = limits.readMode; // may come from untyped input
  if (mode !== "index" && mode !== "lease") {
    throw new ConfigError("readMode", `must be "index" or "lease", got ${JSON.stringify(mode)}`);
  }
  const drift = limits.leaseClockDriftMs;
  if (!Number.isSafeInteger(drift) || drift < 0) {
    throw new ConfigError("leaseClockDriftMs", `must be a non-negative integer, got ${drift}`);
  }
  if (mode === "index") return;
  if (limits.raft.checkQuorum === false) {
    throw new ConfigError("readMode", "lease reads require raft.checkQuorum");
  }
  const ticks = toTicks(limits);
  const leaseTicks = ticks.electionTimeoutTicksMin - 1 - leaseDriftTicks(limits);
  if (leaseTicks <= ticks.heartbeatIntervalTicks) {
    throw new ConfigError("leaseClockDriftMs", `leaves a lease of ${leaseTicks * limits.tickMs} ms`
      + " (electionTimeoutMs.min - tickMs - drift), not longer than heartbeatIntervalMs");
  }
}

/** Rounded up: the lease is shortened, never lengthened, by rounding. */
function leaseDriftTicks(limits: NodeLimits): number {
  return Math.ceil(limits.leaseClockDriftMs / limits.tickMs);
}

/**
 * The most ticks a node runs at once to catch up after its event loop stalled (lease mode).
 * Skipping more is safe: past two election timeouts every lease and promise has run out.
 */
export function catchUpTicksMax(limits: NodeLimits): number {
  return 2 * toTicks(limits).electionTimeoutTicksMax;
}

interface TickCounts {
  readonly electionTimeoutTicksMin: number;
  readonly electionTimeoutTicksMax: number;
  readonly heartbeatIntervalTicks: number;
}

/** The one place milliseconds become ticks: rounded up, so a timeout is never shortened. */
function toTicks(limits: NodeLimits): TickCounts {
  const ticks = (ms: number): number => Math.max(1, Math.ceil(ms / limits.tickMs));
  return {
    electionTimeoutTicksMin: ticks(limits.electionTimeoutMs.min),
    electionTimeoutTicksMax: ticks(limits.electionTimeoutMs.max),
    heartbeatIntervalTicks: ticks(limits.heartbeatIntervalMs),
  };
}

/** The core's configuration for node `id` under `limits` (validated by the core too). */
export function toRaftConfig(id: NodeId, limits: NodeLimits): RaftConfig {
  return {
    ...DEFAULT_CONFIG,
    ...limits.raft,
    ...toTicks(limits),
    id,
    pendingReadsMax: limits.pendingReadsMax,
    forwardProposals: true,
    commitOnDemand: true,
    readMode: limits.readMode,
    leaseClockDriftTicks: leaseDriftTicks(limits),
  };
}
