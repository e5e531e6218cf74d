/**
 * One node's Raft state and the rules every role shares: the term rules of §5.1 applied to each
 * incoming message before it is dispatched by role, the logical clock (ticks), and the outbox.
 * Role-specific handling lives in step_leader.ts, step_candidate.ts and step_follower.ts;
 * elections in election.ts; role changes in become.ts.
 */
import { HeldProposals } from "./held_proposals.js";
import { becomeFollower, stepDown } from "./become.js";
import { TERM_MAX } from "./bounds.js";
import type { RaftConfig, TestingBugs } from "./config.js";
import { levelEnabled, silentLogger, type Logger } from "./logger.js";
import { handleVoteRequest, hup } from "./election.js";
import { loadConfig, mayCampaign } from "./membership.js";
import { RaftLog } from "./log.js";
import type { Message } from "./messages.js";
import type { ReadState } from "./ready.js";
import type { Rng } from "./rng.js";
import type { Role } from "./role.js";
import { stepCandidate } from "./step_candidate.js";
import { stepFollower } from "./step_follower.js";
import { stepLeader, tickLeader } from "./step_leader.js";
import { handleTimeoutNow } from "./timeout_now.js";
import type { Storage } from "./storage.js";
import { ClusterConfig } from "./tracker.js";
import {
  assert, AssertionError, assertNever, logIndex, TERM_ZERO, type LogIndex, type NodeId, type Term,
} from "./types.js";

export interface RaftOptions {
  readonly config: RaftConfig;
  readonly storage: Storage;
  readonly rng: Rng;
  readonly applied?: LogIndex;
}

export class Raft {
  readonly id: NodeId;
  readonly config: RaftConfig;
  readonly bugs: TestingBugs;
  readonly logger: Logger;
  /** Debug lines (refused votes, dropped messages) are built only when this is set. */
  readonly debugOn: boolean;
  readonly log: RaftLog;
  readonly rng: Rng;
  cluster: ClusterConfig;
  /** Where `cluster` came from: the last config entry in the log, or the snapshot (§4.1). */
  configIndex: LogIndex = logIndex(0);
  configTerm: Term = TERM_ZERO;
  /** This node was a voter in the configuration before `cluster` and is not one in it. */
  removedByConfig = false;
  /**
   * The runtime holds this node back from campaigning (a leader that stepped down because its
   * own disk stalled, until the disk has been healthy for a while). It still votes.
   */
  campaignsHeld = false;
  term: Term;
  vote: NodeId | null;
  lead: NodeId | null = null;
  role: Role = { kind: "follower" };
  /** Ticks since the last election timeout reset (or, on the leader, the last quorum check). */
  electionElapsed = 0;
  heartbeatElapsed = 0;
  /** Drawn from [electionTimeoutTicksMin, electionTimeoutTicksMax) at every reset (§5.2). */
  randomizedElectionTimeout = 0;
  /**
   * Ticks since a message from the leader of our term was accepted, or since this node started.
   * Unlike `lead`, no other message resets it: lease mode's promise to the leader (lease.ts).
   */
  leaderContactTicks = 0;
  msgs: Message[] = [];
  /** Forwarded proposals waiting for a leader to take them (held_proposals.ts). */
  readonly held = new HeldProposals();
  readStates: ReadState[] = [];

  constructor(options: RaftOptions) {
    const { hardState, confState } = options.storage.initialState();
    this.id = options.config.id;
    this.config = options.config;
    this.bugs = options.config.testingBugs ?? {};
    this.logger = options.config.logger ?? silentLogger;
    this.debugOn = levelEnabled(this.logger, "debug");
    this.rng = options.rng;
    this.log = new RaftLog(options.storage);
    this.cluster = new ClusterConfig(confState);
    loadConfig(this, confState);
    this.term = hardState.term;
    this.vote = hardState.vote;
    assert(hardState.commit <= this.log.lastIndex(),
      `stored commit ${hardState.commit} is past the last index ${this.log.lastIndex()}`);
    this.log.commitTo(hardState.commit);
    if (options.applied !== undefined) this.log.appliedTo(options.applied);
    becomeFollower(this, this.term, null);
  }

  /**
   * Enqueues a message; the caller sends it after persisting the Ready that carries it. Callers
   * write each message's envelope (`from: r.id, to, term`; term 0 for forwarded proposals and
   * reads, which are outside the term protocol) into one literal: spreading a shared envelope
   * object into a message costs V8 microseconds per message.
   */
  send(message: Message): void {
    // Per message: the failure message is built only on failure.
    if (message.from !== this.id || message.to === this.id) {
      throw new AssertionError(`bad envelope ${message.from}->${message.to}`);
    }
    this.msgs.push(message);
  }

  /** Resets the election clock with a fresh random timeout (§5.2: split votes are rare). */
  resetElectionTimer(): void {
    this.electionElapsed = 0;
    const { electionTimeoutTicksMin: min, electionTimeoutTicksMax: max } = this.config;
    this.randomizedElectionTimeout = min + this.rng.nextInt(max - min);
  }

  /** Whether we heard from a live leader within the (minimum) election timeout. */
  inLeaderLease(): boolean {
    return this.lead !== null && this.electionElapsed < this.config.electionTimeoutTicksMin;
  }

  isSingleVoter(): boolean {
    return this.cluster.voters.voteResult(new Map([[this.id, true]])) === "won";
  }

