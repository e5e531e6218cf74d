/**
 * The cluster a golden trace drives (etcd-io/raft's `InteractionEnv`, written for this core):
 * RaftNodes over injected synchronous storage, each with an inbox of messages sent to it. Nothing
 * happens unless a command says so: a Ready is handled only by `processReady` (persist, route
 * messages into inboxes, advance, printing what it did), a message arrives only by `deliver`, a
 * clock moves only by `tick`. That makes every interleaving of the paper's figures scriptable.
 *
 * Partitions are decided at delivery: a message between groups is printed as dropped.
 */
import { DEFAULT_CONFIG, type RaftConfig } from "../config.js";
import type { ConfState, Entry, Message } from "../messages.js";
import { RaftNode } from "../raft_node.js";
import { SeededRng } from "../rng.js";
import { assert, logIndex, type NodeId } from "../types.js";
import type { SyncStorage } from "./testing_network.js";
import { formatConfState, formatEntry, formatMessage, formatReady } from "./trace_format.js";
import { entriesWithTerms, hardState } from "./testing_storage.js";

/** How to start one node: its configuration, and the log and hard state it crashed with. */
export interface NodeSetup {
  readonly confState: ConfState;
  readonly config: Partial<Omit<RaftConfig, "id">>;
  /** Terms of preloaded entries at indexes 1, 2, ... */
  readonly logTerms: readonly number[];
  readonly term?: number;
  readonly vote?: string;
  readonly commit?: number;
}

/** Upper bound on rounds of `stabilize`, so a livelock fails instead of hanging. */
const STABILIZE_ROUNDS_MAX = 1000;

export class InteractionEnv {
  readonly nodes = new Map<NodeId, RaftNode>();
  private readonly storages = new Map<NodeId, SyncStorage>();
  private readonly configs = new Map<NodeId, RaftConfig>();
  private readonly inboxes = new Map<NodeId, Message[]>();
  /** Partition group of each node; null when the network is whole. */
  private groups: Map<NodeId, number> | null = null;
  private readonly rng: SeededRng;

  constructor(
    private readonly makeStorage: (confState: ConfState) => SyncStorage,
    seed = 1,
  ) {
    this.rng = new SeededRng(seed);
  }

  /** Adds a node as if it had crashed with `setup`'s log; returns a line describing it. */
  addNode(id: NodeId, setup: NodeSetup): string {
    assert(!this.nodes.has(id), `node ${id} already exists`);
    const storage = this.makeStorage(setup.confState);
    const last = setup.logTerms[setup.logTerms.length - 1] ?? 0;
    const options: { vote?: string; commit?: number } = { commit: setup.commit ?? 0 };
    if (setup.vote !== undefined) options.vote = setup.vote;
    storage.saveSync({
      hardState: hardState(setup.term ?? last, options),
      // Preloaded entries carry no data: their term is what the paper's figures are about.
      entries: entriesWithTerms(setup.logTerms).map((e) => ({ ...e, data: new Uint8Array() })),
      snapshot: null,
    });
    this.storages.set(id, storage);
    this.configs.set(id, { ...DEFAULT_CONFIG, ...setup.config, id });
    this.inboxes.set(id, []);
    this.start(id);
    return `${id}: ${this.describe(id)}`;
  }

  /** Loses `id`'s memory and inbox and starts it again over its storage, as after a crash. */
  restart(id: NodeId): string {
    this.inboxes.set(id, []);
    this.start(id);
    return `${id} restarted: ${this.describe(id)}`;
  }

  node(id: NodeId): RaftNode {
    const node = this.nodes.get(id);
    assert(node !== undefined, `no node ${id}`);
    return node;
  }

  ids(): NodeId[] {
    return [...this.nodes.keys()];
  }

  config(id: NodeId): RaftConfig {
    const config = this.configs.get(id);
    assert(config !== undefined, `no node ${id}`);
    return config;
  }

  /** Handles one Ready of `id` in contract order: persist, send (to inboxes), advance. */
  processReady(id: NodeId): string[] {
    const node = this.node(id);
    if (!node.hasReady()) return [];
    const rd = node.ready();
    this.storage(id).saveSync({
      hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot,
    });
    for (const m of rd.messages) this.inbox(m.to).push(m);
    node.advance(rd);
    return [`> ${id} handling Ready`, ...formatReady(rd).map((l) => `  ${l}`)];
  }

