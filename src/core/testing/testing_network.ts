/**
 * A small, deterministic in-memory cluster for the core's tests: RaftNodes whose Readys are
 * processed in contract order (persist, send, apply, advance) and whose messages wait in one
 * queue that tests deliver, drop, duplicate or reorder at will. Storage is injected (tests pass
 * MemoryStorage) so this file stays inside the pure core.
 */
import { decodeConfEntry, EMPTY_CONF_STATE } from "../conf_change.js";
import { DEFAULT_CONFIG, type RaftConfig } from "../config.js";
import type { ConfState, Entry, HardState, Message, Snapshot } from "../messages.js";
import { RaftNode } from "../raft_node.js";
import type { ReadState } from "../ready.js";
import { SeededRng } from "../rng.js";
import type { Storage } from "../storage.js";
import { assert, nodeId, type LogIndex, type NodeId } from "../types.js";

/** The storage a test network writes: MemoryStorage fits. */
export interface SyncStorage extends Storage {
  saveSync(batch: {
    hardState: HardState | null;
    entries: readonly Entry[];
    snapshot: Snapshot | null;
  }): void;
}

export interface TestNetworkOptions<S extends SyncStorage = SyncStorage> {
  readonly ids: readonly string[];
  /** Makes each node's storage; tests may preload it (`id` says whose it is). */
  readonly storage: (confState: ConfState, id: NodeId) => S;
  readonly config?: Partial<Omit<RaftConfig, "id">>;
  readonly seed?: number;
  readonly learners?: readonly string[];
  /** Nodes that start outside the configuration (empty membership), to be added later. */
  readonly spares?: readonly string[];
}

export class TestNetwork<S extends SyncStorage = SyncStorage> {
  readonly ids: readonly NodeId[];
  readonly nodes = new Map<NodeId, RaftNode>();
  readonly storages = new Map<NodeId, S>();
  /** Entries each node applied, in order (a snapshot is recorded as a marker entry-less jump). */
  readonly applied = new Map<NodeId, Entry[]>();
  readonly snapshotsApplied = new Map<NodeId, LogIndex[]>();
  readonly readStates = new Map<NodeId, ReadState[]>();
  /** The configuration as of each node's applied index (from config entries and snapshots). */
  readonly appliedConfStates = new Map<NodeId, ConfState>();
  /** Every entry applied anywhere, in order: append-only, for invariant checkers. */
  readonly appliedEvents: { readonly id: NodeId; readonly entry: Entry }[] = [];
  /** Messages sent and not yet delivered, in send order. */
  queue: Message[] = [];
  /** Links that drop every message ("from->to"). */
  readonly cut = new Set<string>();
  private readonly rng: SeededRng;
  private readonly config: Partial<Omit<RaftConfig, "id">>;

  constructor(options: TestNetworkOptions<S>) {
    this.ids = options.ids.map(nodeId);
    this.rng = new SeededRng(options.seed ?? 1);
    this.config = options.config ?? {};
    const learners = (options.learners ?? []).map(nodeId);
    const spares = (options.spares ?? []).map(nodeId);
    const voters = this.ids.filter((id) => !learners.includes(id) && !spares.includes(id));
    const confState: ConfState = { voters, learners, votersOutgoing: [] };
    for (const id of this.ids) {
      const initial = spares.includes(id) ? EMPTY_CONF_STATE : confState;
      this.storages.set(id, options.storage(initial, id));
      this.applied.set(id, []);
      this.snapshotsApplied.set(id, []);
      this.readStates.set(id, []);
      this.start(id);
    }
  }

  node(id: string): RaftNode {
    const node = this.nodes.get(nodeId(id));
    assert(node !== undefined, `no node ${id}`);
    return node;
  }

  storage(id: string): S {
    const storage = this.storages.get(nodeId(id));
    assert(storage !== undefined, `no storage ${id}`);
    return storage;
  }

  configFor(id: NodeId): RaftConfig {
    return { ...DEFAULT_CONFIG, ...this.config, id };
  }

  /** (Re)starts a node over its storage, as after a crash: memory is lost, storage is not. */
  start(id: NodeId, applied?: LogIndex): void {
    const storage = this.storages.get(id);
    assert(storage !== undefined, `no storage ${id}`);
    const options = { config: this.configFor(id), storage, rng: this.rng.fork() };
    this.nodes.set(id, new RaftNode(applied === undefined ? options : { ...options, applied }));
    this.appliedConfStates.set(id, storage.snapshot().metadata.confState);
    const snapshotIndex = storage.snapshot().metadata.index;
    const log = this.applied.get(id) ?? [];
    this.applied.set(id, log.filter((e) => e.index <= snapshotIndex));
  }

