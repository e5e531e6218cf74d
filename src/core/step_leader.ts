/**
 * The leader (§5.3): it tracks each follower's progress from their responses, advances the
 * commit index, accepts proposals, serves ReadIndex (§6.4), and on every tick sends heartbeats
 * and checks that a quorum is still reachable (check-quorum).
 */
import { stepDown } from "./become.js";
import { ProposalDroppedError, UncommittedBytesExceededError } from "./errors.js";
import type { AppendEntriesResponse, HeartbeatResponse, Message } from "./messages.js";
import { heartbeatContext, leaseHolds, tickLease } from "./lease.js";
import type { Raft } from "./raft.js";
import type { ReadRequest } from "./read_index.js";
import {
  appendLeaderEntries, bcastHeartbeat, flushReplication, maybeCommit, maybeSendAppend,
} from "./replication.js";
import type { LeaderState } from "./role.js";
import {
  committedInCurrentTerm, maybeFinishConfChange, maybeSendTimeoutNow, tickTransfer,
} from "./leader_membership.js";
import { assertNever, type LogIndex, type NodeId } from "./types.js";

export function stepLeader(r: Raft, leader: LeaderState, m: Message): void {
  switch (m.type) {
    case "AppendEntriesResponse":
      handleAppendEntriesResponse(r, leader, m);
      return;
    case "HeartbeatResponse":
      handleHeartbeatResponse(r, leader, m);
      return;
    case "Propose":
      // A forwarded proposal. During a transfer it is held and placed once leadership settles
      // (held_proposals.ts); one over the limits is dropped silently (the client times out).
      if (leader.transfer !== null) r.held.maybeHold(m.data, r.config.uncommittedBytesMax);
      else if (fitsUncommittedLimit(r, leader, m.data.byteLength)) {
        wantsCommit(leader, m.from, propose(r, leader, m.data));
      }
      return;
    case "ReadIndexRequest":
      if (readsPending(leader) < r.config.pendingReadsMax) {
        handleReadRequest(r, leader, { from: m.from, context: m.context });
      }
      return;
    case "AppendEntries":
    case "Heartbeat":
    case "InstallSnapshot":
      // Another leader of our term cannot exist (§5.2); only a testing bug gets here. Ignore it.
      return;
    case "PreVote":
    case "RequestVote":
    case "PreVoteResponse":
    case "RequestVoteResponse":
    case "ReadIndexResponse":
    case "TimeoutNow":
      return;
    default:
      assertNever(m, "message");
  }
}

export function tickLeader(r: Raft, leader: LeaderState): void {
  r.heartbeatElapsed++;
  r.electionElapsed++;
  tickLease(leader); // before tickTransfer, which may abandon a transfer the lease must see
  tickTransfer(r, leader);
  if (r.role !== leader) return;
  if (r.electionElapsed >= r.config.electionTimeoutTicksMin) {
    r.electionElapsed = 0;
    if (r.config.checkQuorum && !leader.tracker.checkQuorumActive(r.id)) {
      // Cut off from a quorum: stop serving reads and writes.
      stepDown(r, () => "check-quorum: fewer than a quorum of voters answered within"
        + ` the last election timeout (${r.config.electionTimeoutTicksMin} ticks)`,
        { term: r.term, lead: null });
      return;
    }
  }
  for (const pr of leader.tracker.progress.values()) {
    // No snapshot status reports exist: a lost InstallSnapshot is retried after a timeout.
    if (pr.state === "snapshot" && ++pr.snapshotElapsedTicks >= r.config.electionTimeoutTicksMax) {
      pr.becomeProbe();
    }
  }
  if (r.heartbeatElapsed >= r.config.heartbeatIntervalTicks) {
    r.heartbeatElapsed = 0;
    bcastHeartbeat(r, leader, heartbeatContext(leader, leader.reads.lastContext()));
  }
}

function fitsUncommittedLimit(r: Raft, leader: LeaderState, bytes: number): boolean {
  // As in etcd-io/raft, a proposal is always accepted when nothing is uncommitted, so a single
  // entry larger than the limit cannot wedge the leader.
  const uncommitted = leader.uncommittedBytes;
  return uncommitted === 0 || uncommitted + bytes <= r.config.uncommittedBytesMax;
}

