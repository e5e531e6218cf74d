/**
 * The leader's side of log replication (§5.3): appending to its own log, sending AppendEntries
 * (or InstallSnapshot, §7, when a follower needs compacted entries) under per-follower flow
 * control, heartbeats, and advancing the commit index (§5.3/§5.4.2).
 *
 * The leader's own match index is its last index: its new entries go out in the same Ready as
 * the messages that replicate them, and the caller persists a Ready before sending anything or
 * applying committed entries, so by the time any effect of a commit is visible the leader's own
 * copy is durable.
 */
import { CompactedError } from "./errors.js";
import type { Entry, EntryKind } from "./messages.js";
import type { Progress } from "./progress.js";
import type { Raft } from "./raft.js";
import type { LeaderState } from "./role.js";
import { logIndex, type LogIndex, type NodeId } from "./types.js";

export interface NewEntry {
  readonly kind: EntryKind;
  readonly data: Uint8Array;
}

/** Appends entries at the leader's term; returns the last index. */
export function appendLeaderEntries(
  r: Raft,
  leader: LeaderState,
  items: readonly NewEntry[],
): LogIndex {
  const first = r.log.lastIndex() + 1;
  const entries: Entry[] = items.map((item, i) => ({
    term: r.term, index: logIndex(first + i), kind: item.kind, data: item.data,
  }));
  const lastIndex = r.log.append(entries);
  // The leader's own copy counts towards commitment only once it is durable (`selfPersisted`,
  // from `advance`): its AppendEntries may then go out before its own fsync (§10.2.1).
  for (const item of items) leader.uncommittedBytes += item.data.byteLength;
  return lastIndex;
}

/**
 * §5.3/§5.4.2 (Figure 8): the commit index is the largest index on a quorum, but only an entry
 * of the current term is committed by counting replicas; earlier ones are committed with it.
 */
export function maybeCommit(r: Raft, leader: LeaderState): boolean {
  const index = leader.tracker.committedIndex();
  if (r.bugs.commitPreviousTermByCount === true) {
    if (index <= r.log.committed) return false;
    r.log.commitTo(index);
    return true;
  }
  return r.log.maybeCommit(index, r.term);
}

function entriesOrNull(r: Raft, from: LogIndex): readonly Entry[] | null {
  try {
    return r.log.entriesFrom(from, r.config.messageBytesMax);
  } catch (error: unknown) {
    if (error instanceof CompactedError) return null;
    throw error;
  }
}

/**
 * Sends one AppendEntries to `to` unless its progress is paused. With `sendIfEmpty` false an
 * append with no entries is not sent. Returns whether a message went out.
 */
export function maybeSendAppend(
  r: Raft,
  leader: LeaderState,
  to: NodeId,
  sendIfEmpty: boolean,
): boolean {
  const pr = leader.tracker.get(to);
  if (pr === undefined || pr.isPaused()) return false;
  const prevLogIndex = logIndex(pr.next - 1);
  const prevLogTerm = r.log.termOrNull(prevLogIndex);
  const entries = prevLogTerm === null ? null : entriesOrNull(r, pr.next);
  if (prevLogTerm === null || entries === null) return maybeSendSnapshot(r, pr, to);
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send({
    from: r.id, to, term: r.term, type: "AppendEntries", prevLogIndex, prevLogTerm, entries,
    commit: r.log.committed,
  });
  pr.commitSent = r.log.committed;
  pr.sentEntries(entries.length, logIndex(prevLogIndex + entries.length));
  return true;
}

/** §7: the entries `to` needs are compacted; send the snapshot that covers them. */
function maybeSendSnapshot(r: Raft, pr: Progress, to: NodeId): boolean {
  if (!pr.recentActive) return false; // do not ship snapshots to nodes that seem down
  const snapshot = r.log.snapshot();
  if (snapshot.metadata.index === 0) return false;
  r.send({ from: r.id, to, term: r.term, type: "InstallSnapshot", snapshot });
  pr.becomeSnapshot(snapshot.metadata.index);
  return true;
}

/** Sends every other node what it is missing (or an empty append carrying the commit index). */
export function bcastAppend(r: Raft, leader: LeaderState): void {
  for (const id of leader.tracker.progress.keys()) {
    if (id !== r.id) maybeSendAppend(r, leader, id, true);
  }
}

/**
 * Sends the appends that proposals and commit advances made due: new entries to whoever lacks
 * them, and an empty append to a follower not yet told the commit index. With `commitOnDemand`
 * (the runtime's setting) that empty append goes only to a follower that waits for the commit
 * (an entry it forwarded, a read index it was given: `Progress.commitWanted`), or to every
 * follower when `announce` (a configuration entry committed); any other follower learns the
 * commit index from the next append or heartbeat. An empty append per follower per commit woke
 * every follower twice per write (append, ack) for nothing: a quarter of a one-client write's
 * hops on a 2-core machine (docs/performance.md).
 */
export function flushReplication(r: Raft, leader: LeaderState, announce = false): void {
  if (!leader.replicationDue) return;
  leader.replicationDue = false;
  const committed = r.log.committed;
  for (const [id, pr] of leader.tracker.progress) {
    if (id === r.id) continue;
    const told = announce || r.config.commitOnDemand !== true || pr.commitWanted >= committed
      ? committed : pr.commitWanted;
    if (!maybeSendAppend(r, leader, id, pr.commitSent < told)) continue;
    // Pipeline the rest, up to the inflight window (each message within messageBytesMax).
    for (let i = 1; i < r.config.inflightMessagesMax; i++) {
      if (!maybeSendAppend(r, leader, id, false)) break;
    }
  }
}

/**
 * Heartbeats assert leadership and carry the commit index, capped at what each follower is known
 * to match so that a follower never commits past an entry it may not have (§5.3).
 */
export function bcastHeartbeat(r: Raft, leader: LeaderState, context: string | null): void {
  for (const [id, pr] of leader.tracker.progress) {
    if (id === r.id) continue;
    const commit = pr.match < r.log.committed ? pr.match : r.log.committed;
    r.send({ from: r.id, to: id, term: r.term, type: "Heartbeat", commit, context });
  }
}
