/**
 * Feeds the invariant checkers (invariants.ts) and the leader-chasing nemesis what one node's
 * Ready loop reveals, through the runtime's observer hooks (node/observer.ts): each Ready before
 * it is persisted or sent, each applied entry, each snapshot restored. It also keeps the node's
 * role, commit, configuration and applied index as the Ready loop last reported them.
 */
import type { ConfState, Entry, SnapshotMetadata } from "../core/messages.js";
import type { Ready } from "../core/ready.js";
import type { NodeObserver } from "../node/observer.js";
import type { InvariantChecker } from "./invariants.js";

export interface ReadyObserverHost {
  trace(line: string): void;
  /** A Ready of a leader, before it is persisted or sent (for the leader-chasing nemesis). */
  observeLeaderReady(
    node: number,
    term: number,
    entries: readonly Entry[],
    commitBefore: number,
    commitAfter: number,
  ): void;
}

export class ReadyObserver {
  isLeader = false;
  applied = 0;
  commit = 0;
  /** The configuration in effect, as the last Ready (or the restart) reported it. */
  conf: ConfState;
  snapshotInstalls = 0;

  constructor(
    private readonly index: number,
    private readonly name: () => string,
    private readonly checker: InvariantChecker,
    private readonly host: ReadyObserverHost,
    conf: ConfState,
    /** A hash of the node's store as it stands, or null while it has none (starting). */
    private readonly stateHash: () => number | null = () => null,
  ) {
    this.conf = conf;
  }

  /** A new incarnation starts from what its storage holds. */
  restarted(applied: number, commit: number, conf: ConfState): void {
    this.isLeader = false;
    this.applied = applied;
    this.commit = commit;
    this.conf = conf;
  }

  /** The runtime's hooks for one incarnation; they fall silent once `live()` turns false. */
  hooks(live: () => boolean): NodeObserver {
    return {
      readyTaken: (ready) => {
        if (live()) this.observeReady(ready);
      },
      entryApplied: (entry) => {
        if (!live()) return;
        // Called before `entry` is applied: the store holds the state after the entry before.
        const hash = this.stateHash();
        if (hash !== null) this.checker.observeStateHash(this.index, entry.index - 1, hash);
        this.checker.observeApply(this.index, entry);
        this.applied = entry.index;
      },
      snapshotRestored: (metadata: SnapshotMetadata) => {
        if (!live()) return;
        this.applied = metadata.index;
        this.snapshotInstalls++;
        this.checker.observeRestore(this.index, metadata.index);
      },
    };
  }

  private observeReady(ready: Ready): void {
    const { checker, index } = this;
    if (ready.snapshot !== null) checker.observeSnapshot(index, ready.snapshot.metadata);
    const leaderNow = ready.softState === null ? this.isLeader : ready.softState.role === "leader";
    const termNow = ready.hardState?.term ?? checker.termOf(index);
    checker.observeEntries(index, ready.entries, termNow, leaderNow);
    if (ready.confState !== null) this.conf = ready.confState;
    if (ready.confState !== null || ready.entries.length > 0 || ready.snapshot !== null) {
      checker.observeConfState(index, this.conf);
    }
    if (ready.hardState !== null) checker.observeHardState(index, ready.hardState, false);
    if (leaderNow) checker.observeLeaderLog(index);
    const commitBefore = this.commit;
    if (ready.hardState !== null) this.commit = ready.hardState.commit;
    if (leaderNow) {
      this.host.observeLeaderReady(index, termNow, ready.entries, commitBefore, this.commit);
    }
    if (ready.softState !== null) {
      if (leaderNow !== this.isLeader) {
        this.host.trace(`role ${this.name()} ${ready.softState.role} ${termNow}`);
      }
      this.isLeader = leaderNow;
      checker.observeRole(index, leaderNow, termNow);
    }
  }
}
