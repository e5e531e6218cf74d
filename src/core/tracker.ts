/**
 * Membership as the core sees it (`ClusterConfig`: voters as a joint config, plus learners) and
 * the leader's per-node replication state (`ProgressTracker`). Only the leader holds a tracker;
 * every role holds the config, which decides who votes and what a quorum is.
 */
import type { ConfState } from "./messages.js";
import { Progress } from "./progress.js";
import { JointConfig, type VoteResult } from "./quorum.js";
import { assert, logIndex, type LogIndex, type NodeId } from "./types.js";

export class ClusterConfig {
  readonly voters: JointConfig;
  readonly learners: ReadonlySet<NodeId>;
  private readonly allIds: readonly NodeId[];

  constructor(confState: ConfState) {
    this.voters = new JointConfig(confState.voters, confState.votersOutgoing);
    this.learners = new Set(confState.learners);
    for (const id of this.learners) {
      assert(!this.voters.ids().has(id), `node ${id} is both a voter and a learner`);
    }
    this.allIds = [...new Set([...this.voters.ids(), ...this.learners])].sort();
  }

  /** Every node that receives the log: voters of both halves and learners. */
  ids(): readonly NodeId[] {
    return this.allIds;
  }

  isVoter(id: NodeId): boolean {
    return this.voters.ids().has(id);
  }
}

export class ProgressTracker {
  readonly config: ClusterConfig;
  readonly progress: Map<NodeId, Progress>;

  /** A fresh tracker for a new leader whose log ends at `lastIndex` (§5.3: next = last + 1). */
  constructor(
    config: ClusterConfig,
    options: { self: NodeId; lastIndex: LogIndex; inflightMessagesMax: number },
  ) {
    this.config = config;
    this.progress = new Map();
    for (const id of config.ids()) {
      const isSelf = id === options.self;
      this.progress.set(id, new Progress({
        match: isSelf ? options.lastIndex : logIndex(0),
        next: logIndex(options.lastIndex + 1),
        inflightMessagesMax: options.inflightMessagesMax,
      }));
    }
  }

  get(id: NodeId): Progress | undefined {
    return this.progress.get(id);
  }

  /** The largest index on a quorum of voters (learners never count). */
  committedIndex(): LogIndex {
    return this.config.voters.committedIndex((id) => this.progress.get(id)?.match);
  }

  /**
   * Whether a quorum of voters was active since the last call (check-quorum); resets the marks.
   * The leader itself always counts as active.
   */
  checkQuorumActive(self: NodeId): boolean {
    const active = new Map<NodeId, boolean>();
    for (const [id, pr] of this.progress) {
      active.set(id, id === self || pr.recentActive);
      if (id !== self) pr.recentActive = false;
    }
    return this.config.voters.voteResult(active) === "won";
  }

  /** The result of a vote among the voters. */
  voteResult(votes: ReadonlyMap<NodeId, boolean>): VoteResult {
    return this.config.voters.voteResult(votes);
  }
}