/**
 * Appends a client command at the leader's term and replicates it.
 * @throws UncommittedBytesExceededError when the uncommitted tail would pass its limit.
 * @throws ProposalDroppedError while a leadership transfer is in progress (§3.10).
 */
export function proposeAsLeader(r: Raft, leader: LeaderState, data: Uint8Array): LogIndex {
  if (leader.transfer !== null) {
    throw new ProposalDroppedError("leadership transfer in progress");
  }
  if (!fitsUncommittedLimit(r, leader, data.byteLength)) {
    const wouldBe = leader.uncommittedBytes + data.byteLength;
    throw new UncommittedBytesExceededError(wouldBe, r.config.uncommittedBytesMax);
  }
  return propose(r, leader, data);
}

function propose(r: Raft, leader: LeaderState, data: Uint8Array): LogIndex {
  const index = appendLeaderEntries(r, leader, [{ kind: "normal", data }]);
  leader.replicationDue = true;
  return index;
}

function readsPending(leader: LeaderState): number {
  return leader.reads.pendingCount() + leader.readsBeforeCommit.length + leader.readsQueued.length;
}

/**
 * A read asked of this leader by its caller.
 * @throws ProposalDroppedError when pendingReadsMax reads are already waiting.
 */
export function readIndexAsLeader(r: Raft, leader: LeaderState, context: string): void {
  if (readsPending(leader) >= r.config.pendingReadsMax) {
    throw new ProposalDroppedError(`${readsPending(leader)} reads pending (pendingReadsMax)`);
  }
  handleReadRequest(r, leader, { from: r.id, context });
}

/**
 * §6.4: (1) the leader must have committed an entry of its term, so its commit index is at
 * least that of any earlier leader; (2) record the commit index as the read index; (3) confirm
 * leadership with a heartbeat round a quorum acknowledges; then release the read.
 */
function handleReadRequest(r: Raft, leader: LeaderState, request: ReadRequest): void {
  if (r.bugs.readWithoutQuorum === true) {
    respondToRead(r, request, r.log.committed);
    return;
  }
  if (!committedInCurrentTerm(r)) {
    leader.readsBeforeCommit.push(request);
    return;
  }
  if (r.isSingleVoter() || leaseHolds(r, leader)) {
    respondToRead(r, request, r.log.committed);
    return;
  }
  leader.readsQueued.push(request);
}

/**
 * Starts one round for every read queued since the last Ready, at the commit index now: at least
 * the commit index when each of them arrived, and its heartbeats leave after they all arrived,
 * so the quorum's acknowledgements prove leadership at a point inside each read (§6.4).
 */
export function flushReads(r: Raft, leader: LeaderState): void {
  if (leader.readsQueued.length === 0) return;
  const requests = leader.readsQueued.splice(0);
  const context = leader.reads.addRound(r.log.committed, requests);
  bcastHeartbeat(r, leader, heartbeatContext(leader, context));
}

/** Starts one round for the reads that waited for this term's first commit. */
function releaseReadsBeforeCommit(r: Raft, leader: LeaderState): void {
  if (leader.readsBeforeCommit.length === 0 || !committedInCurrentTerm(r)) return;
  const requests = leader.readsBeforeCommit.splice(0);
  if (r.isSingleVoter() || leaseHolds(r, leader)) {
    for (const request of requests) respondToRead(r, request, r.log.committed);
    return;
  }
  const context = leader.reads.addRound(r.log.committed, requests);
  bcastHeartbeat(r, leader, heartbeatContext(leader, context));
}

/** The read index a lease-mode leader may serve at once (§6.4.1), or null to ask a quorum. */
export function leaseReadIndex(r: Raft, leader: LeaderState): LogIndex | null {
  return leaseHolds(r, leader) ? r.log.committed : null;
}

function respondToRead(r: Raft, request: ReadRequest, index: LogIndex): void {
  if (request.from === r.id) {
    r.readStates.push({ index, context: request.context });
  } else {
    const { from, context } = request;
    r.send({ from: r.id, to: from, term: r.term, type: "ReadIndexResponse", context, index });
    // It serves the read once it applied `index`: tell it the commit (flushReplication).
    if (r.role.kind === "leader") {
      wantsCommit(r.role, from, index);
      r.role.replicationDue = true;
    }
  }
}

