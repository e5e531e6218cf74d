/**
 * The only functions that change a node's role. Each asserts the transition is legal:
 *   any role -> follower;  any but leader -> pre-candidate or candidate (a timed-out
 *   campaign starts over);  candidate -> leader.
 * Terms never decrease, and a term change forgets the vote (Figure 2).
 */
import { leaseDurationTicks } from "./config.js";
import { LeaderLease } from "./lease.js";
import type { Raft } from "./raft.js";
import { ReadOnly } from "./read_index.js";
import { appendLeaderEntries } from "./replication.js";
import type { LeaderState } from "./role.js";
import { ProgressTracker } from "./tracker.js";
import { assert, term as makeTerm, type NodeId, type Term } from "./types.js";

function reset(r: Raft, term: Term): void {
  assert(term >= r.term, `term would go backwards from ${r.term} to ${term}`);
  if (term !== r.term) {
    r.term = term;
    r.vote = null;
  }
  r.lead = null;
  r.heartbeatElapsed = 0;
  r.resetElectionTimer();
}

export function becomeFollower(r: Raft, term: Term, lead: NodeId | null): void {
  reset(r, term);
  r.role = { kind: "follower" };
  r.lead = lead;
}

/**
 * `becomeFollower`, saying why when this node led or campaigned: every step-down is explained
 * (info for a leader, debug for a candidate). `why` is only called when the line is written.
 */
export function stepDown(
  r: Raft,
  why: () => string,
  next: { readonly term: Term; readonly lead: NodeId | null },
): void {
  const from = r.role.kind;
  if (from === "leader") {
    r.logger.info({ id: r.id, term: r.term, code: "STEP_DOWN" },
      `${r.id} steps down as leader of term ${r.term}: ${why()}`);
  } else if (from !== "follower" && r.debugOn) {
    r.logger.debug({ id: r.id, term: r.term, code: "STEP_DOWN" },
      `${r.id} stops its ${from} campaign in term ${r.term}: ${why()}`);
  }
  becomeFollower(r, next.term, next.lead);
}

/** §9.6: a pre-candidate keeps its term and vote; only a won pre-vote leads to a real election. */
export function becomePreCandidate(r: Raft): void {
  assert(r.role.kind !== "leader", "illegal transition leader -> pre-candidate");
  r.role = { kind: "pre-candidate", votes: new Map() };
  r.lead = null;
}

/** §5.2: increment the term and vote for ourselves. */
export function becomeCandidate(r: Raft): void {
  assert(r.role.kind !== "leader", "illegal transition leader -> candidate");
  reset(r, makeTerm(r.term + 1));
  r.vote = r.id;
  r.role = { kind: "candidate", votes: new Map() };
}

/** §5.2 won; §5.4.2/§8: append a no-op of the new term so earlier entries can be committed. */
export function becomeLeader(r: Raft): LeaderState {
  assert(r.role.kind === "candidate", `illegal transition ${r.role.kind} -> leader`);
  reset(r, r.term);
  r.lead = r.id;
  const tracker = new ProgressTracker(r.cluster, {
    self: r.id,
    lastIndex: r.log.lastIndex(),
    inflightMessagesMax: r.config.inflightMessagesMax,
  });
  tracker.get(r.id)?.becomeReplicate();
  const leader: LeaderState = {
    kind: "leader",
    tracker,
    reads: new ReadOnly(r.id, r.term),
    readsBeforeCommit: [],
    readsQueued: [],
    lease: r.config.readMode === "lease"
      ? new LeaderLease({
        self: r.id, term: r.term, durationTicks: leaseDurationTicks(r.config),
        fromAckReceive: r.bugs.leaseFromAckReceive === true,
      })
      : null,
    uncommittedBytes: 0,
    replicationDue: false,
    transfer: null,
  };
  r.role = leader;
  appendLeaderEntries(r, leader, [{ kind: "noop", data: new Uint8Array(0) }]);
  return leader;
}
