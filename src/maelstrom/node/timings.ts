/**
 * The node's clock settings, tuned for Maelstrom: clients give up after 1 s (max(10 x latency,
 * 1000) ms), so a failover must fit well inside a second, while heartbeats must survive
 * `--latency 10 --latency-dist exponential` (a long tail: 1% of messages take > 46 ms) and a busy
 * 2-core machine without spurious elections. Pre-vote and check-quorum (core defaults) keep a
 * partitioned node from disrupting the majority when it comes back.
 */
import type { NodeLimitsInput } from "../../node/index.js";

export interface NodeTimings {
  readonly tickMs: number;
  readonly heartbeatIntervalMs: number;
  readonly electionTimeoutMs: { readonly min: number; readonly max: number };
  /** How long a request waits for a leader to be known before it is refused (definitely). */
  readonly leaderWaitMs: number;
  /** Give up on a proposal or read after this long: its client timed out long ago. */
  readonly pendingTimeoutMs: number;
  /** Upper bound on requests in progress on one node. */
  readonly pendingRequestsMax: number;
}

export const DEFAULT_TIMINGS: NodeTimings = {
  tickMs: 25,
  heartbeatIntervalMs: 50,
  // Six or more heartbeats must go missing before a follower campaigns.
  electionTimeoutMs: { min: 300, max: 600 },
  // Below the 1 s client timeout, so the client still hears the definite refusal.
  leaderWaitMs: 500,
  pendingTimeoutMs: 5000,
  pendingRequestsMax: 10_000,
};

/** The ClusterNode limits for these timings. */
export function nodeLimitsOf(timings: NodeTimings): NodeLimitsInput {
  return {
    tickMs: timings.tickMs,
    heartbeatIntervalMs: timings.heartbeatIntervalMs,
    electionTimeoutMs: timings.electionTimeoutMs,
    proposalTimeoutMs: timings.pendingTimeoutMs,
    readTimeoutMs: timings.pendingTimeoutMs,
    pendingProposalsMax: timings.pendingRequestsMax,
    pendingReadsMax: timings.pendingRequestsMax,
  };
}
