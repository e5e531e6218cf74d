/**
 * Candidates and pre-candidates (§5.2, §9.6): they count votes, and step down to follower as
 * soon as they hear from a leader of their term (the election was lost to it).
 */
import { stepDown } from "./become.js";
import { handleVoteResponse } from "./election.js";
import type { Message } from "./messages.js";
import type { Raft } from "./raft.js";
import type { CandidateState, PreCandidateState } from "./role.js";
import { handleAppendEntries, handleHeartbeat, handleSnapshot } from "./step_follower.js";
import { assertNever } from "./types.js";

export function stepCandidate(r: Raft, role: PreCandidateState | CandidateState, m: Message): void {
  switch (m.type) {
    case "AppendEntries":
      stepDown(r, () => `${m.from} leads term ${m.term}`, { term: m.term, lead: m.from });
      handleAppendEntries(r, m);
      return;
    case "Heartbeat":
      stepDown(r, () => `${m.from} leads term ${m.term}`, { term: m.term, lead: m.from });
      handleHeartbeat(r, m);
      return;
    case "InstallSnapshot":
      stepDown(r, () => `${m.from} leads term ${m.term}`, { term: m.term, lead: m.from });
      handleSnapshot(r, m);
      return;
    case "PreVoteResponse":
    case "RequestVoteResponse":
      handleVoteResponse(r, role, m);
      return;
    case "Propose":
    case "ReadIndexRequest":
    case "ReadIndexResponse":
    case "TimeoutNow":
    case "PreVote":
    case "RequestVote":
    case "AppendEntriesResponse":
    case "HeartbeatResponse":
      return; // no leader to serve or relay these; votes and TimeoutNow are handled by raft.ts
    default:
      assertNever(m, "message");
  }
}
