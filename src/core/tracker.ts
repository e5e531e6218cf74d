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
  /** The configuration this was built from, as stored in snapshots and config entries. */
  readonly confState: ConfState;
  private readonly allIds: readonly NodeId[];

  constructor(confState: ConfState) {
    this.confState = confState;
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

export interface TrackerOptions {
  readonly self: NodeId;
  readonly lastIndex: LogIndex;
  readonly inflightMessagesMax: number;
  /** Forget nodes outside `config`; false keeps them while their removal is uncommitted. */
  readonly prune?: boolean;
}

export class ProgressTracker {
  config: ClusterConfig;
  readonly progress: Map<NodeId, Progress>;

  /** A fresh tracker for a new leader whose log ends at `lastIndex` (§5.3: next = last + 1). */
  constructor(config: ClusterConfig, options: TrackerOptions) {
    this.config = config;
    this.progress = new Map();
    this.progress.set(options.self, new Progress({
      match: options.lastIndex,
      next: logIndex(options.lastIndex + 1),
      inflightMessagesMax: options.inflightMessagesMax,
    }));
    this.setConfig(config, options);
  }

  /**
   * Switches to `config`: new members start probing after our last index (§5.3), removed ones
   * are forgotten (with `prune`; until then they keep receiving the log, so that a removed node
   * learns of its removal and stops campaigning, §4.2.2). The leader keeps its own progress
   * even when it is not a member (§4.2.2: a removed leader manages the cluster until its
   * removal commits, without counting itself).
   */
  setConfig(config: ClusterConfig, options: TrackerOptions): void {
    this.config = config;
    const members = new Set(config.ids());
    for (const id of members) {
      if (this.progress.has(id)) continue;
      this.progress.set(id, new Progress({
        match: logIndex(0),
        next: logIndex(options.lastIndex + 1),
        inflightMessagesMax: options.inflightMessagesMax,
      }));
    }
    for (const id of [...this.progress.keys()]) {
      if (options.prune !== false && id !== options.self && !members.has(id)) {
        this.progress.delete(id);
      }
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
