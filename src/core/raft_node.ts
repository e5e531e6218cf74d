/**
 * The public face of the core: a Raft node as a pure, synchronous, deterministic state machine.
 * Inputs are `tick`, `step`, `propose` and `readIndex`; everything the caller must do comes out
 * of `ready()` and is acknowledged with `advance()` (see ready.ts for the order: persist, send,
 * apply, advance).
 */
import { validateConfig, type RaftConfig } from "./config.js";
import { NotLeaderError, ProposalDroppedError } from "./errors.js";
import { sameConfState, type ConfChange } from "./conf_change.js";
import { proposeConfChangeAsLeader, transferLeaderAsLeader } from "./leader_membership.js";
import type { ConfState, HardState, Message } from "./messages.js";
import { Raft } from "./raft.js";
import { flushReplication, maybeSendAppend } from "./replication.js";
import type { ProgressStatus, Ready, SoftState, Status } from "./ready.js";
import type { Rng } from "./rng.js";
import type { LeaderState } from "./role.js";
import {
  flushReads, leaseReadIndex, proposeAsLeader, readIndexAsLeader, selfPersisted,
} from "./step_leader.js";
import type { Storage } from "./storage.js";
import {
  AssertionError, assertNever, TERM_ZERO, type LogIndex, type NodeId, type Term,
} from "./types.js";

export interface RaftNodeOptions {
  /** Validated with `validateConfig`. */
  readonly config: RaftConfig;
  /** The read side of stable storage; `initialState()` gives the hard state and membership. */
  readonly storage: Storage;
  readonly rng: Rng;
  /** The last index already applied to the state machine; defaults to the snapshot's index. */
  readonly applied?: LogIndex;
}

export type ProposeResult =
  | { readonly kind: "appended"; readonly index: LogIndex; readonly term: Term }
  | { readonly kind: "forwarded"; readonly to: NodeId };
/** A membership change is never forwarded: it is appended on the leader or refused. */
export type AppendedResult = Extract<ProposeResult, { kind: "appended" }>;

export class RaftNode {
  private readonly raft: Raft;
  private prevSoftState: SoftState;
  /** The hard state as last handed out (or as loaded from storage). */
  private prevHardState: HardState;
  /**
   * The configuration as last handed out, or as loaded at start: the log's last config entry's
   * (§4.1), which `status()` already shows, not the snapshot's that `initialState` returns.
   */
  private prevConfState: ConfState;

  /** @throws ConfigError when the configuration is invalid. */
  constructor(options: RaftNodeOptions) {
    const config = validateConfig(options.config);
    this.raft = new Raft({ ...options, config });
    this.prevSoftState = this.softState();
    this.prevHardState = options.storage.initialState().hardState;
    // Not initialState().confState: a restart with a config entry past the snapshot would then
    // report the loaded configuration as a change, and miss a fallback to the snapshot's when
    // that entry is truncated before the first Ready (the runtime kept the dropped one).
    this.prevConfState = this.raft.cluster.confState;
  }

  /** One logical clock tick: drives election timeouts, heartbeats and check-quorum. */
  tick(): void {
    this.raft.tick();
    this.assertInvariants();
  }

  /** A message from the network, of any age and term: stale and duplicate ones are handled. */
  step(message: Message): void {
    this.raft.step(message);
    this.assertInvariants();
  }

  /**
   * Proposes a command. On the leader it is appended at once; a follower that knows the leader
   * forwards it (the outcome is then learned only by watching the log).
   * @throws NotLeaderError(null) when no leader is known (definite: never in the log).
   * @throws ProposalDroppedError when forwarding is disabled.
   * @throws UncommittedBytesExceededError when the leader's uncommitted tail is too large.
   */
  propose(data: Uint8Array): ProposeResult {
    const r = this.raft;
    const role = r.role;
    switch (role.kind) {
      case "leader": {
        const index = proposeAsLeader(r, role, data);
        this.assertInvariants();
        return { kind: "appended", index, term: r.term };
      }
      case "follower": {
        const lead = r.lead;
        if (lead === null) throw new NotLeaderError(null);
        if (!r.config.forwardProposals) throw new ProposalDroppedError("forwardProposals is off");
        r.send({ from: r.id, to: lead, term: TERM_ZERO, type: "Propose", data });
        return { kind: "forwarded", to: lead };
      }
      case "pre-candidate":
      case "candidate":
        throw new NotLeaderError(null);
      default:
        return assertNever(role, "role");
    }
  }