  /**
   * Lease mode: the promise a leader's lease counts on (lease.ts). Within
   * electionTimeoutTicksMin ticks of hearing from a leader, or of starting (we may have heard
   * from one just before a crash), ignore (pre)vote requests of any term, except a transfer
   * campaign (§3.10), which its leader authorized after revoking its own lease.
   */
  leasePromiseForbids(m: Message): boolean {
    if (this.config.readMode !== "lease") return false;
    const isVoteRequest = m.type === "PreVote" || m.type === "RequestVote";
    if (!isVoteRequest || (m.type === "RequestVote" && m.transfer)) return false;
    return this.leaderContactTicks < this.config.electionTimeoutTicksMin;
  }

  tick(): void {
    this.leaderContactTicks++;
    if (this.role.kind === "leader") {
      tickLeader(this, this.role);
      return;
    }
    this.electionElapsed++;
    this.held.tick(this.randomizedElectionTimeout);
    // Learners, removed nodes and nodes not yet added never campaign (§4.2.2).
    if (!mayCampaign(this)) return;
    // A lone voter cannot be outvoted: it need not wait for a timeout to elect itself.
    if (this.electionElapsed >= this.randomizedElectionTimeout || this.isSingleVoter()) {
      this.electionElapsed = 0;
      hup(this, { transfer: false });
    }
  }

  step(m: Message): void {
    if (m.to !== this.id) {
      throw new AssertionError(`message for ${m.to} delivered to ${this.id}`);
    }
    if (m.from === this.id) return;
    if (this.leasePromiseForbids(m)) {
      if (this.debugOn) {
        this.dropped(m, `this node heard from a leader ${this.leaderContactTicks} ticks ago`
          + " and promised it a lease (lease mode)");
      }
      return;
    }
    if (m.term > TERM_MAX) {
      // The transport's decoder drops these; this guards every other way in (bounds.ts).
      this.logger.error({ id: this.id, from: m.from, type: m.type, term: m.term },
        `Dropped ${m.type} from ${m.from}: term ${m.term} is past TERM_MAX (${TERM_MAX})`);
      return;
    }
    if (m.term !== 0 && !this.applyTermRules(m)) return;
    const fromLeader = m.type === "AppendEntries" || m.type === "Heartbeat"
      || m.type === "InstallSnapshot";
    if (fromLeader && m.term === this.term) this.leaderContactTicks = 0;
    if (m.type === "PreVote" || m.type === "RequestVote") handleVoteRequest(this, m);
    else if (m.type === "TimeoutNow") handleTimeoutNow(this, m);
    else this.stepByRole(m);
  }

  /** §5.1. Returns false when the message must be ignored. */
  private applyTermRules(m: Message): boolean {
    if (m.term > this.term) {
      if (m.type === "PreVote" || m.type === "RequestVote") {
        const transfer = m.type === "RequestVote" && m.transfer;
        // Leader lease: while a live leader is heard from, a (pre)candidate elsewhere is
        // disrupting a healthy cluster and is ignored (§9.6 / check-quorum).
        const leaseApplies = this.config.checkQuorum
          || (m.type === "PreVote" && this.config.preVote);
        if (!transfer && leaseApplies && this.inLeaderLease()) {
          if (this.debugOn) {
            this.dropped(m, `this node follows leader ${this.lead ?? "none"} in term ${this.term}`
              + " and heard from it within the election timeout");
          }
          return false;
        }
      }
      if (m.type === "PreVote" || (m.type === "PreVoteResponse" && !m.reject)) {
        // Pre-votes are sent at a future term and never bump ours (§9.6).
        return true;
      }
      const fromLeader = m.type === "AppendEntries" || m.type === "Heartbeat"
        || m.type === "InstallSnapshot";
      stepDown(this, () => `${m.from} sent ${m.type} at term ${m.term}, above this node's ${this.term}`,
        { term: m.term, lead: fromLeader ? m.from : null });
      return true;
    }
    if (m.term < this.term) {
      if (this.debugOn) this.dropped(m, `its term is below this node's ${this.term}`);
      this.answerStaleMessage(m);
      return false;
    }
    return true;
  }

  /**
   * With check-quorum or pre-vote a partitioned node's term stays behind, so a stale leader would
   * never learn the new term from it: answer so the stale leader steps down. A stale pre-vote is
   * rejected at our term so the pre-candidate learns it (as etcd-io/raft does).
   */
  /** Logs (debug; callers check `debugOn`) that `m` was dropped, and why. */
  private dropped(m: Message, why: string): void {
    this.logger.debug({ id: this.id, from: m.from, type: m.type, term: m.term, code: "DROPPED" },
      `Dropped ${m.type} from ${m.from} (term ${m.term}): ${why}`);
  }

  private answerStaleMessage(m: Message): void {
    if ((this.config.checkQuorum || this.config.preVote)
      && (m.type === "AppendEntries" || m.type === "Heartbeat")) {
      this.send({
        from: this.id, to: m.from, term: this.term, type: "AppendEntriesResponse", reject: true,
        index: logIndex(0), hintIndex: logIndex(0), hintTerm: TERM_ZERO,
      });
    } else if (m.type === "PreVote") {
      this.send({
        from: this.id, to: m.from, term: this.term, type: "PreVoteResponse", reject: true,
      });
    }
  }

  private stepByRole(m: Message): void {
    const role = this.role;
    switch (role.kind) {
      case "follower":
        stepFollower(this, m);
        return;
      case "pre-candidate":
      case "candidate":
        stepCandidate(this, role, m);
        return;
      case "leader":
        stepLeader(this, role, m);
        return;
      default:
        assertNever(role, "role");
    }
  }
}
