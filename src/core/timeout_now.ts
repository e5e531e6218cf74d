/**
 * TimeoutNow (§3.10 of the dissertation, "Leadership transfer extension"): the leader tells a
 * caught-up voter to start an election at once, skipping pre-vote and the followers' lease
 * promise. That power is only safe in the leader's hands: the leader first stops taking
 * proposals and revokes its own read lease (raft_node.ts `transferLeader`), which is what makes
 * skipping the promise safe. So a node obeys TimeoutNow only when it is a follower, the message
 * carries its current term, comes from the leader it follows in that term, and it is a voter.
 * Anything else (a forged or stale TimeoutNow) is dropped and logged; it changes nothing.
 */
import { hup } from "./election.js";
import type { TimeoutNow } from "./messages.js";
import type { Raft } from "./raft.js";

/** Starts a transfer campaign if `m` is a TimeoutNow this node may obey; else logs why not. */
export function handleTimeoutNow(r: Raft, m: TimeoutNow): void {
  const refusal = timeoutNowRefusal(r, m);
  if (refusal === null) {
    hup(r, { transfer: true });
    return;
  }
  r.logger.warn({ id: r.id, from: m.from, term: m.term, code: "TIMEOUT_NOW_REFUSED" },
    `Ignored TimeoutNow from ${m.from}: ${refusal}`);
}

/** Why `m` must not start a campaign here, or null when it may. */
function timeoutNowRefusal(r: Raft, m: TimeoutNow): string | null {
  if (r.role.kind !== "follower") return `this node is a ${r.role.kind}, not a follower`;
  if (m.term !== r.term) return `its term ${m.term} is not this node's term ${r.term}`;
  if (m.from !== r.lead) {
    return `${m.from} is not the leader this node follows in term ${r.term} (${r.lead ?? "none"})`;
  }
  if (!r.cluster.isVoter(r.id)) return "this node is not a voter";
  if (r.campaignsHeld) return "this node is held back from campaigning (its disk stalled)";
  return null;
}
