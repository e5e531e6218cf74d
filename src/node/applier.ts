/**
 * Step 3 of the Ready contract: applying committed entries and leaders' snapshots to the user's
 * state machine, in log order, and settling this node's proposals with the results. An entry
 * carries its proposer's tag (envelope.ts); only the proposer (this incarnation of it) resolves
 * the caller's promise, every node applies the command.
 */
import type { Entry, LogIndex, NodeId, Snapshot } from "../core/index.js";
import type { EntryApplier } from "./entry_applier.js";
import { OutcomeUnknownError } from "./errors.js";
import type { MembershipTracker } from "./membership_tracker.js";
import type { NodeObserver } from "./observer.js";
import type { PendingProposals } from "./pending_proposals.js";
import type { RuntimeBugs } from "./runtime_bugs.js";
import type { Snapshotter } from "./snapshotter.js";
import type { StateMachine } from "./state_machine.js";

export interface ApplierParts<R> {
  readonly id: NodeId;
  /** This process start's incarnation: entries proposed by an earlier run are not ours. */
  readonly incarnation: number;
  readonly stateMachine: StateMachine<R>;
  readonly proposals: PendingProposals<R>;
  readonly snapshots: Snapshotter;
  readonly tracker: MembershipTracker;
  readonly observer: NodeObserver;
  readonly bugs: RuntimeBugs;
  /** Decodes and applies one normal entry, or makes it an error no-op (entry_applier.ts). */
  readonly entries: EntryApplier<R>;
}

export class Applier<R> {
  /** The last index applied to the state machine (or restored from a snapshot). */
  appliedIndex: LogIndex;

  constructor(private readonly parts: ApplierParts<R>, applied: LogIndex) {
    this.appliedIndex = applied;
  }

  /** A leader's snapshot replaced the log: restore the state machine from it. */
  applySnapshot(snapshot: Snapshot): void {
    const { index } = snapshot.metadata;
    const { stateMachine, snapshots, proposals, observer } = this.parts;
    stateMachine.restore(snapshot.data);
    this.appliedIndex = index;
    snapshots.installed(snapshot.metadata);
    observer.snapshotRestored?.(snapshot.metadata);
    proposals.coveredBySnapshot(index,
      () => new OutcomeUnknownError(`a snapshot from the leader at index ${index} replaced the log`));
  }

  applyEntries(entries: readonly Entry[]): void {
    for (const entry of entries) {
      // RuntimeBugs.applyBeforeCommit applied these already, when they were appended.
      if (this.parts.bugs.applyBeforeCommit === true && entry.index <= this.appliedIndex) continue;
      this.applyEntry(entry);
    }
  }

  private applyEntry(entry: Entry): void {
    const { id, incarnation, entries, tracker, snapshots, proposals, observer } = this.parts;
    let ownSeq: number | null = null;
    let result: R | undefined;
    observer.entryApplied?.(entry);
    if (entry.kind === "normal") {
      const applied = entries.apply(entry);
      const { tag } = applied;
      const own = tag?.proposer === id && tag.incarnation === incarnation;
      if (applied.kind === "applied") {
        result = applied.result;
        if (own) ownSeq = tag.seq;
      } else if (own) {
        proposals.fail(tag.seq, applied.error); // applied as an error no-op on every replica
      }
    } else if (entry.kind === "config") {
      tracker.noteAppliedConfig(entry);
    }
    this.appliedIndex = entry.index;
    snapshots.recordApplied(entry);
    proposals.applied(entry.index, entry.term, ownSeq, result);
    observer.writeStage?.("applied", entry.index);
  }
}