  /** Handles every pending Ready of `id` in contract order. */
  processReady(id: NodeId): void {
    const node = this.nodes.get(id);
    const storage = this.storages.get(id);
    assert(node !== undefined && storage !== undefined, `no node ${id}`);
    while (node.hasReady()) {
      const rd = node.ready();
      storage.saveSync({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
      for (const m of rd.messages) {
        if (!this.cut.has(`${m.from}->${m.to}`)) this.queue.push(m);
      }
      if (rd.snapshot !== null) {
        this.snapshotsApplied.get(id)?.push(rd.snapshot.metadata.index);
        this.applied.set(id, []);
      }
      if (rd.snapshot !== null) this.appliedConfStates.set(id, rd.snapshot.metadata.confState);
      for (const entry of rd.committedEntries) {
        if (entry.kind === "config") {
          this.appliedConfStates.set(id, decodeConfEntry(entry.data).confState);
        }
      }
      this.applied.get(id)?.push(...rd.committedEntries);
      for (const entry of rd.committedEntries) this.appliedEvents.push({ id, entry });
      this.readStates.get(id)?.push(...rd.readStates);
      node.advance(rd);
    }
  }

  processAll(): void {
    for (const id of this.ids) this.processReady(id);
  }

  /** Delivers the queued message at `position` (default: the oldest). */
  deliver(position = 0): Message | undefined {
    const [m] = this.queue.splice(position, 1);
    if (m === undefined) return undefined;
    if (!this.cut.has(`${m.from}->${m.to}`)) {
      this.node(m.to).step(m);
      this.processReady(m.to);
    }
    return m;
  }

  /** Delivers, in order, every queued message `accept` likes and drops the others. */
  deliverOnly(accept: (m: Message) => boolean, stepsMax = 10_000): void {
    for (let i = 0; i < stepsMax && this.queue.length > 0; i++) {
      const m = this.queue[0];
      if (m !== undefined && accept(m)) this.deliver();
      else this.queue.shift();
    }
  }

  /** Delivers messages in order until none are left (bounded). */
  settle(stepsMax = 100_000): void {
    this.processAll();
    for (let i = 0; i < stepsMax && this.queue.length > 0; i++) this.deliver();
    assert(this.queue.length === 0, `network did not settle in ${stepsMax} deliveries`);
  }

  tick(id: string): void {
    this.node(id).tick();
    this.processReady(nodeId(id));
  }

  tickAll(times = 1): void {
    for (let t = 0; t < times; t++) for (const id of this.ids) this.tick(id);
  }

  /** Ticks everyone and settles until a leader emerges (bounded); returns it. */
  electLeader(roundsMax = 200): NodeId {
    for (let round = 0; round < roundsMax; round++) {
      const leader = this.leader();
      if (leader !== null) return leader;
      this.tickAll();
      this.settle();
    }
    throw new Error(`no leader after ${roundsMax} rounds`);
  }

  /** The leader with the highest term, if any. */
  leader(): NodeId | null {
    let best: NodeId | null = null;
    let bestTerm = -1;
    for (const [id, node] of this.nodes) {
      const status = node.status();
      if (status.role === "leader" && status.term > bestTerm) {
        best = id;
        bestTerm = status.term;
      }
    }
    return best;
  }

  isolate(id: string): void {
    for (const other of this.ids) {
      if (other === id) continue;
      this.cut.add(`${id}->${other}`);
      this.cut.add(`${other}->${id}`);
    }
  }

  /** The configuration at `id`'s applied index, as a snapshot taken now must record. */
  appliedConfState(id: string): ConfState {
    const cs = this.appliedConfStates.get(nodeId(id));
    assert(cs !== undefined, `no node ${id}`);
    return cs;
  }

  heal(): void {
    this.cut.clear();
  }

  /** The data of the normal entries `id` applied, decoded as text. */
  appliedData(id: string): string[] {
    const decoder = new TextDecoder();
    const entries = this.applied.get(nodeId(id)) ?? [];
    return entries.filter((e) => e.kind === "normal").map((e) => decoder.decode(e.data));
  }
}