  /**
   * Requests a linearizable read point (§6.4); the answer arrives later as a ReadState with the
   * same `context` in `ready().readStates` of this node. Contexts must be unique per node.
   * @throws NotLeaderError(null) when no leader is known.
   * @throws ProposalDroppedError when pendingReadsMax reads are already waiting.
   */
  readIndex(context: string): void {
    const r = this.raft;
    const role = r.role;
    switch (role.kind) {
      case "leader":
        readIndexAsLeader(r, role, context);
        return;
      case "follower":
        if (r.lead === null) throw new NotLeaderError(null);
        r.send({ from: r.id, to: r.lead, term: TERM_ZERO, type: "ReadIndexRequest", context });
        return;
      case "pre-candidate":
      case "candidate":
        throw new NotLeaderError(null);
      default:
        assertNever(role, "role");
    }
  }

  /**
   * Lease mode (§6.4.1, lease.ts): on a leader whose lease holds, the index a linearizable read
   * may be served at once (after applying through it), with no quorum round and no Ready; null
   * otherwise (not the leader, index mode, lease expired or revoked, or no entry of this term
   * committed yet): then use `readIndex`. The caller must have ticked for all elapsed time.
   */
  leaseReadIndex(): LogIndex | null {
    const r = this.raft;
    return r.role.kind === "leader" ? leaseReadIndex(r, r.role) : null;
  }

  /**
   * Proposes a membership change on the leader (§4.1, §4.3): one that adds or removes at most
   * one voter takes effect directly, anything else through a joint configuration that the
   * leader leaves on its own once it commits. The configuration takes effect when appended.
   * @throws NotLeaderError when this node is not the leader (definite; never forwarded).
   * @throws ConfChangeRefusedError when another change is uncommitted, this leader has not yet
   *   committed an entry of its term, a transfer is under way, or the change is invalid.
   */
  proposeConfChange(change: ConfChange): AppendedResult {
    const r = this.raft;
    const role = r.role;
    if (role.kind !== "leader") throw new NotLeaderError(r.lead);
    const index = proposeConfChangeAsLeader(r, role, change);
    this.assertInvariants();
    return { kind: "appended", index, term: r.term };
  }

  /**
   * Hands leadership to `to`, or with null to the most caught-up voter (§3.10). Proposals are
   * refused until the transfer ends; it is abandoned after an election timeout.
   * @throws NotLeaderError when this node is not the leader.
   * @throws ProposalDroppedError when the target is not a voter or there is no other voter.
   */
  transferLeader(to: NodeId | null): void {
    const r = this.raft;
    const role = r.role;
    if (role.kind !== "leader") throw new NotLeaderError(r.lead);
    // A transfer campaign ignores the followers' lease promise: no lease reads this term.
    role.lease?.revoke();
    transferLeaderAsLeader(r, role, to);
    this.assertInvariants();
  }

  /**
   * Holds this node back from campaigning (election timeouts and TimeoutNow are ignored) or
   * releases it; it still votes. The runtime holds a leader that stepped down because its own
   * disk stalled, until the disk has been healthy for a while.
   */
  holdCampaigns(held: boolean): void {
    this.raft.campaignsHeld = held;
  }

  /**
   * Leader only: restarts replication to `to` from its match index (probe state), as if its
   * stream had been lost, and sends it an append now. Returns false when this node is not the
   * leader, `to` is not tracked, or a snapshot is on its way to it (that has its own timeout).
   */
  resetReplication(to: NodeId): boolean {
    const r = this.raft;
    if (r.role.kind !== "leader" || to === r.id) return false;
    const pr = r.role.tracker.get(to);
    if (pr === undefined || pr.state === "snapshot") return false;
    pr.becomeProbe();
    maybeSendAppend(r, r.role, to, true);
    return true;
  }

  hasReady(): boolean {
    const r = this.raft;
    if (r.role.kind === "leader") flushLeader(r, r.role);
    return !sameConfState(r.cluster.confState, this.prevConfState)
      || !sameSoftState(this.softState(), this.prevSoftState)
      || !sameHardState(this.hardState(), this.prevHardState)
      || r.log.unstable.nextEntries().length > 0
      || r.log.unstable.nextSnapshot() !== null
      || r.msgs.length > 0
      || r.readStates.length > 0
      || r.log.hasNextCommittedEntries();
  }

