/**
 * The Raft safety properties of Figure 3 (§5.2–§5.4), checked incrementally as the simulator
 * observes each node's Ready, saves and applies — every check is O(1) or O(entries observed),
 * except Leader Completeness, which is O(terms) once per observed election.
 *
 * What each node's log is: a mirror of chain hashes (`chains[i]` = hash of entries 1..i) updated
 * whenever the core hands out entries or a snapshot in a Ready (the log the core itself
 * believes it has). After a crash the mirror is rebuilt from what storage kept.
 *
 * - Election Safety: at most one leader per term, ever (term -> leader map).
 * - Leader Append-Only: while a node stays leader of one term, its Ready entries only append.
 * - Log Matching: a global map index -> (term -> chain hash); two logs with an entry of the same
 *   index and term must have the same chain hash there, i.e. identical prefixes.
 * - Leader Completeness: a node's hard state (term T, commit c) proves entries 1..c were
 *   committed in a term <= T; a leader of any later term must hold the same prefix.
 * - State Machine Safety: no two applies of one index (on any node, in any incarnation) see
 *   different entries.
 * - Monotonicity: within one incarnation a node's commit never decreases and it applies indexes
 *   consecutively; the durable hard state's term and commit never decrease across crashes. (The
 *   in-memory commit legitimately restarts at the durable value after a crash, so the volatile
 *   check is per incarnation.)
 *
 * Across membership changes (§4 of the dissertation) the properties above are unchanged: they
 * are stated over terms and indexes, not quorums, so two leaders of one term are caught whatever
 * configurations their votes were counted in. Added (config_invariants.ts):
 * - Config In Flight: a leader's log holds at most one config entry past the highest commit
 *   index any node has reported (§4.1: one change at a time).
 * - Config Follows Log: a node's configuration is the one in the last config entry of its log,
 *   or its snapshot's when there is none (§4.1: used when appended, reverted when truncated).
 * - Snapshot Config: a snapshot records the configuration of the last config entry at or below
 *   its index (§7), so a node restoring it uses the configuration the log says.
 */
import type { ConfState, Entry, HardState, SnapshotMetadata } from "../core/messages.js";
import { ConfigMirror } from "./config_invariants.js";
import { chainHash, entryHash } from "./hash.js";

export type ViolationKind =
  | "election-safety"
  | "leader-append-only"
  | "log-matching"
  | "leader-completeness"
  | "state-machine-safety"
  | "monotonicity"
  | "config-in-flight"
  | "config-follows-log"
  | "snapshot-config"
  | "liveness"
  | "linearizability"
  /** An `assert` inside the core, storage or simulator failed: always a bug. */
  | "assertion"
  /** Two replicas' stores differ after applying the same log prefix (non-determinism). */
  | "replica-divergence";

/** A property the run must hold did not: the run stops and the seed fails. */
export class SimViolation extends Error {
  override readonly name = "SimViolation";
  readonly code = "SIM_VIOLATION";
  constructor(readonly kind: ViolationKind, detail: string) {
    super(`${kind}: ${detail}`);
  }
}

interface NodeMirror {
  chains: number[];
  leaderTerm: number | null;
  term: number;
  commit: number;
  applied: number;
  durableTerm: number;
  durableCommit: number;
}

interface CommitRecord {
  readonly index: number;
  readonly chain: number;
  readonly node: string;
}

export class InvariantChecker {
  private readonly nodes: NodeMirror[];
  private readonly leaders = new Map<number, number>();
  private readonly globalChains: (Map<number, number> | undefined)[] = [];
  private readonly appliedHashes: number[] = [];
  /** The store's hash after each applied index, as the first replica to get there had it. */
  private readonly stateHashes = new Map<number, { readonly hash: number; readonly node: number }>();
  private readonly appliedChains: number[] = [0];
  private readonly commitByTerm = new Map<number, CommitRecord>();
  private readonly configs: ConfigMirror;
  /** The highest commit index any node reported in memory. */
  private committedMax = 0;
  /** Leaders observed, one per (term, node), for reports. */
  elections = 0;

  /** `initialConf`: the configuration the cluster was created with (before any config entry). */
  /** Node names by index; a wiped node's changes (shared with the ConfigMirror). */
  private readonly names: string[];

  constructor(names: readonly string[], initialConf?: ConfState) {
    this.names = [...names];
    this.nodes = names.map(() => freshMirror());
    this.configs = new ConfigMirror(this.names, initialConf ?? null);
  }

  /** Config entries committed so far (each counted once, by index). */
  get configsCommitted(): number {
    return this.configs.committedCount;
  }

  /** The index of the last config entry in the node's log as observed (0: from its snapshot). */
  lastConfigIndex(i: number): number {
    return this.configs.lastIndex(i);
  }

