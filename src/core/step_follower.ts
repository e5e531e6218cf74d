/**
 * A follower (§5.2): it answers the leader's AppendEntries, heartbeats and snapshots, resets its
 * election clock whenever it hears from the leader of its term, and relays ReadIndex answers to
 * its caller. The handle* functions are shared with candidates, which become followers first.
 */
import { forwardHeld } from "./held_proposals.js";
import type { AppendEntries, Heartbeat, InstallSnapshot, Message } from "./messages.js";
import type { Raft } from "./raft.js";
import { noteAppended, noteSnapshotRestored } from "./membership.js";
import {
  assertNever, INDEX_ZERO, logIndex, TERM_ZERO, type LogIndex, type NodeId,
} from "./types.js";

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case "AppendEntries":
      heardFromLeader(r, m);
      handleAppendEntries(r, m);
      return;
    case "Heartbeat":
      heardFromLeader(r, m);
      handleHeartbeat(r, m);
      return;
    case "InstallSnapshot":
      heardFromLeader(r, m);
      handleSnapshot(r, m);
      return;
    case "ReadIndexResponse":
      r.readStates.push({ index: m.index, context: m.context });
      return;
    case "Propose":
      // Sent to us as leader. Just stepped down (a transfer) and no leader known yet: hold it
      // until we hear from one (held_proposals.ts). Otherwise drop it: never forwarded twice.
      if (r.lead === null) r.held.maybeHold(m.data, r.config.uncommittedBytesMax);
      return;
    case "ReadIndexRequest":
      // Only the leader serves these; the client times out and retries (never forwarded twice).
      return;
    case "TimeoutNow":
    case "PreVote":
    case "RequestVote":
    case "PreVoteResponse":
    case "RequestVoteResponse":
    case "AppendEntriesResponse":
    case "HeartbeatResponse":
      return; // votes and TimeoutNow are handled by raft.ts; the rest is stale
    default:
      assertNever(m, "message");
  }
}

function heardFromLeader(r: Raft, m: Message): void {
  r.electionElapsed = 0;
  r.lead = m.from;
  if (r.held.size > 0) forwardHeld(r, m.from);
}

/**
 * §5.3: accept if our log has prevLogIndex at prevLogTerm. On reject, hint where the leader
 * should probe next: our last index if we are shorter, else the last index whose term is not
 * above prevLogTerm, so the leader skips a whole conflicting term at once.
 */
export function handleAppendEntries(r: Raft, m: AppendEntries): void {
  if (m.prevLogIndex < r.log.committed) {
    // Everything up to our commit index matches the leader already (Log Matching, §5.3).
    acceptAppend(r, m.from, r.log.committed);
    return;
  }
  const lastNew = r.log.maybeAppend(
    { index: m.prevLogIndex, term: m.prevLogTerm },
    m.commit,
    m.entries,
    { truncateOnStaleAppend: r.bugs.truncateOnStaleAppend === true },
  );
  if (lastNew !== null) {
    noteAppended(r, m.entries);
    acceptAppend(r, m.from, lastNew);
    return;
  }
  const last = r.log.lastIndex();
  const probe = m.prevLogIndex < last ? m.prevLogIndex : last;
  const hint = r.log.findConflictByTerm(probe, m.prevLogTerm);
  r.send({
    from: r.id, to: m.from, term: r.term, type: "AppendEntriesResponse",
    reject: true, index: m.prevLogIndex, hintIndex: hint.index, hintTerm: hint.term,
  });
}

/** An accepting AppendEntriesResponse. */
function acceptAppend(r: Raft, to: NodeId, index: LogIndex): void {
  r.send({
    from: r.id, to, term: r.term, type: "AppendEntriesResponse",
    hintIndex: INDEX_ZERO, hintTerm: TERM_ZERO, reject: false, index,
  });
}

export function handleHeartbeat(r: Raft, m: Heartbeat): void {
  // The leader caps the commit at our known match, so it is within our log. Only the
  // truncateOnStaleAppend testing bug can break that; clamp then so the simulator sees the damage.
  const last = r.log.lastIndex();
  const commit = r.bugs.truncateOnStaleAppend === true && m.commit > last ? last : m.commit;
  r.log.commitTo(commit);
  r.send({ from: r.id, to: m.from, term: r.term, type: "HeartbeatResponse", context: m.context });
}

/**
 * §7: ignore a snapshot at or below our commit index; if our log already has its last entry,
 * just move the commit index; otherwise restore from it (handed out in the next Ready).
 */
export function handleSnapshot(r: Raft, m: InstallSnapshot): void {
  const { index, term } = m.snapshot.metadata;
  if (index > r.log.committed) {
    if (r.log.matchTerm(index, term)) {
      r.log.commitTo(index);
    } else {
      r.log.restore(m.snapshot);
      noteSnapshotRestored(r, m.snapshot.metadata.confState);
    }
  }
  // Our committed prefix matches the leader's log (§5.4.3), whichever branch was taken.
  r.send({
    from: r.id, to: m.from, term: r.term, type: "AppendEntriesResponse", reject: false,
    index: r.log.committed, hintIndex: logIndex(0), hintTerm: TERM_ZERO,
  });
}
