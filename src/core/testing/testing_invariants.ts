/**
 * Safety properties of Raft (Figure 3) checked over a TestNetwork after every step of a test:
 *   Election Safety     at most one leader per term;
 *   Log Matching        two logs with an entry of the same index and term agree on all before it;
 *   State Machine Safety no two nodes apply different entries at one index;
 *   Leader Completeness a leader of a later term holds every entry applied anywhere;
 *   and per node: commit and applied never decrease while the node runs.
 * Pure functions over plain data so each can be fed a known-bad input in its own test.
 */
import type { Entry } from "../messages.js";
import type { TestNetwork } from "./testing_network.js";
import { logIndex, type NodeId } from "../types.js";

/** The terms of a contiguous stretch of a log: `terms[k]` is the term at index `first + k`. */
export interface LogTerms {
  readonly first: number;
  readonly terms: readonly number[];
}

/** Returns a description of the first Log Matching violation between two logs, or null. */
export function logMatchingViolation(a: LogTerms, b: LogTerms): string | null {
  const lo = Math.max(a.first, b.first);
  const hi = Math.min(a.first + a.terms.length, b.first + b.terms.length) - 1;
  let lastAgree = -1;
  for (let i = hi; i >= lo; i--) {
    if (a.terms[i - a.first] === b.terms[i - b.first]) {
      lastAgree = i;
      break;
    }
  }
  for (let i = lo; i < lastAgree; i++) {
    const ta = a.terms[i - a.first];
    const tb = b.terms[i - b.first];
    if (ta !== tb) return `logs agree at ${lastAgree} but differ at ${i} (terms ${ta} vs ${tb})`;
  }
  return null;
}

function entryKey(entry: Entry): string {
  return `${entry.term}/${entry.kind}/${Array.from(entry.data).join(",")}`;
}

export class SafetyMonitor {
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** index -> the entry applied there by whichever node applied it first. */
  readonly appliedAt = new Map<number, { key: string; term: number; seenInTerm: number }>();
  /** The highest term any node has reached: an entry first seen applied now committed by then. */
  private termNow = 0;
  private appliedCursor = 0;
  private readonly lastCommit = new Map<NodeId, number>();
  private readonly lastApplied = new Map<NodeId, number>();
  violations: string[] = [];

  /** Election Safety: record that `id` leads `term`. */
  observeLeader(id: NodeId, term: number): void {
    const known = this.leaderOfTerm.get(term);
    if (known === undefined) this.leaderOfTerm.set(term, id);
    else if (known !== id) this.violations.push(`two leaders in term ${term}: ${known} and ${id}`);
  }

  /** State Machine Safety: record an entry `id` applied. */
  observeApplied(id: NodeId, entry: Entry): void {
    const key = entryKey(entry);
    const known = this.appliedAt.get(entry.index);
    if (known === undefined) {
      this.appliedAt.set(entry.index, { key, term: entry.term, seenInTerm: this.termNow });
    } else if (known.key !== key) {
      this.violations.push(`${id} applied ${key} at ${entry.index}, another node ${known.key}`);
    }
  }

  /** Commit and applied never decrease on a running node. */
  observeProgress(id: NodeId, commit: number, applied: number): void {
    if (commit < (this.lastCommit.get(id) ?? 0)) {
      this.violations.push(`${id} commit went back to ${commit}`);
    }
    if (applied < (this.lastApplied.get(id) ?? 0)) {
      this.violations.push(`${id} applied went back to ${applied}`);
    }
    this.lastCommit.set(id, commit);
    this.lastApplied.set(id, applied);
  }

  /** A restarted node may start again from its persisted commit and snapshot. */
  forgetProgress(id: NodeId): void {
    this.lastCommit.delete(id);
    this.lastApplied.delete(id);
  }

  /** Checks every property over the network's current state; returns the violations so far. */
  check(net: TestNetwork): string[] {
    for (const id of net.ids) this.termNow = Math.max(this.termNow, net.node(id).status().term);
    const events = net.appliedEvents.slice(this.appliedCursor);
    for (const { id, entry } of events) this.observeApplied(id, entry);
    this.appliedCursor = net.appliedEvents.length;
    const logs = new Map<NodeId, LogTerms>();
    for (const id of net.ids) {
      const status = net.node(id).status();
      if (status.role === "leader") this.observeLeader(id, status.term);
      this.observeProgress(id, status.commit, status.applied);
      const storage = net.storage(id);
      const first = storage.firstIndex() - 1;
      const terms: number[] = [];
      for (let i = first; i <= storage.lastIndex(); i++) terms.push(storage.term(logIndex(i)));
      logs.set(id, { first, terms });
      if (status.role === "leader") this.checkLeaderCompleteness(id, status.term, { first, terms });
    }
    const ids = [...logs.keys()];
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const a = logs.get(ids[i] as NodeId);
        const b = logs.get(ids[j] as NodeId);
        const violation = a && b ? logMatchingViolation(a, b) : null;
        if (violation !== null) this.violations.push(`${ids[i]} vs ${ids[j]}: ${violation}`);
      }
    }
    return this.violations;
  }

  /** §5.4: an entry committed in term T is in the log of every leader of a term after T. */
  private checkLeaderCompleteness(id: NodeId, leaderTerm: number, log: LogTerms): void {
    for (const [index, { term, seenInTerm }] of this.appliedAt) {
      if (index < log.first || leaderTerm <= seenInTerm) continue;
      const have = log.terms[index - log.first];
      if (have !== term) {
        const has = have === undefined ? "nothing" : `term ${have}`;
        const what = `applied entry ${index} of term ${term} (has ${has})`;
        this.violations.push(`leader ${id} lacks ${what}`);
      }
    }
  }
}