  /** The configuration the node reports (a Ready's, or after a restart) must follow its log. */
  observeConfState(i: number, conf: ConfState): void {
    fail("config-follows-log", this.configs.checkFollowsLog(i, conf));
  }

  /** After a leader's Ready was observed: at most one config entry past the highest commit. */
  observeLeaderLog(i: number): void {
    fail("config-in-flight", this.configs.checkInFlight(i, this.committedMax));
  }

  /** The node's disk was replaced by an empty one (after its removal was committed). */
  observeWipe(i: number, name: string): void {
    this.names[i] = name;
    this.nodes[i] = freshMirror();
    this.configs.observeSnapshot(i, 0, null);
  }



  /** The node's current term as last observed. */
  termOf(i: number): number {
    return this.node(i).term;
  }

  private node(i: number): NodeMirror {
    const m = this.nodes[i];
    if (m === undefined) throw new RangeError(`no node ${i}`);
    return m;
  }

  private name(i: number): string {
    return this.names[i] ?? String(i);
  }

  /** The core handed out `entries` to append (a Ready); `leaderNow`: the Ready's role is leader. */
  observeEntries(i: number, entries: readonly Entry[], termNow: number, leaderNow: boolean): void {
    const first = entries[0];
    if (first === undefined) return;
    const m = this.node(i);
    const last = m.chains.length - 1;
    if (first.index > last + 1) {
      throw new SimViolation(
        "log-matching",
        `${this.name(i)} appends at ${first.index} past its last index ${last}`,
      );
    }
    if (m.leaderTerm !== null && leaderNow && termNow === m.leaderTerm && first.index <= last) {
      throw new SimViolation(
        "leader-append-only",
        `${this.name(i)}, leader of term ${m.leaderTerm}, overwrites its log from index ` +
          `${first.index} (last ${last})`,
      );
    }
    m.chains.length = first.index;
    this.configs.observeEntries(i, entries);
    for (const entry of entries) {
      const chain = chainHash(m.chains[entry.index - 1] ?? 0, entry);
      m.chains.push(chain);
      this.matchGlobal(i, entry.index, entry.term, chain);
    }
  }

  private matchGlobal(i: number, index: number, term: number, chain: number): void {
    let byTerm = this.globalChains[index];
    if (byTerm === undefined) {
      byTerm = new Map();
      this.globalChains[index] = byTerm;
    }
    const known = byTerm.get(term);
    if (known === undefined) byTerm.set(term, chain);
    else if (known !== chain) {
      throw new SimViolation(
        "log-matching",
        `${this.name(i)} has an entry at index ${index} term ${term} whose log prefix differs ` +
          `from another node's`,
      );
    }
  }

  /** The node's log was replaced by a snapshot (installed from the leader, or found on restart). */
  observeSnapshot(i: number, metadata: SnapshotMetadata): void {
    const m = this.node(i);
    const index = metadata.index;
    if (index === 0) {
      m.chains = [0];
      fail("snapshot-config", this.configs.observeSnapshot(i, 0, metadata.confState));
      return;
    }
    const chain = this.appliedChains[index];
    if (chain === undefined) {
      throw new SimViolation(
        "state-machine-safety",
        `${this.name(i)} has a snapshot at ${index}, past every applied index`,
      );
    }
    this.matchGlobal(i, index, metadata.term, chain);
    m.chains = this.appliedChains.slice(0, index + 1);
    fail("snapshot-config", this.configs.observeSnapshot(i, index, metadata.confState));
  }

  /** A Ready's hard state (in memory; `durable` once saved). */
  observeHardState(i: number, hs: HardState, durable: boolean): void {
    const m = this.node(i);
    if (durable) {
      if (hs.term < m.durableTerm || hs.commit < m.durableCommit) {
        throw new SimViolation(
          "monotonicity",
          `${this.name(i)} persisted term ${hs.term} commit ${hs.commit} after term ` +
            `${m.durableTerm} commit ${m.durableCommit}`,
        );
      }
      m.durableTerm = hs.term;
      m.durableCommit = hs.commit;
      return;
    }
    if (hs.commit < m.commit) {
      throw new SimViolation(
        "monotonicity",
        `${this.name(i)}'s commit went back from ${m.commit} to ${hs.commit}`,
      );
    }
    if (hs.term < m.term) {
      throw new SimViolation(
        "monotonicity",
        `${this.name(i)}'s term went back from ${m.term} to ${hs.term}`,
      );
    }
    m.term = hs.term;
    m.commit = hs.commit;
    if (hs.commit > this.committedMax) this.committedMax = hs.commit;
    if (hs.commit === 0) return;
    const chain = m.chains[hs.commit];
    if (chain === undefined) {
      throw new SimViolation(
        "log-matching",
        `${this.name(i)} commits ${hs.commit} past its last index ${m.chains.length - 1}`,
      );
    }
    const record = this.commitByTerm.get(hs.term);
    if (record === undefined || record.index < hs.commit) {
      this.commitByTerm.set(hs.term, { index: hs.commit, chain, node: this.name(i) });
    }
  }

