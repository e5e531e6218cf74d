/**
 * Forwarded proposals (`Propose` from a follower) that arrive while no leader can take them: at a
 * leader handing over leadership (§3.10: it accepts no proposals meanwhile) and at a node that
 * has just stepped down and does not yet know the new leader. Dropping them leaves the client
 * waiting for its timeout with an unknown outcome, although nothing was appended. Instead the
 * node holds a bounded number and places them once it can: it proposes them if it still (or
 * again) leads, or forwards them once to the leader it hears from. Held proposals never entered a
 * log, so placing one later applies it at most once. After an election timeout without a leader
 * they are dropped, as before (the client's outcome stays unknown).
 */
import { appendLeaderEntries } from "./replication.js";
import type { LeaderState } from "./role.js";
import type { Raft } from "./raft.js";
import type { NodeId } from "./types.js";

/** At most this many forwarded proposals are held. */
export const HELD_PROPOSALS_MAX = 1024;

export class HeldProposals {
  private items: Uint8Array[] = [];
  private bytes = 0;
  private idleTicks = 0;

  get size(): number {
    return this.items.length;
  }

  /** Holds `data` unless that would pass `bytesMax` or HELD_PROPOSALS_MAX; returns whether. */
  maybeHold(data: Uint8Array, bytesMax: number): boolean {
    if (this.items.length >= HELD_PROPOSALS_MAX || this.bytes + data.byteLength > bytesMax) {
      return false;
    }
    if (this.items.length === 0) this.idleTicks = 0;
    this.items.push(data);
    this.bytes += data.byteLength;
    return true;
  }

  take(): Uint8Array[] {
    const items = this.items;
    this.items = [];
    this.bytes = 0;
    return items;
  }

  /** Counts a tick without a leader to place them with; drops them after `limitTicks`. */
  tick(limitTicks: number): void {
    if (this.items.length === 0) return;
    if (++this.idleTicks >= limitTicks) this.take();
  }
}

/** A leader proposes what it holds, within its uncommitted-bytes limit; the rest is dropped. */
export function proposeHeld(r: Raft, leader: LeaderState): void {
  for (const data of r.held.take()) {
    const uncommitted = leader.uncommittedBytes;
    if (uncommitted !== 0 && uncommitted + data.byteLength > r.config.uncommittedBytesMax) continue;
    appendLeaderEntries(r, leader, [{ kind: "normal", data }]);
    leader.replicationDue = true;
  }
}

/** A follower that has just heard from `leader` forwards what it holds there, once. */
export function forwardHeld(r: Raft, leader: NodeId): void {
  for (const data of r.held.take()) {
    r.send({ from: r.id, to: leader, term: r.term, type: "Propose", data });
  }
}
