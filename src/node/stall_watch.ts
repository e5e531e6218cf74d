/**
 * Gray-failure watches: faults that leave a node alive enough to keep its role while it drags the
 * cluster down, which plain Raft timeouts do not catch.
 *
 * Disk: a leader whose WAL save has been in flight longer than `diskStallMs` still sends
 * heartbeats between saves, so no follower times out, yet every write waits for its disk. When a
 * voter has persisted everything the stalled save is still writing (its disk keeps up), the
 * leader hands leadership to it (§3.10: the core refuses proposals while the transfer runs),
 * logs why, counts it, and is held back from campaigning until no save has stalled for
 * `diskHealthyMs`. If no voter has, every disk is slow: moving leadership would not help, and the
 * leader stays. A stall must be seen on two ticks in a row: a save that completed while the event
 * loop was blocked is only reported after the timers of that turn have run.
 *
 * Replication: a follower that acknowledges heartbeats while its match index stays behind the
 * leader's log for `replicationStallMs` has a wedged stream (hashicorp/raft#612, #666): it is
 * reported and its replication restarted from its match index (probe).
 */
import {
  RaftError, type LogIndex, type Message, type NodeId, type RaftNode, type Status,
} from "../core/index.js";
import type { Logger } from "../core/logger.js";
import type { NodeLimits } from "./config.js";
import type { RuntimeHost } from "./host.js";
import type { NodeObserver } from "./observer.js";
import type { SaveInFlight } from "./ready_loop.js";

export interface StallWatchParts {
  readonly id: NodeId;
  readonly raft: RaftNode;
  readonly limits: NodeLimits;
  readonly logger: Logger;
  readonly observer: NodeObserver;
  readonly host: RuntimeHost;
  readonly saveInFlight: () => SaveInFlight | null;
  /** Reports a stall (the node's `stalled` event). */
  readonly report: (event: StallReport) => void;
}

export interface StallReport {
  readonly kind: "disk" | "replication";
  /** disk: the voter leadership goes to (null: none qualified); replication: the follower. */
  readonly peer: NodeId | null;
  readonly reason: string;
}

interface FollowerWatch {
  match: LogIndex;
  sinceMs: number;
}

export class StallWatch {
  /** Consecutive ticks that saw a save in flight past the bound. */
  private stalledTicks = 0;
  /** When a stalled save was last seen (null: never). */
  private lastStalledMs: number | null = null;
  /** Campaigns are held back since this node stepped down for its disk. */
  private held = false;
  /** A stall with no voter to hand over to was logged (once per stall). */
  private toldNoTarget = false;
  private readonly followers = new Map<NodeId, FollowerWatch>();
  private readonly heartbeatAckMs = new Map<NodeId, number>();
  /** When each peer was last heard from (any message). */
  private readonly heardMs = new Map<NodeId, number>();

  constructor(private readonly parts: StallWatchParts) {}

  /** Whether this node is held back from campaigning for its disk. */
  get campaignsHeld(): boolean {
    return this.held;
  }

  /** A peer message reached this node (before the core steps it). */
  noteMessage(message: Message): void {
    const { limits, host } = this.parts;
    if (limits.diskStallMs === 0 && limits.replicationStallMs === 0) return;
    const now = host.nowMs();
    this.heardMs.set(message.from, now);
    if (message.type === "HeartbeatResponse") this.heartbeatAckMs.set(message.from, now);
  }

  tick(): void {
    const { diskStallMs, replicationStallMs } = this.parts.limits;
    if (diskStallMs === 0 && replicationStallMs === 0) return;
    const status = this.parts.raft.status();
    const now = this.parts.host.nowMs();
    if (diskStallMs !== 0) this.checkDisk(status, now);
    if (replicationStallMs !== 0) this.checkReplication(status, now);
  }

