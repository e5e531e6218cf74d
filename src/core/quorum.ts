/**
 * Quorum arithmetic, kept apart from role logic so joint consensus (§4.3 of the dissertation)
 * needs no change anywhere else: a `MajorityConfig` is one set of voters, a `JointConfig` is an
 * incoming and an (usually empty) outgoing majority, and a decision needs both. Learners never
 * appear here, so they are never counted.
 */
import { assert, AssertionError, logIndex, type LogIndex, type NodeId } from "./types.js";

export type VoteResult = "won" | "lost" | "pending";

export class MajorityConfig {
  readonly voters: ReadonlySet<NodeId>;

  constructor(voters: readonly NodeId[]) {
    this.voters = new Set(voters);
    if (this.voters.size !== voters.length) {
      throw new AssertionError(`duplicate voter in ${voters.join(",")}`);
    }
  }

  /**
   * The largest value that a majority of voters has reached, given each voter's value (missing
   * counts as 0): for match indexes, the largest index replicated on a majority (§5.3). An empty
   * config returns +Infinity so a joint config's min ignores it.
   */
  quorumValue(valueOf: (id: NodeId) => number | undefined): number {
    if (this.voters.size === 0) return Number.POSITIVE_INFINITY;
    const values = [...this.voters].map((id) => valueOf(id) ?? 0).sort((a, b) => b - a);
    const quorumth = values[Math.floor(this.voters.size / 2)];
    assert(quorumth !== undefined, "majority index out of range");
    return quorumth;
  }

  committedIndex(matchOf: (id: NodeId) => LogIndex | undefined): number {
    return this.quorumValue(matchOf);
  }

  /** §5.2: a majority of granted votes wins; a majority of rejections loses. Empty wins. */
  voteResult(votes: ReadonlyMap<NodeId, boolean>): VoteResult {
    if (this.voters.size === 0) return "won";
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const vote = votes.get(id);
      if (vote === true) granted++;
      else if (vote === false) rejected++;
    }
    const quorum = Math.floor(this.voters.size / 2) + 1;
    if (granted >= quorum) return "won";
    if (this.voters.size - rejected < quorum) return "lost";
    return "pending";
  }
}

export class JointConfig {
  readonly incoming: MajorityConfig;
  readonly outgoing: MajorityConfig;
  private readonly allIds: ReadonlySet<NodeId>;

  constructor(incoming: readonly NodeId[], outgoing: readonly NodeId[] = []) {
    this.incoming = new MajorityConfig(incoming);
    this.outgoing = new MajorityConfig(outgoing);
    this.allIds = new Set([...incoming, ...outgoing]);
  }

  /** Every voter of either half. */
  ids(): ReadonlySet<NodeId> {
    return this.allIds;
  }

  isJoint(): boolean {
    return this.outgoing.voters.size > 0;
  }

  /** The largest value both halves have on a majority (0 when there are no voters). */
  quorumValue(valueOf: (id: NodeId) => number | undefined): number {
    const value = Math.min(this.incoming.quorumValue(valueOf), this.outgoing.quorumValue(valueOf));
    return Number.isFinite(value) ? value : 0;
  }

  /** An index is committed only when both halves have it on a majority. */
  committedIndex(matchOf: (id: NodeId) => LogIndex | undefined): LogIndex {
    return logIndex(this.quorumValue(matchOf));
  }

  /** Won only when both halves won; lost as soon as either lost. */
  voteResult(votes: ReadonlyMap<NodeId, boolean>): VoteResult {
    const a = this.incoming.voteResult(votes);
    const b = this.outgoing.voteResult(votes);
    if (a === "won" && b === "won") return "won";
    if (a === "lost" || b === "lost") return "lost";
    return "pending";
  }
}