/** Follower `from` waits to learn that `index` is committed (Progress.commitWanted). */
function wantsCommit(leader: LeaderState, from: NodeId, index: LogIndex): void {
  const pr = leader.tracker.get(from);
  if (pr !== undefined && pr.commitWanted < index) pr.commitWanted = index;
}

function handleAppendEntriesResponse(r: Raft, leader: LeaderState, m: AppendEntriesResponse): void {
  const pr = leader.tracker.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  if (m.reject) {
    // §5.3 fast backtracking: skip to the last index of a term both logs may share.
    const probe = m.hintTerm > 0
      ? r.log.findConflictByTerm(m.hintIndex, m.hintTerm).index
      : m.hintIndex;
    if (pr.maybeDecrTo(m.index, probe)) {
      if (pr.state === "replicate") pr.becomeProbe();
      maybeSendAppend(r, leader, m.from, true);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (!pr.maybeUpdate(m.index)) return;
  switch (pr.state) {
    case "probe":
      pr.becomeReplicate();
      break;
    case "snapshot":
      // The snapshot (or an append) landed: resume normal replication from the new match.
      pr.becomeProbe();
      pr.becomeReplicate();
      break;
    case "replicate":
      pr.inflights.freeLE(m.index);
      pr.paused = pr.inflights.full();
      break;
    default:
      assertNever(pr.state, "progress state");
  }
  const committedBefore = r.log.committed;
  if (maybeCommit(r, leader)) {
    afterCommit(r, leader, committedBefore);
    if (r.role !== leader) return; // a removed leader handed over
  } else if (wasPaused) {
    maybeSendAppend(r, leader, m.from, true);
  }
  // Pipeline whatever else the follower is missing, up to the inflight limit.
  for (let i = 0; i < r.config.inflightMessagesMax; i++) {
    if (!maybeSendAppend(r, leader, m.from, false)) break;
  }
  if (leader.transfer?.to === m.from) maybeSendTimeoutNow(r, leader);
}

/** The commit index moved: serve waiting reads, tell followers, maybe finish a config change. */
function afterCommit(r: Raft, leader: LeaderState, committedBefore: LogIndex): void {
  releaseReadsBeforeCommit(r, leader);
  leader.replicationDue = true;
  // A config entry just committed: finishing it may prune removed followers or hand leadership
  // over, so tell every follower the commit now (§4.2.2: a removed node that learns its removal
  // committed stops campaigning).
  if (committedBefore < r.configIndex && r.configIndex <= r.log.committed) {
    flushReplication(r, leader, true);
  }
  maybeFinishConfChange(r, leader);
}

/**
 * The caller made this leader's log durable through `index` (`advance`): only now does its own
 * copy count towards a quorum, so a commit never rests on an entry the leader could still lose
 * in a crash, even though its AppendEntries went out before its fsync (§10.2.1).
 */
export function selfPersisted(r: Raft, leader: LeaderState, index: LogIndex): void {
  const self = leader.tracker.get(r.id);
  if (self === undefined || !self.maybeUpdate(index)) return;
  const committedBefore = r.log.committed;
  if (maybeCommit(r, leader)) afterCommit(r, leader, committedBefore);
}

function handleHeartbeatResponse(r: Raft, leader: LeaderState, m: HeartbeatResponse): void {
  const pr = leader.tracker.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  if (pr.state === "probe") pr.paused = false;
  // Let one append out even when the window is full: its answer repairs lost appends.
  if (pr.state === "replicate" && pr.inflights.full()) {
    pr.inflights.freeFirstOne();
    pr.paused = false;
  }
  if (pr.match < r.log.lastIndex()) maybeSendAppend(r, leader, m.from, true);
  if (m.context === null) return;
  leader.lease?.recvAck(m.from, m.context);
  const voters = leader.tracker.config.voters;
  const quorumValue = (valueOf: (id: NodeId) => number | undefined) => voters.quorumValue(valueOf);
  const released = leader.reads.recvAck(m.from, m.context, quorumValue);
  for (const { index, request } of released) respondToRead(r, request, index);
}
