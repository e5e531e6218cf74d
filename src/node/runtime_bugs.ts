/**
 * Deliberate bugs of the runtime around the core, switched on only by tests to prove that the
 * simulator and its checkers catch them (STYLE.md rule 14), as the core's `TestingBugs` are.
 * Never set in production: `ClusterNodeOptions.testingBugs` documents them as test-only.
 */
import type { TestingBugs } from "../core/index.js";

export interface RuntimeBugs {
  /**
   * The leader hands a Ready's entries to the core as durable (`advance`) without waiting for
   * its own save: its copy counts towards commit, and clients are answered, before it is on disk.
   */
  readonly ackBeforeDurable?: boolean;
  /** Entries are applied as soon as they are in the local log, before they are committed. */
  readonly applyBeforeCommit?: boolean;
  /**
   * When another entry is applied at the index where this node appended a proposal, the
   * proposal is resolved with that entry's result instead of failing.
   */
  readonly resolveOnWrongEntry?: boolean;
  /** A leader whose lease expired still serves lease reads at its commit index. */
  readonly leaseReadAfterExpiry?: boolean;
  /** A snapshot records the previous snapshot's configuration, not the one at its own index. */
  readonly snapshotConfFromStorage?: boolean;
  /**
   * The key-value store runs each Redis command at the applying node's own wall clock instead
   * of the time stamped into the entry (kv/binary_store/replicated_kv.ts): replicas diverge.
   */
  readonly storeClockInApply?: boolean;
}

/** The deliberate bugs a test may switch on: the core's and the runtime's. */
export interface NodeTestingBugs {
  readonly core?: TestingBugs;
  readonly runtime?: RuntimeBugs;
}