  private checkDisk(status: Status, now: number): void {
    const save = this.parts.saveInFlight();
    const stalledMs = save === null ? 0 : now - save.startMs;
    if (save === null || stalledMs <= this.parts.limits.diskStallMs) {
      this.stalledTicks = 0;
      this.toldNoTarget = false;
      this.maybeRelease(now);
      return;
    }
    this.lastStalledMs = now;
    if (++this.stalledTicks < 2) return;
    if (status.role !== "leader" || status.transferee !== null) return;
    const heardSince = now - this.parts.limits.electionTimeoutMs.max;
    const target = healthyVoter(status, save.lastIndex,
      (peer) => (this.heardMs.get(peer) ?? -Infinity) >= heardSince);
    const { id, logger, raft, limits } = this.parts;
    const stall = `a WAL save has been in flight ${Math.round(stalledMs)} ms`
      + ` (diskStallMs ${limits.diskStallMs})`;
    if (target === null) {
      if (this.toldNoTarget) return;
      this.toldNoTarget = true;
      logger.warn({ id, code: "DISK_STALL", stalledMs: Math.round(stalledMs) },
        `Leader ${id} stays: ${stall}, but no voter has persisted through index ${save.lastIndex} either`);
      return;
    }
    const reason = `${stall}; ${target} has persisted through index ${save.lastIndex}`;
    logger.warn({ id, code: "DISK_STALL", to: target, stalledMs: Math.round(stalledMs) },
      `Leader ${id} steps down: ${reason}; transferring leadership to ${target}`
      + ` and not campaigning until the disk has been healthy for ${limits.diskHealthyMs} ms`);
    this.held = true;
    raft.holdCampaigns(true);
    this.parts.observer.leaderDiskStalled?.();
    this.parts.report({ kind: "disk", peer: target, reason });
    try {
      raft.transferLeader(target);
    } catch (error) {
      if (!(error instanceof RaftError)) throw error;
      logger.warn({ id, code: "DISK_STALL" }, `Leader ${id} could not transfer leadership: ${error.message}`);
    }
  }

  private maybeRelease(now: number): void {
    if (!this.held) return;
    const healthyMs = this.lastStalledMs === null ? Infinity : now - this.lastStalledMs;
    if (healthyMs < this.parts.limits.diskHealthyMs) return;
    this.held = false;
    this.parts.raft.holdCampaigns(false);
    const { id, logger } = this.parts;
    logger.info({ id, code: "DISK_HEALTHY" },
      `${id} may campaign again: no WAL save has stalled for ${Math.round(healthyMs)} ms`);
  }

  private checkReplication(status: Status, now: number): void {
    if (status.role !== "leader" || status.progress === null) {
      this.followers.clear();
      return;
    }
    const { id, logger, raft, limits, observer } = this.parts;
    for (const [peer, pr] of status.progress) {
      if (peer === id) continue;
      if (pr.match >= status.lastIndex || pr.state === "snapshot") {
        this.followers.delete(peer);
        continue;
      }
      const seen = this.followers.get(peer);
      if (seen?.match !== pr.match) {
        this.followers.set(peer, { match: pr.match, sinceMs: now });
        continue;
      }
      const stuckMs = now - seen.sinceMs;
      const ackMs = this.heartbeatAckMs.get(peer);
      if (stuckMs < limits.replicationStallMs || ackMs === undefined) continue;
      if (now - ackMs > limits.electionTimeoutMs.max) continue; // down, not wedged
      const reason = `match index stuck at ${pr.match} for ${Math.round(stuckMs)} ms`
        + ` (replicationStallMs ${limits.replicationStallMs}) while it acknowledges heartbeats`
        + ` and the log ends at ${status.lastIndex}`;
      logger.warn({ id, code: "REPLICATION_STALL", peer, match: pr.match, state: pr.state },
        `Replication to ${peer} is wedged: ${reason}; restarting its stream`);
      observer.replicationStalled?.(peer);
      this.parts.report({ kind: "replication", peer, reason });
      raft.resetReplication(peer);
      seen.sinceMs = now;
    }
  }
}

/**
 * The voter other than the leader, heard from within an election timeout, whose match index
 * covers `lastIndex` (its disk kept up with what ours is still writing); the highest match wins,
 * ties the smallest id.
 */
function healthyVoter(
  status: Status,
  lastIndex: LogIndex,
  heardRecently: (peer: NodeId) => boolean,
): NodeId | null {
  let best: NodeId | null = null;
  let bestMatch = -1;
  for (const voter of [...status.confState.voters].sort()) {
    const pr = status.progress?.get(voter);
    if (voter === status.id || pr === undefined || !heardRecently(voter)) continue;
    if (pr.match >= lastIndex && pr.match > bestMatch) {
      best = voter;
      bestMatch = pr.match;
    }
  }
  return best;
}