  /** The node's role at a Ready, in its current `term`. */
  observeRole(i: number, leader: boolean, term: number): void {
    const m = this.node(i);
    if (!leader) {
      m.leaderTerm = null;
      return;
    }
    if (m.leaderTerm === term) return;
    m.leaderTerm = term;
    const known = this.leaders.get(term);
    if (known !== undefined && known !== i) {
      throw new SimViolation(
        "election-safety",
        `${this.name(known)} and ${this.name(i)} are both leaders of term ${term}`,
      );
    }
    if (known === undefined) this.elections++;
    this.leaders.set(term, i);
    this.checkCompleteness(i, term);
  }

  private checkCompleteness(i: number, term: number): void {
    const m = this.node(i);
    let best: CommitRecord | null = null;
    let bestTerm = 0;
    for (const [t, record] of this.commitByTerm) {
      if (t < term && (best === null || record.index > best.index)) {
        best = record;
        bestTerm = t;
      }
    }
    if (best === null) return;
    if (m.chains[best.index] !== best.chain) {
      throw new SimViolation(
        "leader-completeness",
        `${this.name(i)} became leader of term ${term} without the entries up to ${best.index} ` +
          `that ${best.node} saw committed in term ${bestTerm}`,
      );
    }
  }

  /**
   * Node `i`'s store, having applied the log up to `index`, hashes to `hash`. Every replica
   * must reach the same state at the same index: a difference is non-determinism in apply (a
   * local clock, unseeded randomness, iteration order).
   */
  observeStateHash(i: number, index: number, hash: number): void {
    const known = this.stateHashes.get(index);
    if (known === undefined) {
      this.stateHashes.set(index, { hash, node: i });
    } else if (known.hash !== hash) {
      throw new SimViolation("replica-divergence",
        `${this.name(i)} and ${this.name(known.node)} hold different stores after applying index ${index}`);
    }
  }

  /** The node applied `entry` (committed) to its state machine. */
  observeApply(i: number, entry: Entry): void {
    const m = this.node(i);
    if (entry.index !== m.applied + 1) {
      throw new SimViolation(
        "monotonicity",
        `${this.name(i)} applied index ${entry.index} after ${m.applied}`,
      );
    }
    if (entry.index > m.commit) {
      throw new SimViolation(
        "state-machine-safety",
        `${this.name(i)} applied index ${entry.index} past its commit index ${m.commit}`,
      );
    }
    m.applied = entry.index;
    const hash = entryHash(entry);
    const known = this.appliedHashes[entry.index];
    if (known === undefined) this.appliedHashes[entry.index] = hash;
    else if (known !== hash) {
      throw new SimViolation(
        "state-machine-safety",
        `${this.name(i)} applied a different entry at index ${entry.index} (term ${entry.term}) ` +
          `than another node`,
      );
    }
    const chain = m.chains[entry.index];
    if (chain === undefined) {
      throw new SimViolation(
        "log-matching",
        `${this.name(i)} applied index ${entry.index} that is not in its log`,
      );
    }
    if (this.appliedChains.length === entry.index) {
      this.appliedChains.push(chain);
      this.configs.observeCommitted(entry);
    } else if (this.appliedChains[entry.index] !== chain) {
      throw new SimViolation(
        "state-machine-safety",
        `${this.name(i)} applied index ${entry.index} after a different log prefix`,
      );
    }
  }

  /** The node restored its state machine from a snapshot at `index`. */
  observeRestore(i: number, index: number): void {
    this.node(i).applied = index;
  }

  /**
   * A node restarted from storage: forget its volatile state and rebuild its log mirror from the
   * snapshot and entries that survived.
   */
  observeRestart(
    i: number,
    snapshot: SnapshotMetadata,
    entries: readonly Entry[],
    durable: HardState,
  ): void {
    const m = this.node(i);
    m.leaderTerm = null;
    m.term = durable.term;
    m.commit = durable.commit;
    this.observeSnapshot(i, snapshot);
    m.applied = snapshot.index;
    this.observeEntries(i, entries, m.term, false);
  }
}

function fail(kind: ViolationKind, detail: string | null): void {
  if (detail !== null) throw new SimViolation(kind, detail);
}

function freshMirror(): NodeMirror {
  return {
    chains: [0], leaderTerm: null, term: 0, commit: 0, applied: 0, durableTerm: 0, durableCommit: 0,
  };
}
