/**
 * The node's clock settings, tuned for Maelstrom: clients give up after 1 s (max(10 x latency,
 * 1000) ms), so a failover must fit well inside a second, while heartbeats must survive
 * `--latency 10 --latency-dist exponential` (a long tail: 1% of messages take > 46 ms) and a busy
 * 2-core machine without spurious elections. Pre-vote and check-quorum (core defaults) keep a
 * partitioned node from disrupting the majority when it comes back.
 */
export interface NodeTimings {
  readonly tickMs: number;
  readonly heartbeatIntervalTicks: number;
  readonly electionTimeoutTicksMin: number;
  readonly electionTimeoutTicksMax: number;
  /** How long a request waits for a leader to be known before it is refused (definitely). */
  readonly leaderWaitMs: number;
  /** Forget a pending request after this long: its client timed out long ago. */
  readonly pendingTimeoutMs: number;
  /** Upper bound on requests waiting for their entry or read index. */
  readonly pendingRequestsMax: number;
}

export const DEFAULT_TIMINGS: NodeTimings = {
  tickMs: 25,
  heartbeatIntervalTicks: 2,
  // 300-600 ms: six or more heartbeats must go missing before a follower campaigns.
  electionTimeoutTicksMin: 12,
  electionTimeoutTicksMax: 24,
  // Below the 1 s client timeout, so the client still hears the definite refusal.
  leaderWaitMs: 500,
  pendingTimeoutMs: 5000,
  pendingRequestsMax: 10_000,
};
