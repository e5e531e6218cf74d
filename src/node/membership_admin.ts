/**
 * `ClusterAdmin` on a running node (admin.ts): membership changes through the core's
 * `proposeConfChange` (§4.1, joint consensus §4.3), the safe add (learner, catch up, promote),
 * leadership transfer (§3.10) and snapshots on demand.
 *
 * A change resolves once this node applied its config entry (and the automatic leave-joint entry
 * that follows a joint one), so the new configuration is committed when the call returns. The
 * core accepts one change at a time and none before the leader committed an entry of its term
 * (the single-server change bug); such transient refusals are retried here until the proposal
 * timeout, while a change that is invalid in the current configuration is refused at once.
 */
import {
  applyConfChange, ConfChangeRefusedError, ConfigError, isJoint, NotLeaderError, nodeId,
  ProposalDroppedError, type AppendedResult, type ConfChange, type LogIndex, type NodeId,
  type RaftNode,
} from "../core/index.js";
import { isNodeId } from "../core/types.js";
import type {
  CatchUpOptions, ClusterAdmin, MemberAddresses, MemberInfo, TransferOptions,
} from "./admin.js";
import type { StableStorage } from "../storage/index.js";
import type { Transport } from "../transport/index.js";
import { toMemberAddresses, type AddressBook } from "./address_book.js";
import type { NodeLimits } from "./config.js";
import type { NodeEventEmitter } from "./events.js";
import {
  CatchUpTimeoutError, OutcomeUnknownError, ProposalTimeoutError, TransferTimeoutError,
} from "./errors.js";
import { membersOf, MembershipTracker } from "./membership_tracker.js";
import type { NodeLogger } from "./options.js";
import type { Snapshotter } from "./snapshotter.js";
import { Waiters } from "./waiters.js";

/** A learner within this many entries of the leader's log counts as caught up. */
export const CATCH_UP_LAG_MAX_DEFAULT = 100;
export const CATCH_UP_TIMEOUT_MS_DEFAULT = 60_000;

export interface AdminParts {
  readonly id: NodeId;
  readonly limits: NodeLimits;
  readonly raft: RaftNode;
  readonly transport: Transport;
  readonly book: AddressBook;
  readonly snapshots: Snapshotter;
  readonly storage: StableStorage;
  readonly logger: NodeLogger;
  readonly events: NodeEventEmitter;
  /** Stops the node (a removed node's Raft activity ends). */
  readonly halt: () => void;
  /** @throws NodeStoppedError unless the node is running. */
  readonly assertRunning: () => void;
  readonly scheduleReady: () => void;
  readonly appliedIndex: () => LogIndex;
  /** The Ready loop in progress, if any. */
  readonly readyLoop: () => Promise<void> | null;
}

export class MembershipAdmin implements ClusterAdmin {
  readonly waiters = new Waiters();
  /** The Ready loop's hooks (noteReady, noteAppliedConfig). */
  readonly tracker: MembershipTracker;
  private readonly raft: RaftNode;

  constructor(private readonly parts: AdminParts) {
    this.raft = parts.raft;
    const { electionTimeoutMs, tickMs } = parts.limits;
    const { index, confState } = parts.storage.snapshot().metadata;
    this.tracker = new MembershipTracker({
      ...parts, lingerTicks: Math.ceil((2 * electionTimeoutMs.max) / tickMs),
      snapshotConf: confState, snapshotIndex: index,
    });
    const poll = (): void => {
      this.waiters.poll();
    };
    parts.events.on("applied", poll);
    parts.events.on("leaderChange", poll);
  }

  members(): readonly MemberInfo[] {
    const status = this.raft.status();
    const { confState: cs, progress, lastIndex, leaderId } = status;
    const learners = new Set(cs.learners);
    const outgoing = new Set(cs.votersOutgoing);
    return [...membersOf(cs)].sort().map((id): MemberInfo => {
      const pr = progress?.get(id);
      return {
        id,
        role: learners.has(id) ? "learner" : "voter",
        outgoingVoter: outgoing.has(id),
        addresses: this.parts.book.get(id),
        isLeader: id === leaderId,
        match: pr?.match ?? null,
        lag: pr === undefined ? null : Math.max(0, lastIndex - pr.match),
      };
    });
  }

  async addVoter(
    id: string,
    addresses: MemberAddresses,
    options: CatchUpOptions = {},
  ): Promise<readonly MemberInfo[]> {
    this.parts.assertRunning();
    const member = changeTarget(id);
    this.assertLeader();
    // A learner left by an earlier timed-out addVoter is only promoted.
    const { learners } = this.raft.status().confState;
    if (!learners.includes(member)) await this.addLearner(id, addresses);
    return this.promote(id, options);
  }

  async addLearner(id: string, addresses: MemberAddresses): Promise<readonly MemberInfo[]> {
    this.parts.assertRunning();
    const member = changeTarget(id);
    const context = JSON.stringify(toMemberAddresses(addresses));
    return this.change([{ type: "addLearner", nodeId: member, context }]);
  }

  async promote(id: string, options: CatchUpOptions = {}): Promise<readonly MemberInfo[]> {
    this.parts.assertRunning();
    const member = changeTarget(id);
    this.assertLeader();
    if (!this.raft.status().confState.learners.includes(member)) {
      throw new ConfChangeRefusedError(`node ${member} is not a learner`);
    }
    await this.waitCaughtUp(member, options);
    return this.change([{ type: "addVoter", nodeId: member }]);
  }

