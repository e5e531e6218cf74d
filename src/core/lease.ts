/**
 * Leader leases: reads served without a quorum round (§6.4.1 of the dissertation; etcd-io/raft's
 * ReadOnlyLeaseBased), made safe by counting from when the acknowledged heartbeat was SENT.
 *
 * The promise the lease rests on (raft.ts, `leasePromiseForbids`): a follower in lease mode that
 * accepted a message from the leader of its term at time R ignores every (pre)vote request,
 * except a transfer campaign, until electionTimeoutTicksMin of its ticks have passed after R,
 * i.e. until at least R + (electionTimeoutTicksMin - 1) ticks of real time (it may take a tick
 * just after R). A restarted node makes the same promise from its start. If the leader sent a
 * heartbeat at time S and that follower acknowledged it, R >= S; so once a quorum acknowledged
 * heartbeats sent at or after S, no other candidate can win an election (a quorum of votes needs
 * one of them) before S + (electionTimeoutTicksMin - 1), and no other leader can commit a write
 * before then. Until then the leader's commit index covers every committed write, so a read at
 * it is linearizable, provided the leader has committed an entry of its term (§6.4 step 1).
 *
 * The lease therefore ends at (the quorum-th latest send tick of an acknowledged heartbeat)
 * + leaseDurationTicks, which is electionTimeoutTicksMin - 1 - leaseClockDriftTicks: the drift
 * bound covers clocks running at different rates. Counting from when the ack ARRIVED instead
 * would stretch the lease by the ack's delay, past the followers' promise (the testing bug
 * `leaseFromAckReceive` does that; lease.test.ts shows the stale read it allows).
 *
 * The leader's clock is its ticks; the runtime must tick by elapsed monotonic time and catch up
 * before it asks whether the lease holds, so a stalled leader never believes less time passed.
 *
 * A transfer campaign ignores the followers' promise (§3.10), so the lease is revoked for the
 * rest of the term as soon as a transfer starts: a TimeoutNow may arrive late, even after the
 * transfer was abandoned.
 */
import type { Raft } from "./raft.js";
import type { LeaderState } from "./role.js";
import { assert, type NodeId, type Term } from "./types.js";

/** Ticks are counted from 1, so 0 means "never acknowledged". */
const FIRST_TICK = 1;

export interface LeaseOptions {
  readonly self: NodeId;
  readonly term: Term;
  readonly durationTicks: number;
  /** Testing bug: start the lease at the ack's arrival (see the file comment). */
  readonly fromAckReceive: boolean;
}

export class LeaderLease {
  private nowTicks = FIRST_TICK;
  private nextSeq = 1;
  private revoked = false;
  /** The first tick each live heartbeat context was sent at. */
  private readonly sentTickOf = new Map<string, number>();
  /** Per follower, the latest send tick among the heartbeats it acknowledged. */
  private readonly ackedSentTick = new Map<NodeId, number>();

  constructor(private readonly options: LeaseOptions) {
    assert(options.durationTicks > 0, `lease duration ${options.durationTicks} must be positive`);
  }

  /** One tick of the leader's clock; forgets contexts too old to extend the lease. */
  tick(): void {
    this.nowTicks++;
    for (const [context, sent] of this.sentTickOf) {
      if (sent + this.options.durationTicks <= this.nowTicks) this.sentTickOf.delete(context);
    }
  }

  /**
   * The context for a heartbeat broadcast now: the pending ReadIndex round's, or a fresh one,
   * so that every heartbeat's acknowledgement says when it was sent. A context re-sent later
   * keeps its first send tick (an ack may answer any copy, so the earliest is the safe bound).
   */
  heartbeatContext(readContext: string | null): string {
    const context = readContext ?? `${this.options.term}.lease.${this.nextSeq++}`;
    if (!this.sentTickOf.has(context)) this.sentTickOf.set(context, this.nowTicks);
    return context;
  }

  /** `from` acknowledged the heartbeat carrying `context` (unknown or expired: ignored). */
  recvAck(from: NodeId, context: string): void {
    const sent = this.sentTickOf.get(context);
    if (sent === undefined) return;
    const start = this.options.fromAckReceive ? this.nowTicks : sent;
    if ((this.ackedSentTick.get(from) ?? 0) < start) this.ackedSentTick.set(from, start);
  }

  /** Ends the lease for the rest of this term (a leadership transfer began). */
  revoke(): void {
    this.revoked = true;
  }

  /**
   * Whether the lease holds now. `quorumValue` gives the largest value a quorum of voters has
   * reached (JointConfig.quorumValue: in a joint configuration, both halves); the leader's own
   * value is now, and a voter never heard from counts as 0.
   */
  holds(quorumValue: (valueOf: (id: NodeId) => number | undefined) => number): boolean {
    return this.remainingTicks(quorumValue) > 0;
  }

  /** Ticks until the lease ends (0 when it does not hold). */
  remainingTicks(quorumValue: (valueOf: (id: NodeId) => number | undefined) => number): number {
    if (this.revoked) return 0;
    const sent = quorumValue((id) => (id === this.options.self
      ? this.nowTicks
      : this.ackedSentTick.get(id)));
    if (sent < FIRST_TICK) return 0;
    return Math.max(0, sent + this.options.durationTicks - this.nowTicks);
  }
}

/**
 * Whether `leader` may serve a read from its lease now: lease mode, an entry of this term
 * committed (§6.4 step 1: its commit index then covers every earlier leader's), no transfer
 * under way (one revokes the lease for the term), and a quorum's acknowledgements recent enough.
 */
export function leaseHolds(r: Raft, leader: LeaderState): boolean {
  const lease = leader.lease;
  if (lease === null) return false;
  if (leader.transfer !== null) lease.revoke();
  if (r.log.termOrNull(r.log.committed) !== r.term) return false;
  const voters = leader.tracker.config.voters;
  return lease.holds((valueOf) => voters.quorumValue(valueOf));
}

/** Each lease-mode leader tick: advance the lease clock; a transfer seen revokes the lease. */
export function tickLease(leader: LeaderState): void {
  if (leader.lease === null) return;
  leader.lease.tick();
  if (leader.transfer !== null) leader.lease.revoke();
}

/** The context a heartbeat sent now carries: a lease-mode leader stamps every broadcast. */
export function heartbeatContext(leader: LeaderState, readContext: string | null): string | null {
  return leader.lease === null ? readContext : leader.lease.heartbeatContext(readContext);
}
