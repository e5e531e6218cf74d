/**
 * The proposals this node made whose outcome its callers still await. A proposal is settled
 * exactly once, by the first of:
 *
 * - THIS node applies the entry carrying it: resolved with the state machine's result;
 * - it was appended by this node as leader at (index, term), and a different entry (another
 *   term) is applied at that index: the log moved on without it, so it is definitely dropped
 *   (§5.3, Log Matching: one index holds one entry per term; ours can never commit now);
 * - a snapshot covers its index before we saw it applied: unknown (it may be in the snapshot);
 * - it was forwarded to a leader whose connection then dropped (`leaderLost`), and an entry of a
 *   later term than the forward's is applied here: unknown, at once rather than at the timeout.
 *   Whatever that leader appended and a later leader kept is committed at or before that later
 *   leader's first entry (§5.4.2: a leader commits its predecessors' entries only with one of its
 *   own), so by then it was applied here if it ever will be, unless the old leader lives on and
 *   forwards it again; "unknown" is true either way. A graceful transfer drops no connection,
 *   so proposals the old leader holds and hands on (held_proposals.ts) still succeed;
 * - `proposalTimeoutMs` passes: unknown (it may still be in some log);
 * - the node stops or fails: unknown.
 *
 * A forwarded proposal (this node was a follower) has no index, so only application, a lost
 * leader, timeout or stop settle it. Map insertion order is deadline order, since every proposal
 * gets the same timeout, so expiry scans from the front.
 */
import {
  AssertionError, ProposalDroppedError, assert, type LogIndex, type NodeId, type Term,
} from "../core/index.js";
import { OutcomeUnknownError, ProposalTimeoutError } from "./errors.js";
import type { RuntimeBugs } from "./runtime_bugs.js";

interface Pending<R> {
  readonly seq: number;
  readonly deadlineMs: number;
  readonly resolve: (result: R) => void;
  readonly reject: (error: Error) => void;
  appended: { readonly index: LogIndex; readonly term: Term } | null;
  /** Forwarded to leader `to` in `term` (in `orphans` once the connection to it dropped). */
  forwarded: { readonly to: NodeId; readonly term: Term } | null;
}

export class PendingProposals<R> {
  private readonly bySeq = new Map<number, Pending<R>>();
  private readonly byIndex = new Map<number, Pending<R>>();
  /** Forwarded proposals whose leader's connection dropped (see the header). */
  private readonly orphans = new Set<Pending<R>>();
  /** The term of the last entry applied here. */
  private appliedTerm = 0;

  constructor(private readonly bugs: RuntimeBugs = {}) {}

  get size(): number {
    return this.bySeq.size;
  }

  /** Registers proposal `seq`; the promise settles as described above. */
  add(seq: number, deadlineMs: number): Promise<R> {
    assert(!this.bySeq.has(seq), `proposal ${seq} registered twice`);
    return new Promise<R>((resolve, reject) => {
      this.bySeq.set(seq, { seq, deadlineMs, resolve, reject, appended: null, forwarded: null });
    });
  }

  /** The proposal was appended to this (leader) node's log at (index, term). */
  markAppended(seq: number, index: LogIndex, term: Term): void {
    const pending = this.bySeq.get(seq);
    if (pending === undefined) return;
    pending.appended = { index, term };
    this.byIndex.set(index, pending);
  }

  /**
   * The proposal was forwarded to leader `to` in `term`; `lost` when the connection to `to` is
   * already down (it will be settled once a later term's entry is applied).
   */
  markForwarded(seq: number, to: NodeId, term: Term, lost: boolean): void {
    const pending = this.bySeq.get(seq);
    if (pending === undefined) return;
    pending.forwarded = { to, term };
    if (lost) this.orphan(pending);
  }

  /** The connection to `peer` dropped: what was forwarded to it is settled as described above. */
  leaderLost(peer: NodeId): void {
    for (const pending of this.bySeq.values()) {
      if (pending.forwarded?.to === peer) this.orphan(pending);
    }
  }

  /** Settles the proposal `seq` with an error before it reached the core. */
  fail(seq: number, error: Error): void {
    const pending = this.bySeq.get(seq);
    if (pending === undefined) return;
    this.remove(pending);
    pending.reject(error);
  }

  /**
   * The entry at (index, term) was applied. `ownSeq` is the proposal it carries when this node
   * (this incarnation) proposed it, else null; `result` is what the state machine returned.
   */
  applied(index: LogIndex, term: Term, ownSeq: number | null, result: R | undefined): void {
    this.appliedTerm = term;
    if (ownSeq !== null) {
      const own = this.bySeq.get(ownSeq);
      if (own !== undefined) {
        this.remove(own);
        own.resolve(result as R);
      }
    }
    if (this.orphans.size > 0) this.settleOrphans();
    const atIndex = this.byIndex.get(index);
    if (atIndex === undefined) return;
    if (atIndex.appended?.term === term) {
      throw new AssertionError(
        `entry ${index} of term ${term} applied with another proposal than the one appended there`);
    }
    this.remove(atIndex);
    if (this.bugs.resolveOnWrongEntry === true && result !== undefined) {
      atIndex.resolve(result);
      return;
    }
    atIndex.reject(new ProposalDroppedError(
      `the entry at index ${index} was replaced by one of term ${term} (leadership changed)`));
  }

  /** A snapshot up to `index` replaced the state: proposals appended at or below it are unknown. */
  coveredBySnapshot(index: LogIndex, error: () => Error): void {
    for (const [at, pending] of this.byIndex) {
      if (at > index) continue;
      this.remove(pending);
      pending.reject(error());
    }
  }

  /** Rejects every proposal whose deadline passed with ProposalTimeoutError (unknown outcome). */
  expire(nowMs: number, timeoutMs: number): void {
    for (const pending of this.bySeq.values()) {
      if (pending.deadlineMs > nowMs) break;
      this.remove(pending);
      pending.reject(new ProposalTimeoutError(timeoutMs));
    }
  }

  /** Rejects every pending proposal (stop, failure). */
  rejectAll(error: () => Error): void {
    for (const pending of [...this.bySeq.values()]) {
      this.remove(pending);
      pending.reject(error());
    }
  }

  private orphan(pending: Pending<R>): void {
    if (pending.forwarded === null) return;
    this.orphans.add(pending);
    this.settleOrphans();
  }

  /** Orphans forwarded in a term older than the last applied entry's: unknown, now. */
  private settleOrphans(): void {
    for (const pending of this.orphans) {
      const forwarded = pending.forwarded;
      if (forwarded === null || forwarded.term >= this.appliedTerm) continue;
      this.remove(pending);
      pending.reject(new OutcomeUnknownError(
        `the proposal was forwarded to leader ${forwarded.to} of term ${forwarded.term}, whose ` +
        `connection dropped; entries of term ${this.appliedTerm} are applied now and it was not ` +
        "among them, so it is most likely lost"));
    }
  }

  private remove(pending: Pending<R>): void {
    this.orphans.delete(pending);
    this.bySeq.delete(pending.seq);
    if (pending.appended !== null) this.byIndex.delete(pending.appended.index);
  }
}
