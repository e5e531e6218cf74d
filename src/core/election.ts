/**
 * Leader election (§5.2) with pre-vote (§9.6 of the dissertation): starting a campaign, answering
 * (pre)vote requests, and counting the answers. Votes are granted at most once per term and only
 * to candidates whose log is at least as up to date as ours (§5.4.1); the vote is part of the
 * HardState handed out in the same Ready as the response, so it is durable before it is sent.
 */
import { TERM_MAX } from "./bounds.js";
import { proposeHeld } from "./held_proposals.js";
import { becomeCandidate, becomeLeader, becomePreCandidate, stepDown } from "./become.js";
import type { PreVote, PreVoteResponse, RequestVote, RequestVoteResponse } from "./messages.js";
import { mayCampaign } from "./membership.js";
import type { Raft } from "./raft.js";
import { bcastAppend } from "./replication.js";
import type { CandidateState, PreCandidateState } from "./role.js";
import { assertNever, term as makeTerm } from "./types.js";

type CampaignKind = "pre-election" | "election" | "transfer";

/**
 * The election timeout fired (or TimeoutNow arrived): campaign unless we lead or cannot vote.
 * A node at TERM_MAX (bounds.ts) cannot start a new term: it refuses, loudly, and stays a
 * follower (only a bug or a hostile peer can have brought it there).
 */
export function hup(r: Raft, options: { transfer: boolean }): void {
  if (r.role.kind === "leader" || !mayCampaign(r)) return;
  if (r.term >= TERM_MAX) {
    r.logger.error({ id: r.id, term: r.term, code: "TERM_EXHAUSTED" },
      `${r.id} refuses to campaign: its term ${r.term} is at TERM_MAX (${TERM_MAX})`);
    return;
  }
  const kind: CampaignKind = options.transfer
    ? "transfer"
    : r.config.preVote ? "pre-election" : "election";
  campaign(r, kind);
}

function campaign(r: Raft, kind: CampaignKind): void {
  const pre = kind === "pre-election";
  if (pre) becomePreCandidate(r);
  else becomeCandidate(r);
  const role = r.role;
  if (role.kind !== "pre-candidate" && role.kind !== "candidate") return;
  role.votes.set(r.id, true);
  if (r.cluster.voters.voteResult(role.votes) === "won") {
    winVote(r, role);
    return;
  }
  // A pre-vote asks about the term we would campaign at, without moving to it (§9.6).
  const voteTerm = pre ? makeTerm(r.term + 1) : r.term;
  const lastLogIndex = r.log.lastIndex();
  const lastLogTerm = r.log.lastTerm();
  for (const id of r.cluster.voters.ids()) {
    if (id === r.id) continue;
    if (pre) {
      r.send({ from: r.id, to: id, term: voteTerm, type: "PreVote", lastLogIndex, lastLogTerm });
    } else {
      const transfer = kind === "transfer";
      r.send({
        from: r.id, to: id, term: voteTerm, type: "RequestVote",
        lastLogIndex, lastLogTerm, transfer,
      });
    }
  }
}

function winVote(r: Raft, role: PreCandidateState | CandidateState): void {
  if (role.kind === "pre-candidate") {
    campaign(r, "election");
    return;
  }
  const leader = becomeLeader(r);
  proposeHeld(r, leader);
  bcastAppend(r, leader);
}

/**
 * §5.2/§5.4.1: grant if we have not voted for someone else this term (or, for a pre-vote, the
 * request is for a later term) and the candidate's log is at least as up to date as ours. The
 * term rules (raft.ts) already ignored requests while a leader lease holds.
 */
export function handleVoteRequest(r: Raft, m: PreVote | RequestVote): void {
  const isPre = m.type === "PreVote";
  const canVote = r.vote === m.from
    || (r.vote === null && r.lead === null)
    || (isPre && m.term > r.term);
  const grant = canVote && r.log.isUpToDate(m.lastLogIndex, m.lastLogTerm);
  if (!grant && r.debugOn) {
    const why = canVote
      ? `its log (last index ${m.lastLogIndex}, term ${m.lastLogTerm}) is behind this node's`
        + ` (${r.log.lastIndex()}, ${r.log.lastTerm()})`
      : r.vote === null
        ? `this node follows leader ${r.lead ?? "none"} in term ${r.term}`
        : `this node already voted for ${r.vote} in term ${r.term}`;
    r.logger.debug({ id: r.id, from: m.from, term: m.term, code: "VOTE_REFUSED" },
      `Refused ${isPre ? "pre-vote" : "vote"} to ${m.from} for term ${m.term}: ${why}`);
  }
  const responseType = isPre ? "PreVoteResponse" : "RequestVoteResponse";
  // A granted response carries the request's term (a pre-vote's is in our future).
  const term = grant ? m.term : r.term;
  r.send({ from: r.id, to: m.from, term, type: responseType, reject: !grant });
  if (grant && !isPre) {
    r.electionElapsed = 0;
    r.vote = m.from;
  }
}

/** Counts one answer; the first answer from each voter is the one that counts. */
export function handleVoteResponse(
  r: Raft,
  role: PreCandidateState | CandidateState,
  m: PreVoteResponse | RequestVoteResponse,
): void {
  if ((m.type === "PreVoteResponse") !== (role.kind === "pre-candidate")) return;
  if (!role.votes.has(m.from)) role.votes.set(m.from, !m.reject);
  const result = r.cluster.voters.voteResult(role.votes);
  switch (result) {
    case "won":
      winVote(r, role);
      return;
    case "lost":
      stepDown(r, () => `a majority of voters refused its ${role.kind === "pre-candidate" ? "pre-vote" : "vote"}`,
        { term: r.term, lead: null });
      return;
    case "pending":
      return;
    default:
      assertNever(result, "vote result");
  }
}
