/**
 * What the invariant checker knows about configurations (§4 of the dissertation): for every
 * node, the config entries of its log as the core handed them out (and the configuration of
 * its snapshot), and, globally, the config entries in commit order. The checks return a
 * description of the violation, or null; invariants.ts turns it into a SimViolation.
 */
import { decodeConfEntry, sameConfState } from "../core/conf_change.js";
import type { ConfState, Entry } from "../core/messages.js";
import { describeConf } from "./membership_nemesis.js";

interface ConfigAt {
  readonly index: number;
  readonly conf: ConfState;
}

interface NodeConfigs {
  /** The snapshot's configuration, or null when unknown (a wiped node before its restart). */
  base: ConfState | null;
  baseIndex: number;
  /** Config entries of the log past the snapshot, in index order. */
  entries: ConfigAt[];
}

export class ConfigMirror {
  private readonly nodes: NodeConfigs[];
  /** Committed config entries, in index order (each index once: State Machine Safety). */
  private readonly committed: ConfigAt[] = [];

  constructor(
    private readonly names: readonly string[],
    /** The configuration before the first config entry, or null when not known. */
    private readonly initialConf: ConfState | null,
  ) {
    this.nodes = names.map(() => ({ base: null, baseIndex: 0, entries: [] }));
  }

  get committedCount(): number {
    return this.committed.length;
  }

  private node(i: number): NodeConfigs {
    const n = this.nodes[i];
    if (n === undefined) throw new RangeError(`no node ${i}`);
    return n;
  }

  private name(i: number): string {
    return this.names[i] ?? String(i);
  }

  lastIndex(i: number): number {
    const n = this.node(i);
    return n.entries[n.entries.length - 1]?.index ?? n.baseIndex;
  }

  /** Entries handed out to append: those at or past the first one replace the log's tail. */
  observeEntries(i: number, entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    const n = this.node(i);
    while ((n.entries[n.entries.length - 1]?.index ?? 0) >= first.index) n.entries.pop();
    for (const entry of entries) {
      if (entry.kind === "config") {
        n.entries.push({ index: entry.index, conf: decodeConfEntry(entry.data).confState });
      }
    }
  }

  /**
   * The node's log now starts at a snapshot at `index` with configuration `conf`.
   * @returns a violation when the snapshot's configuration is not the committed one there.
   */
  observeSnapshot(i: number, index: number, conf: ConfState | null): string | null {
    const n = this.node(i);
    n.base = conf;
    n.baseIndex = index;
    n.entries = [];
    if (index === 0 || conf === null) return null;
    const expected = this.committedAt(index);
    if (expected === null || sameConfState(expected, conf)) return null;
    return `${this.name(i)} has a snapshot at ${index} recording ${describeConf(conf)}, but the ` +
      `committed configuration there is ${describeConf(expected)}`;
  }

  /** The configuration of the last committed config entry at or below `index`. */
  private committedAt(index: number): ConfState | null {
    for (let k = this.committed.length - 1; k >= 0; k--) {
      const at = this.committed[k];
      if (at !== undefined && at.index <= index) return at.conf;
    }
    return this.initialConf;
  }

  /** An entry applied for the first time anywhere (so in index order). */
  observeCommitted(entry: Entry): void {
    if (entry.kind !== "config") return;
    this.committed.push({ index: entry.index, conf: decodeConfEntry(entry.data).confState });
  }

  /** @returns a violation when `conf` is not the configuration the node's log says. */
  checkFollowsLog(i: number, conf: ConfState): string | null {
    const n = this.node(i);
    const last = n.entries[n.entries.length - 1];
    const expected = last?.conf ?? n.base;
    if (expected === null || sameConfState(expected, conf)) return null;
    const from = last === undefined ? `its snapshot at ${n.baseIndex}` : `index ${last.index}`;
    return `${this.name(i)} uses ${describeConf(conf)}, but its log's configuration (from ` +
      `${from}) is ${describeConf(expected)}`;
  }

  /** @returns a violation when the node's log has two config entries past `committedMax`. */
  checkInFlight(i: number, committedMax: number): string | null {
    const entries = this.node(i).entries;
    const last = entries[entries.length - 1];
    const before = entries[entries.length - 2];
    if (last === undefined || before === undefined || before.index <= committedMax) return null;
    return `leader ${this.name(i)} has uncommitted config entries at ${before.index} and ` +
      `${last.index} (highest commit seen ${committedMax})`;
  }
}