  /** Steps every message waiting for `id` (or drops them all), printing each. */
  deliver(id: NodeId, options: { drop: boolean }): string[] {
    const inbox = this.inbox(id);
    if (inbox.length === 0) return [];
    const messages = inbox.splice(0, inbox.length);
    const out = [`> ${id} ${options.drop ? "dropping" : "receiving"} messages`];
    for (const m of messages) {
      const cut = !options.drop && this.partitioned(m.from, m.to);
      out.push(`  ${formatMessage(m)}${cut ? " (dropped: partitioned)" : ""}`);
      if (!options.drop && !cut) this.node(id).step(m);
    }
    return out;
  }

  /** Handles Readys and delivers messages until nothing is left to do (bounded). */
  stabilize(ids: readonly NodeId[]): string[] {
    const out: string[] = [];
    for (let round = 0; round < STABILIZE_ROUNDS_MAX; round++) {
      const before = out.length;
      for (const id of ids) out.push(...this.processReady(id));
      for (const id of ids) out.push(...this.deliver(id, { drop: false }));
      if (out.length === before) return out;
    }
    throw new Error(`stabilize did not settle in ${String(STABILIZE_ROUNDS_MAX)} rounds`);
  }

  /**
   * Ticks `id` until its election timeout fires and it asks for (pre-)votes, seen as a Ready
   * appearing; returns the tick count. A follower or candidate's ticks make no other output.
   */
  campaign(id: NodeId): number {
    const node = this.node(id);
    assert(!node.hasReady(), `${id} has a Ready to process before it can campaign`);
    assert(node.status().role !== "leader", `${id} leads already`);
    const ticksMax = this.config(id).electionTimeoutTicksMax * 2;
    for (let ticks = 1; ticks <= ticksMax; ticks++) {
      node.tick();
      if (node.hasReady()) return ticks;
    }
    throw new Error(`${id} did not campaign within ${String(ticksMax)} ticks`);
  }

  /** Splits the network: a message between two groups is dropped when delivered. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.groups = new Map();
    groups.forEach((group, i) => {
      for (const id of group) this.groups?.set(id, i);
    });
  }

  heal(): void {
    this.groups = null;
  }

  describe(id: NodeId): string {
    const s = this.node(id).status();
    const storage = this.storage(id);
    const last = storage.lastIndex();
    return `role=${s.role} term=${String(s.term)} vote=${s.vote ?? "none"}`
      + ` leader=${s.leaderId ?? "none"} commit=${String(s.commit)} applied=${String(s.applied)}`
      + ` last=${String(storage.term(last))}/${String(last)} ${formatConfState(s.confState)}`;
  }

  /** The entries in `id`'s storage, one line each. */
  log(id: NodeId): string[] {
    const storage = this.storage(id);
    const first = storage.firstIndex();
    const next = logIndex(storage.lastIndex() + 1);
    if (next <= first) return [`${id}: empty log`];
    const entries: readonly Entry[] = storage.entries(first, next, {
      bytesMax: Number.MAX_SAFE_INTEGER,
    });
    return [`${id}:`, ...entries.map((e) => `  ${formatEntry(e)}`)];
  }

  private start(id: NodeId): void {
    const storage = this.storage(id);
    this.nodes.set(id, new RaftNode({ config: this.config(id), storage, rng: this.rng.fork() }));
  }

  private storage(id: NodeId): SyncStorage {
    const storage = this.storages.get(id);
    assert(storage !== undefined, `no node ${id}`);
    return storage;
  }

  private inbox(id: NodeId): Message[] {
    const inbox = this.inboxes.get(id);
    assert(inbox !== undefined, `message to unknown node ${id}`);
    return inbox;
  }

  private partitioned(from: NodeId, to: NodeId): boolean {
    if (this.groups === null) return false;
    // A node named in no group is alone.
    return (this.groups.get(from) ?? -1) !== (this.groups.get(to) ?? -2);
  }
}
