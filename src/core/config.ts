/**
 * Every tunable and limit of the core in one place (STYLE.md rule 11). `validateConfig` rejects
 * bad values and bad combinations up front, naming the field, so a misconfigured node never
 * starts. Time is counted in ticks; the runtime converts milliseconds to ticks.
 */
import { ConfigError } from "./errors.js";
import type { NodeId } from "./types.js";
import type { Logger } from "./logger.js";

/**
 * Deliberate bugs, switched on only by tests to prove the simulator and its checkers catch them
 * (STYLE.md rule 14). Never set in production; `validateConfig` accepts them so tests can.
 */
export interface TestingBugs {
  /** Commit by counting replicas of an entry from a previous term (violates Figure 8, §5.4.2). */
  readonly commitPreviousTermByCount?: boolean;
  /** Leave the vote out of the persisted hard state (violates Figure 2's persistent state). */
  readonly skipPersistVote?: boolean;
  /** Serve ReadIndex requests at once from local state, without a quorum round (violates §6.4). */
  readonly readWithoutQuorum?: boolean;
  /** Truncate the log on any AppendEntries, even a stale one that matches (violates §5.3). */
  readonly truncateOnStaleAppend?: boolean;
  /** Accept a membership change before the leader committed an entry of its term (§4.1 bug). */
  readonly confChangeBeforeTermCommit?: boolean;
  /** Start a leader's read lease when a heartbeat ack arrives, not when it was sent (lease.ts). */
  readonly leaseFromAckReceive?: boolean;
}

/**
 * How a leader confirms a linearizable read (§6.4): "index" by a heartbeat round a quorum
 * acknowledges (ReadIndex), "lease" from its leader lease while that holds (§6.4.1, lease.ts),
 * falling back to a round otherwise. Set the same mode on every node: followers in lease mode
 * keep the promise the leader's lease counts on.
 */
export type ReadMode = "index" | "lease";


export interface RaftConfig {
  readonly id: NodeId;
  /** A follower/candidate starts an election after a random timeout in [min, max) ticks. */
  readonly electionTimeoutTicksMin: number;
  readonly electionTimeoutTicksMax: number;
  readonly heartbeatIntervalTicks: number;
  /** §9.6: probe with a pre-vote round before bumping the term. */
  readonly preVote: boolean;
  /** A leader that heard from no quorum within an election timeout steps down. */
  readonly checkQuorum: boolean;
  /** Upper bound on the bytes of entries in one AppendEntries. */
  readonly messageBytesMax: number;
  /** Upper bound on AppendEntries in flight to one follower in replicate state. */
  readonly inflightMessagesMax: number;
  /** Proposals are refused while the leader's uncommitted tail is larger than this. */
  readonly uncommittedBytesMax: number;
  /** Upper bound on the bytes of committed entries handed out in one Ready. */
  readonly applyBytesMax: number;
  /** Upper bound on ReadIndex requests waiting for one leader's quorum round. */
  readonly pendingReadsMax: number;
  /** When false, a follower refuses proposals instead of forwarding them to the leader. */
  readonly forwardProposals: boolean;
  /**
   * When true, a commit advance sends an empty AppendEntries only to the followers that wait for
   * it (an entry they forwarded, a read index they were given) and, for a configuration entry,
   * to all; the others learn the commit index from the next append or heartbeat. Default false
   * (every follower told at once, as in etcd-io/raft); the runtime sets it (node/config.ts).
   */
  readonly commitOnDemand?: boolean;
  /** Default "index". "lease" requires checkQuorum. */
  readonly readMode?: ReadMode;
  /**
   * Lease mode: the ticks the leader takes off its lease for clock drift between nodes (rate
   * and tick phase beyond one tick). The lease lasts electionTimeoutTicksMin - 1 - this.
   */
  readonly leaseClockDriftTicks?: number;
  readonly testingBugs?: TestingBugs;
  /** Default: silent. */
  /**
   * Where the core reports what an operator must see and no caller asked about (etcd-io/raft's
   * Config.Logger): a refused campaign at TERM_MAX, a message past the documented bounds, a
   * refused TimeoutNow. The one logger contract (logger.ts); silent when left out.
   */
  readonly logger?: Logger;
}

export const DEFAULT_CONFIG = {
  electionTimeoutTicksMin: 10,
  electionTimeoutTicksMax: 20,
  heartbeatIntervalTicks: 1,
  preVote: true,
  checkQuorum: true,
  messageBytesMax: 1024 * 1024,
  inflightMessagesMax: 256,
  uncommittedBytesMax: 64 * 1024 * 1024,
  applyBytesMax: 16 * 1024 * 1024,
  pendingReadsMax: 4096,
  forwardProposals: true,
  readMode: "index",
  leaseClockDriftTicks: 1,
} as const satisfies Omit<RaftConfig, "id">;

function positiveInteger(config: RaftConfig, field: keyof RaftConfig): void {
  const value = config[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

/** @throws ConfigError naming the first invalid field or combination. */
export function validateConfig(config: RaftConfig): RaftConfig {
  for (const field of [
    "electionTimeoutTicksMin",
    "electionTimeoutTicksMax",
    "heartbeatIntervalTicks",
    "messageBytesMax",
    "inflightMessagesMax",
    "uncommittedBytesMax",
    "applyBytesMax",
    "pendingReadsMax",
  ] as const) {
    positiveInteger(config, field);
  }
  if (config.electionTimeoutTicksMax <= config.electionTimeoutTicksMin) {
    throw new ConfigError("electionTimeoutTicksMax", "must be greater than electionTimeoutTicksMin");
  }
  if (config.electionTimeoutTicksMin <= config.heartbeatIntervalTicks) {
    throw new ConfigError("electionTimeoutTicksMin", "must be greater than heartbeatIntervalTicks");
  }
  validateReadMode(config);
  return config;
}

/** The ticks a leader lease lasts after the acknowledged heartbeat was sent (lease.ts). */
export function leaseDurationTicks(config: RaftConfig): number {
  return config.electionTimeoutTicksMin - 1 - (config.leaseClockDriftTicks ?? 0);
}

function validateReadMode(config: RaftConfig): void {
  const mode: string = config.readMode ?? "index"; // may come from untyped input
  if (mode !== "index" && mode !== "lease") {
    throw new ConfigError("readMode", `must be "index" or "lease", got ${JSON.stringify(mode)}`);
  }
  const drift = config.leaseClockDriftTicks ?? 0;
  if (!Number.isSafeInteger(drift) || drift < 0) {
    throw new ConfigError("leaseClockDriftTicks",
      `must be a non-negative integer, got ${JSON.stringify(drift)}`);
  }
  if (mode === "index") return;
  // Without check-quorum a leader cut off from the cluster would keep serving until its lease
  // ran out and never step down; etcd-io/raft requires the same.
  if (!config.checkQuorum) throw new ConfigError("readMode", "lease reads require checkQuorum");
  if (leaseDurationTicks(config) <= config.heartbeatIntervalTicks) {
    throw new ConfigError("leaseClockDriftTicks",
      `leaves a lease of ${leaseDurationTicks(config)} ticks (electionTimeoutTicksMin - 1 - drift),`
      + ` not longer than heartbeatIntervalTicks (${config.heartbeatIntervalTicks})`);
  }
}