  async removeNode(id: string): Promise<readonly MemberInfo[]> {
    this.parts.assertRunning();
    return this.change([{ type: "removeNode", nodeId: changeTarget(id) }]);
  }

  async transferLeader(to: string | null, options: TransferOptions = {}): Promise<NodeId> {
    this.parts.assertRunning();
    const { id, limits } = this.parts;
    const timeoutMs = options.timeoutMs ?? 2 * limits.electionTimeoutMs.max;
    positive("timeoutMs", timeoutMs);
    if (to !== null && !isNodeId(to)) {
      throw new ProposalDroppedError(`cannot transfer leadership to ${JSON.stringify(to)}: bad id`);
    }
    const target = to === null ? null : nodeId(to);
    this.raft.transferLeader(target);
    this.parts.scheduleReady();
    if (target === id) return id;
    return this.waiters.wait(() => {
      const status = this.raft.status();
      if (status.leaderId !== null && status.leaderId !== id) return status.leaderId;
      if (status.role === "leader" && status.transferee === null) {
        throw new TransferTimeoutError(to, timeoutMs,
          `abandoned after an election timeout (§3.10); ${id} leads again`);
      }
      return null;
    }, performance.now() + timeoutMs, () => new TransferTimeoutError(to, timeoutMs,
      `no new leader seen within ${timeoutMs} ms`));
  }

  async snapshotNow(): Promise<{ readonly index: LogIndex }> {
    this.parts.assertRunning();
    // Take the image between Readys: the loop never sees a snapshot write start mid-Ready.
    for (;;) {
      const loop = this.parts.readyLoop();
      const inFlight = this.parts.snapshots.inFlight;
      if (loop === null && inFlight === null) break;
      await loop;
      await inFlight;
    }
    this.parts.assertRunning();
    return { index: await this.parts.snapshots.snapshotNow(this.parts.appliedIndex()) };
  }

  /** Every tick: re-check waiting operations, expire links of departed members. */
  tick(): void {
    this.tracker.tick();
    this.waiters.poll();
  }

  private assertLeader(): void {
    const { role, leaderId } = this.raft.status();
    if (role !== "leader") throw new NotLeaderError(leaderId);
  }

  /** Proposes `change`, then waits until it (and any leave-joint entry) is applied here. */
  private async change(change: ConfChange): Promise<readonly MemberInfo[]> {
    const timeoutMs = this.parts.limits.proposalTimeoutMs;
    const deadlineMs = performance.now() + timeoutMs;
    let refusal: ConfChangeRefusedError | null = null;
    const at = await this.waiters.wait((): AppendedResult | null => {
      this.assertLeader();
      const cs = this.raft.status().confState;
      if (!isJoint(cs)) applyConfChange(cs, change); // invalid here: refused for good
      try {
        const result = this.raft.proposeConfChange(change);
        this.parts.scheduleReady();
        return result;
      } catch (error) {
        // Valid, yet refused: a change or this leader's first entry is not committed yet, or a
        // transfer is under way. All of these end on their own.
        if (!(error instanceof ConfChangeRefusedError)) throw error;
        refusal = error;
        return null;
      }
    }, deadlineMs, () => refusal ?? new ConfChangeRefusedError("no leader accepted the change"));
    await this.waiters.wait(() => this.settled(at), deadlineMs,
      () => new ProposalTimeoutError(timeoutMs));
    return this.members();
  }

  /** Whether the change appended at `at` is applied here, and its configuration not joint. */
  private settled(at: AppendedResult): true | null {
    if (this.parts.appliedIndex() < at.index) return null;
    const tracker = this.tracker;
    const term = tracker.appliedConfigTerm(at.index);
    if (term === null && tracker.snapshotIndex >= at.index) {
      throw new OutcomeUnknownError(`a snapshot from the leader replaced the log at ${at.index}`);
    }
    if (term !== at.term) {
      throw new ProposalDroppedError(
        `the configuration change at ${at.index} was overwritten after a leadership change`);
    }
    return isJoint(tracker.appliedConf) ? null : true;
  }

  private async waitCaughtUp(member: NodeId, options: CatchUpOptions): Promise<void> {
    const lagMax = options.lagMax ?? CATCH_UP_LAG_MAX_DEFAULT;
    const timeoutMs = options.timeoutMs ?? CATCH_UP_TIMEOUT_MS_DEFAULT;
    if (!Number.isSafeInteger(lagMax) || lagMax < 0) {
      throw new ConfigError("lagMax", `must be a non-negative integer, got ${lagMax}`);
    }
    positive("timeoutMs", timeoutMs);
    let lag: number | null = null;
    await this.waiters.wait(() => {
      const { role, leaderId, progress, lastIndex } = this.raft.status();
      if (role !== "leader") throw new NotLeaderError(leaderId);
      const pr = progress?.get(member);
      if (pr === undefined) {
        throw new ConfChangeRefusedError(`node ${member} is no longer a member`);
      }
      lag = Math.max(0, lastIndex - pr.match);
      // match 0: the learner has not answered yet, however short the log.
      return pr.match > 0 && lag <= lagMax ? true : null;
    }, performance.now() + timeoutMs, () => new CatchUpTimeoutError(member, lag, timeoutMs));
  }
}

/** @throws ConfChangeRefusedError for an id the core would not accept. */
function changeTarget(id: string): NodeId {
  if (!isNodeId(id)) {
    throw new ConfChangeRefusedError(`${JSON.stringify(id)} is not a valid node id`);
  }
  return nodeId(id);
}

function positive(field: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new ConfigError(field, `must be a positive number of milliseconds, got ${value}`);
  }
}
