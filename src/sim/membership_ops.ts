/**
 * The simulation's side of the membership nemesis: what the newest leader's configuration is,
 * which removed nodes may be wiped, and carrying out a chosen action on the leader through the
 * core's public API (proposeConfChange, transferLeader), as an operator's tool would.
 */
import { sameConfState } from "../core/conf_change.js";
import type { InvariantChecker } from "./invariants.js";
import type { MembershipAction, MembershipView } from "./membership_nemesis.js";
import { newestLeader } from "./convergence.js";
import type { SimNode } from "./sim_node.js";

export interface MembershipCounts {
  /** Membership changes the leader accepted (appended). */
  readonly changes: number;
  /** Changes the core refused (one in flight, not yet committed in its term, transferring). */
  readonly refused: number;
  /** Config entries committed, including the leader's own "leave joint" entries. */
  readonly committed: number;
  readonly transfers: number;
  readonly snapshotInstalls: number;
  readonly wipes: number;
}

export interface MembershipHost {
  trace(line: string): void;
  recordNemesis(f: string, value: string): void;
  wipeNode(index: number): void;
}

export class MembershipOps {
  private leader: SimNode | null = null;
  private changes = 0;
  private refused = 0;
  private transfers = 0;

  constructor(
    private readonly nodes: readonly SimNode[],
    private readonly checker: InvariantChecker,
    private readonly host: MembershipHost,
  ) {}

  /** The newest leader's view, or null when there is none (or it is paused). */
  view(): MembershipView | null {
    const leader = newestLeader(this.nodes);
    const status = leader?.status() ?? null;
    this.leader = leader;
    if (leader === null || status === null || leader.paused) return null;
    const conf = status.confState;
    // A removal is committed when the leader's last config entry (handed out, so the same one
    // the core uses) is at or below its commit index; then no configuration it knows of, nor
    // any later one (Leader Completeness), has the removed node.
    const settled = sameConfState(conf, leader.confState)
      && this.checker.lastConfigIndex(leader.index) <= status.commit
      && conf.votersOutgoing.length === 0;
    const members = new Set<string>([...conf.voters, ...conf.votersOutgoing, ...conf.learners]);
    const wipeable = settled
      ? this.nodes.filter((n) => !members.has(n.id) && n.hasData()).map((n) => n.id)
      : [];
    return { conf, leader: leader.id, pool: this.nodes.map((n) => n.id), wipeable };
  }

  /**
   * Carries out `action` on the leader found by the last `view()`, through its admin API;
   * resolves with the code of the refusal, or null once accepted.
   */
  apply(action: MembershipAction): Promise<string | null> {
    const leader = this.leader;
    if (leader === null) return Promise.resolve("NO_LEADER");
    switch (action.kind) {
      case "change": {
        const what = `${action.what} on ${leader.id}`;
        return leader.changeMembership(action.change).then((refusal) => {
          this.note("membership", what, refusal);
          if (refusal === null) this.changes++;
          else this.refused++;
          return refusal;
        });
      }
      case "transfer": {
        const what = `${leader.id} to ${action.to ?? "most caught-up"}`;
        return leader.transferLeader(action.to).then((refusal) => {
          this.note("transfer", what, refusal);
          if (refusal === null) this.transfers++;
          return refusal;
        });
      }
      case "wipe": {
        const index = this.nodes.findIndex((n) => n.id === action.node);
        if (index >= 0) this.host.wipeNode(index);
        return Promise.resolve(null);
      }
    }
  }

  private note(f: string, what: string, refusal: string | null): void {
    const line = refusal === null ? what : `${what} refused ${refusal}`;
    this.host.trace(`${f} ${line}`);
    if (refusal === null) this.host.recordNemesis(f, what);
  }

  counts(): MembershipCounts {
    return {
      changes: this.changes,
      refused: this.refused,
      committed: this.checker.configsCommitted,
      transfers: this.transfers,
      snapshotInstalls: this.nodes.reduce((sum, n) => sum + n.snapshotInstalls, 0),
      wipes: this.nodes.reduce((sum, n) => sum + n.wipes, 0),
    };
  }
}
