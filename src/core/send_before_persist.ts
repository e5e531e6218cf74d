/**
 * Which of a Ready's messages may leave before the Ready is persisted (§10.2.1 of Ongaro's
 * dissertation: the leader may write its log in parallel with replicating it).
 *
 * A leader's replication messages promise nothing about its own disk: a follower stores what it
 * receives and acknowledges its own copy, and the leader counts its own copy towards a quorum
 * only after `advance` reports it durable (`selfPersisted`). What must be durable first is the
 * term they carry: a leader elected in a term that a crash could forget might, after restart,
 * be elected again in the same term and send different entries under the same (index, term),
 * breaking Log Matching (§5.3). So only AppendEntries, Heartbeat and InstallSnapshot of a term
 * already on disk qualify; votes, vote requests and acknowledgements always wait (Figure 2).
 */
import type { Message } from "./messages.js";
import type { Term } from "./types.js";

const REPLICATION_TYPES: ReadonlySet<Message["type"]> =
  new Set(["AppendEntries", "Heartbeat", "InstallSnapshot"]);

export function maySendBeforePersist(message: Message, durableTerm: Term): boolean {
  return REPLICATION_TYPES.has(message.type) && message.term <= durableTerm;
}
