/**
 * Failover without waiting out the election timeout. When the connection to this follower's
 * leader drops (a crashed leader's sockets close at once), the follower campaigns soon rather
 * than after up to electionTimeoutMs, so failover takes a few hundred milliseconds instead of
 * ~0.5-1 s plus a split vote now and then. Safe, since an election always is; not disruptive,
 * since a pre-vote (§9.6) only wins when a majority lost the leader too: a follower that still
 * hears it refuses while its lease lasts (check-quorum).
 *
 * - It waits 1.5 heartbeat intervals after the drop and campaigns only if nothing came from a
 *   leader meanwhile (a connection reset while the leader lives changes nothing: its heartbeats
 *   still arrive on its own link), plus a random delay of up to two more intervals, so followers
 *   that saw the leader go at the same instant do not split the vote.
 * - The first follower's pre-vote is usually refused: the others still count the leader's lease,
 *   or their log is ahead of its own (the last entry reached some followers only); and two that
 *   fired within a round trip of each other split the vote. Each (pre-)candidate without a
 *   leader campaigns again after another one to three heartbeat intervals, until
 *   electionTimeoutMs.min after the drop, when the ordinary timer takes over. By then the others
 *   lost the lease too, and the most up-to-date one wins. (Without the retries a refused
 *   pre-candidate or a split vote waited out a whole election timeout: 3 to 4 of 20 measured
 *   failovers took 0.7-1.1 s.)
 *
 * Not in lease mode: there a leader's lease relies on every follower waiting out the timeout.
 */
import type { NodeId, RaftNode } from "../core/index.js";
import type { RuntimeHost } from "./host.js";
import type { Logger } from "../core/logger.js";

export interface EarlyElectionParts {
  readonly id: NodeId;
  readonly raft: RaftNode;
  readonly host: RuntimeHost;
  readonly logger: Logger;
  readonly heartbeatIntervalMs: number;
  readonly electionTimeoutMinMs: number;
  /** Ticks that certainly run the election timer out (the maximum randomized timeout). */
  readonly electionTicksMax: number;
  /** Whether the node runs (a stopped or failed one campaigns no more). */
  readonly running: () => boolean;
  /** After stepping the core: take the Ready (ready_loop.ts). */
  readonly schedule: () => void;
  readonly fail: (error: unknown) => void;
}

export class EarlyElection {
  /** When a leader's AppendEntries or Heartbeat last arrived (host clock). */
  private leaderHeardMs = 0;

  constructor(private readonly parts: EarlyElectionParts) {}

  /** A leader's AppendEntries or Heartbeat arrived. */
  heardFromLeader(): void {
    this.leaderHeardMs = this.parts.host.nowMs();
  }

  /** The connection to `peer` dropped: campaign soon if it is this follower's leader. */
  linkDropped(peer: NodeId): void {
    const { host, heartbeatIntervalMs: heartbeatMs } = this.parts;
    if (!this.parts.running() || !this.isFollowerOf(peer)) return;
    const lostMs = host.nowMs();
    host.setTimer(Math.floor(1.5 * heartbeatMs) + host.drawInt(2 * heartbeatMs + 1), () => {
      if (this.leaderHeardMs > lostMs) return; // only this connection dropped
      if (!this.parts.running() || !this.isFollowerOf(peer)) return;
      this.parts.logger.info({ id: this.parts.id, leader: peer },
        `Lost the connection to leader ${peer}: campaigning without waiting out the election timeout`);
      this.campaign(() => this.isFollowerOf(peer));
      this.retry(lostMs);
    });
  }

  /** Campaigns again while this node is a (pre-)candidate without a leader (see the header). */
  private retry(lostMs: number): void {
    const { host, heartbeatIntervalMs: heartbeatMs, electionTimeoutMinMs } = this.parts;
    host.setTimer(heartbeatMs + host.drawInt(2 * heartbeatMs + 1), () => {
      if (!this.parts.running() || host.nowMs() - lostMs >= electionTimeoutMinMs) return;
      const unelected = (): boolean => {
        const { role, leaderId } = this.parts.raft.status();
        return (role === "pre-candidate" || role === "candidate") && leaderId === null;
      };
      if (!unelected()) return;
      this.parts.logger.info({ id: this.parts.id },
        "No leader yet after a refused pre-vote or a split vote: campaigning again");
      this.campaign(unelected);
      this.retry(lostMs);
    });
  }

  /** Runs the election timer out while `still()` holds: the core starts a pre-vote. */
  private campaign(still: () => boolean): void {
    try {
      for (let i = 0; i < this.parts.electionTicksMax && still(); i++) this.parts.raft.tick();
    } catch (error) {
      this.parts.fail(error);
      return;
    }
    this.parts.schedule();
  }

  private isFollowerOf(peer: NodeId): boolean {
    const { role, leaderId } = this.parts.raft.status();
    return role === "follower" && leaderId === peer;
  }
}
