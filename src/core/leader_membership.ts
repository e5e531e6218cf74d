/**
 * The leader's side of cluster operations: proposing membership changes (§4.1, §4.3 of the
 * dissertation), leaving a joint configuration once it commits, handing over when the leader
 * itself was removed (§4.2.2), and leadership transfer (§3.10).
 *
 * One change at a time: a change is refused while a config entry is uncommitted, and before
 * this leader has committed an entry of its own term. The latter closes the single-server
 * change bug (Ongaro, raft-dev 2015): without it a new leader could append a change on top of
 * an uncommitted change of a deposed leader, and the two one-step changes from a common config
 * could produce configurations with disjoint majorities.
 */
import { proposeHeld } from "./held_proposals.js";
import { stepDown } from "./become.js";
import { applyConfChange, encodeConfEntry, type ConfChange } from "./conf_change.js";
import { ConfChangeRefusedError, ProposalDroppedError } from "./errors.js";
import { pruneTracker, setConfig } from "./membership.js";
import type { Raft } from "./raft.js";
import { appendLeaderEntries, bcastAppend, maybeCommit, maybeSendAppend } from "./replication.js";
import type { LeaderState } from "./role.js";
import type { LogIndex, NodeId } from "./types.js";

/** Whether this leader has committed an entry of its term (§5.4.2, §6.4 step 1). */
export function committedInCurrentTerm(r: Raft): boolean {
  return r.log.termOrNull(r.log.committed) === r.term;
}

/**
 * Appends a config entry for `changes` and switches to its configuration at once (§4.1).
 * @throws ConfChangeRefusedError when another change is uncommitted, this leader has not yet
 *   committed an entry of its term, a transfer is under way, or the change is invalid.
 */
export function proposeConfChangeAsLeader(
  r: Raft,
  leader: LeaderState,
  changes: ConfChange,
): LogIndex {
  if (leader.transfer !== null) {
    throw new ConfChangeRefusedError("a leadership transfer is in progress (§3.10)");
  }
  if (!committedInCurrentTerm(r) && r.bugs.confChangeBeforeTermCommit !== true) {
    throw new ConfChangeRefusedError(
      `leader of term ${r.term} has not yet committed an entry of its term`);
  }
  if (r.configIndex > r.log.committed) {
    throw new ConfChangeRefusedError(
      `the config entry at ${r.configIndex} is not committed yet (commit ${r.log.committed})`);
  }
  return appendConfChange(r, leader, changes);
}

function appendConfChange(r: Raft, leader: LeaderState, changes: ConfChange): LogIndex {
  const confState = applyConfChange(r.cluster.confState, changes);
  const data = encodeConfEntry({ changes, confState });
  const index = appendLeaderEntries(r, leader, [{ kind: "config", data }]);
  setConfig(r, confState, { index, term: r.term });
  maybeCommit(r, leader); // removing a lagging voter may commit pending entries at once
  bcastAppend(r, leader);
  maybeFinishConfChange(r, leader);
  return index;
}

/**
 * Called whenever the commit index moves: once the latest config entry is committed, leave a
 * joint configuration (§4.3), or hand over leadership if this leader is no longer a voter.
 */
export function maybeFinishConfChange(r: Raft, leader: LeaderState): void {
  if (r.role !== leader || r.configIndex > r.log.committed) return;
  pruneTracker(r, true);
  if (r.cluster.voters.isJoint()) {
    if (committedInCurrentTerm(r)) appendConfChange(r, leader, []);
    return;
  }
  if (r.cluster.isVoter(r.id)) return;
  const to = mostCaughtUpVoter(r, leader);
  if (to === null) {
    stepDown(r, () => "it was removed from the configuration and no voter is left to take over",
      { term: r.term, lead: null });
    return;
  }
  if (leader.transfer?.to === to && leader.transfer.stepDown) return;
  leader.transfer = { to, elapsedTicks: 0, stepDown: true };
  maybeSendTimeoutNow(r, leader);
}

/** The voter other than us with the highest match index (ties: the smallest id). */
export function mostCaughtUpVoter(r: Raft, leader: LeaderState): NodeId | null {
  let best: NodeId | null = null;
  let bestMatch = -1;
  for (const id of [...r.cluster.voters.ids()].sort()) {
    const pr = leader.tracker.get(id);
    if (id === r.id || pr === undefined) continue;
    if (pr.match > bestMatch) {
      best = id;
      bestMatch = pr.match;
    }
  }
  return best;
}

/**
 * §3.10: stop accepting proposals, bring `to` (default: the most caught-up voter) up to date,
 * then tell it to campaign at once.
 * @throws ProposalDroppedError when the target is not a voter or there is no other voter.
 */
export function transferLeaderAsLeader(r: Raft, leader: LeaderState, to: NodeId | null): void {
  const target = to ?? mostCaughtUpVoter(r, leader);
  if (target === null) throw new ProposalDroppedError("no other voter to transfer leadership to");
  if (target === r.id) return;
  if (!r.cluster.isVoter(target) || leader.tracker.get(target) === undefined) {
    throw new ProposalDroppedError(`cannot transfer leadership to ${target}: not a voter`);
  }
  if (leader.transfer?.to === target) return;
  leader.transfer = { to: target, elapsedTicks: 0, stepDown: leader.transfer?.stepDown ?? false };
  if (!maybeSendTimeoutNow(r, leader)) maybeSendAppend(r, leader, target, true);
}

/** Sends TimeoutNow once the transfer target holds our whole log; a removed leader then steps
 * down. Returns whether it was sent. */
export function maybeSendTimeoutNow(r: Raft, leader: LeaderState): boolean {
  const transfer = leader.transfer;
  if (transfer === null) return false;
  const pr = leader.tracker.get(transfer.to);
  if (pr === undefined || pr.match !== r.log.lastIndex()) return false;
  r.send({ from: r.id, to: transfer.to, term: r.term, type: "TimeoutNow" });
  if (transfer.stepDown) {
    stepDown(r, () => `it was removed from the configuration and handed over to ${transfer.to}`,
      { term: r.term, lead: null });
  }
  return true;
}

/** Abort a transfer that did not finish within an election timeout (§3.10). */
export function tickTransfer(r: Raft, leader: LeaderState): void {
  const transfer = leader.transfer;
  if (transfer === null) return;
  if (++transfer.elapsedTicks < r.randomizedElectionTimeout) return;
  leader.transfer = null;
  if (transfer.stepDown) {
    stepDown(r, () => `it was removed from the configuration; the handover to ${transfer.to}`
      + " did not finish within an election timeout", { term: r.term, lead: null });
  }
  else proposeHeld(r, leader);
}