  /** Everything the caller must now do, in order: persist, send, apply, then `advance`. */
  ready(): Ready {
    const r = this.raft;
    if (r.role.kind === "leader") flushLeader(r, r.role);
    const soft = this.softState();
    const hard = this.hardState();
    const softState = sameSoftState(soft, this.prevSoftState) ? null : soft;
    const hardState = sameHardState(hard, this.prevHardState) ? null : hard;
    const entries = r.log.unstable.nextEntries();
    const snapshot = r.log.unstable.nextSnapshot();
    const committedEntries = r.log.nextCommittedEntries(r.config.applyBytesMax);
    const prev = this.prevHardState;
    const conf = r.cluster.confState;
    const termOrVoteChanged = hard.term !== prev.term || hard.vote !== prev.vote;
    const ready: Ready = {
      softState,
      hardState,
      entries,
      snapshot,
      messages: r.msgs,
      committedEntries,
      readStates: r.readStates,
      mustSync: entries.length > 0 || snapshot !== null || termOrVoteChanged,
      confState: sameConfState(conf, this.prevConfState) ? null : conf,
    };
    this.prevConfState = r.cluster.confState;
    // Accept: what is handed out is not handed out again.
    this.prevSoftState = soft;
    this.prevHardState = hard;
    r.msgs = [];
    r.readStates = [];
    r.log.unstable.acceptInProgress();
    if (snapshot !== null) r.log.acceptApplying(snapshot.metadata.index);
    const lastCommitted = committedEntries[committedEntries.length - 1];
    if (lastCommitted !== undefined) r.log.acceptApplying(lastCommitted.index);
    if (r.role.kind === "leader") {
      for (const entry of committedEntries) {
        if (entry.term === r.term) r.role.uncommittedBytes -= entry.data.byteLength;
      }
      if (r.role.uncommittedBytes < 0) r.role.uncommittedBytes = 0;
    }
    return ready;
  }

  /** The caller persisted, sent and applied everything in `ready`. */
  advance(ready: Ready): void {
    const log = this.raft.log;
    if (ready.snapshot !== null) {
      log.unstable.stableSnapTo(ready.snapshot.metadata.index);
      log.appliedTo(ready.snapshot.metadata.index);
    }
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry !== undefined) {
      log.unstable.stableTo(lastEntry.index, lastEntry.term);
      const role = this.raft.role;
      if (role.kind === "leader" && log.termOrNull(lastEntry.index) === lastEntry.term) {
        selfPersisted(this.raft, role, lastEntry.index);
      }
    }
    const lastCommitted = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastCommitted !== undefined) log.appliedTo(lastCommitted.index);
    this.assertInvariants();
  }

  status(): Status {
    const r = this.raft;
    let progress: Map<NodeId, ProgressStatus> | null = null;
    if (r.role.kind === "leader") {
      progress = new Map();
      for (const [id, pr] of r.role.tracker.progress) progress.set(id, pr.status());
    }
    return {
      id: r.id,
      role: r.role.kind,
      term: r.term,
      vote: r.vote,
      leaderId: r.lead,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      progress,
      confState: r.cluster.confState,
      transferee: r.role.kind === "leader" ? r.role.transfer?.to ?? null : null,
    };
  }

  private softState(): SoftState {
    return { role: this.raft.role.kind, leaderId: this.raft.lead };
  }

  /** TestingBugs.skipPersistVote reports no vote, while the node remembers it in memory. */
  private hardState(): HardState {
    const r = this.raft;
    const vote = r.bugs.skipPersistVote === true ? null : r.vote;
    return { term: r.term, vote, commit: r.log.committed };
  }

  private assertInvariants(): void {
    const r = this.raft;
    const log = r.log;
    if (!(log.applied <= log.committed && log.committed <= log.lastIndex())) {
      throw new AssertionError(
        `invariant applied ${log.applied} <= commit ${log.committed} <= last ${log.lastIndex()}`);
    }
    const prev = this.prevHardState;
    if (prev.term > r.term) throw new AssertionError(`term went backwards below ${prev.term}`);
    if (prev.commit > log.committed) {
      throw new AssertionError(`commit went backwards below ${prev.commit}`);
    }
  }
}

function sameSoftState(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leaderId === b.leaderId;
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** What a leader holds back until a Ready is made: appends due, and the queued reads' round. */
function flushLeader(r: Raft, leader: LeaderState): void {
  flushReplication(r, leader);
  flushReads(r, leader);
}
