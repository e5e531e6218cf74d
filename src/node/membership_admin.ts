/**
 * `ClusterAdmin` on a running node (admin.ts): membership changes through the core's
 * `proposeConfChange` (§4.1, joint consensus §4.3), the safe add (learner, catch up, promote),
 * and leadership transfer (§3.10).
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
import { toMemberAddresses, type AddressBook } from "./address_book.js";
import type { NodeLimits } from "./config.js";
import {
  CatchUpTimeoutError, OutcomeUnknownError, ProposalTimeoutError, TransferTimeoutError,
} from "./errors.js";
import { membersOf, type MembershipTracker } from "./membership_tracker.js";
import type { Waiters } from "./waiters.js";

/** A learner within this many entries of the leader's log counts as caught up. */
export const CATCH_UP_LAG_MAX_DEFAULT = 100;
export const CATCH_UP_TIMEOUT_MS_DEFAULT = 60_000;

/**
 * The running node as membership admin sees it: the core it proposes to, what the Ready loop
 * learned about membership, and three calls back into the node.
 */
export interface AdminNode {
  readonly id: NodeId;
  readonly limits: NodeLimits;
  readonly raft: RaftNode;
  readonly book: AddressBook;
  /** The applied configuration and recently applied config entries (membership_tracker.ts). */
  readonly tracker: MembershipTracker;
  /** Operations waiting for a condition; the node re-checks them as it makes progress. */
  readonly waiters: Waiters;
  /** @throws NodeStoppedError unless the node is running. */
  assertRunning(): void;
  /** Hands the core's new output to the Ready loop. */
  scheduleReady(): void;
  appliedIndex(): LogIndex;
}

/** Options of `changeMembership`. */
export interface ChangeOptions {
  /**
   * Reject at once with the core's refusal when it does not accept the change now (one change
   * in flight, no entry of the leader's term committed yet, a transfer under way) instead of
   * retrying until the proposal timeout.
   */
  readonly once?: boolean;
}

export class MembershipAdmin implements Omit<ClusterAdmin, "snapshotNow"> {
  private readonly raft: RaftNode;

  constructor(private readonly node: AdminNode) {
    this.raft = node.raft;
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
        addresses: this.node.book.get(id),
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
    this.node.assertRunning();
    const member = changeTarget(id);
    this.assertLeader();
    // A learner left by an earlier timed-out addVoter is only promoted.
    const { learners } = this.raft.status().confState;
    if (!learners.includes(member)) await this.addLearner(id, addresses);
    return this.promote(id, options);
  }

  async addLearner(id: string, addresses: MemberAddresses): Promise<readonly MemberInfo[]> {
    this.node.assertRunning();
    const member = changeTarget(id);
    const context = JSON.stringify(toMemberAddresses(addresses));
    return this.changeMembership([{ type: "addLearner", nodeId: member, context }]);
  }

  async promote(id: string, options: CatchUpOptions = {}): Promise<readonly MemberInfo[]> {
    this.node.assertRunning();
    const member = changeTarget(id);
    this.assertLeader();
    if (!this.raft.status().confState.learners.includes(member)) {
      throw new ConfChangeRefusedError(`node ${member} is not a learner`);
    }
    await this.waitCaughtUp(member, options);
    return this.changeMembership([{ type: "addVoter", nodeId: member }]);
  }

  async removeNode(id: string): Promise<readonly MemberInfo[]> {
    this.node.assertRunning();
    return this.changeMembership([{ type: "removeNode", nodeId: changeTarget(id) }]);
  }

  async transferLeader(to: string | null, options: TransferOptions = {}): Promise<NodeId> {
    this.node.assertRunning();
    const { id, limits } = this.node;
    const timeoutMs = options.timeoutMs ?? 2 * limits.electionTimeoutMs.max;
    positive("timeoutMs", timeoutMs);
    if (to !== null && !isNodeId(to)) {
      throw new ProposalDroppedError(`cannot transfer leadership to ${JSON.stringify(to)}: bad id`);
    }
    const target = to === null ? null : nodeId(to);
    this.raft.transferLeader(target);
    this.node.scheduleReady();
    if (target === id) return id;
    return this.node.waiters.wait(() => {
      const status = this.raft.status();
      if (status.leaderId !== null && status.leaderId !== id) return status.leaderId;
      if (status.role === "leader" && status.transferee === null) {
        throw new TransferTimeoutError(to, timeoutMs,
          `abandoned after an election timeout (§3.10); ${id} leads again`);
      }
      return null;
    }, this.node.waiters.deadlineAfter(timeoutMs), () => new TransferTimeoutError(to, timeoutMs,
      `no new leader seen within ${timeoutMs} ms`));
  }

  private assertLeader(): void {
    const { role, leaderId } = this.raft.status();
    if (role !== "leader") throw new NotLeaderError(leaderId);
  }

  /**
   * Proposes `change` (several items: through a joint configuration, §4.3), then waits until it
   * (and the leave-joint entry that follows a joint one) is applied here.
   * @throws NotLeaderError; ConfChangeRefusedError when the change is invalid here, or refused
   *   until the proposal timeout (at once with `once`); ProposalDroppedError when overwritten;
   *   ProposalTimeoutError / OutcomeUnknownError (may still apply).
   */
  async changeMembership(
    change: ConfChange,
    options: ChangeOptions = {},
  ): Promise<readonly MemberInfo[]> {
    this.node.assertRunning();
    const timeoutMs = this.node.limits.proposalTimeoutMs;
    const deadlineMs = this.node.waiters.deadlineAfter(timeoutMs);
    let refusal: ConfChangeRefusedError | null = null;
    const at = await this.node.waiters.wait((): AppendedResult | null => {
      this.assertLeader();
      const cs = this.raft.status().confState;
      if (!isJoint(cs)) applyConfChange(cs, change); // invalid here: refused for good
      try {
        const result = this.raft.proposeConfChange(change);
        this.node.scheduleReady();
        return result;
      } catch (error) {
        // Valid, yet refused: a change or this leader's first entry is not committed yet, or a
        // transfer is under way. All of these end on their own.
        if (!(error instanceof ConfChangeRefusedError) || options.once === true) throw error;
        refusal = error;
        return null;
      }
    }, deadlineMs, () => refusal ?? new ConfChangeRefusedError("no leader accepted the change"));
    await this.node.waiters.wait(() => this.settled(at), deadlineMs,
      () => new ProposalTimeoutError(timeoutMs));
    return this.members();
  }

  /** Whether the change appended at `at` is applied here, and its configuration not joint. */
  private settled(at: AppendedResult): true | null {
    if (this.node.appliedIndex() < at.index) return null;
    const tracker = this.node.tracker;
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
    await this.node.waiters.wait(() => {
      const { role, leaderId, progress, lastIndex } = this.raft.status();
      if (role !== "leader") throw new NotLeaderError(leaderId);
      const pr = progress?.get(member);
      if (pr === undefined) {
        throw new ConfChangeRefusedError(`node ${member} is no longer a member`);
      }
      lag = Math.max(0, lastIndex - pr.match);
      // match 0: the learner has not answered yet, however short the log.
      return pr.match > 0 && lag <= lagMax ? true : null;
    }, this.node.waiters.deadlineAfter(timeoutMs), () => new CatchUpTimeoutError(member, lag, timeoutMs));
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
