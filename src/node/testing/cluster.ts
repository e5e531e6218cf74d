/**
 * An in-process cluster of ClusterNodes over a MemoryNetwork for tests: a small recording state
 * machine, event-driven waits (no sleeps as synchronisation), and restart of a node over its
 * storage. Only tests import this file.
 */
import {
  assert, EMPTY_CONF_STATE, nodeId, type LogIndex, type NodeId, RaftError,
} from "../../core/index.js";
import type { Logger } from "../../core/logger.js";
import { MemoryStorage, type StableStorage } from "../../storage/index.js";
import { MemoryNetwork, type Transport } from "../../transport/index.js";
import type { MemberAddresses } from "../admin.js";
import { ClusterNode } from "../cluster_node.js";
import type { NodeLimitsInput } from "../config.js";
import type { StateMachine } from "../state_machine.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface LogResult {
  readonly index: LogIndex;
  /** How many commands this machine had applied, this one included. */
  readonly count: number;
  readonly command: string;
}

/** Records every applied command (as text); its snapshot is the whole record. */
export class RecordingMachine implements StateMachine<LogResult> {
  applied: string[] = [];
  restores = 0;

  apply(command: Uint8Array, index: LogIndex): LogResult {
    const text = decoder.decode(command);
    this.applied.push(text);
    return { index, count: this.applied.length, command: text };
  }

  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify(this.applied));
  }

  restore(image: Uint8Array): void {
    this.restores++;
    this.applied = JSON.parse(decoder.decode(image)) as string[];
  }
}

/** Fast timings so tests elect in tens of milliseconds. */
export const TEST_LIMITS: NodeLimitsInput = {
  tickMs: 5,
  heartbeatIntervalMs: 10,
  electionTimeoutMs: { min: 60, max: 120 },
  proposalTimeoutMs: 2000,
  readTimeoutMs: 2000,
};

export interface TestClusterOptions {
  readonly size: number;
  readonly limits?: NodeLimitsInput;
  /** Storage for node `id` (default: a MemoryStorage kept across restarts). */
  readonly storage?: (id: NodeId, voters: readonly NodeId[]) => Promise<StableStorage> | StableStorage;
  /** Wraps the transport of each node (for instrumentation). */
  readonly wrapTransport?: (transport: Transport) => Transport;
  /** Where node `id` persists its address book (default: not persisted). */
  readonly membersFile?: (id: NodeId) => string;
  /** The logger of node `id` (default: silent). */
  readonly logger?: (id: NodeId) => Logger;
}

/** A made-up peer address per node: the memory network needs none, the address book does. */
export function testAddresses(id: NodeId): MemberAddresses {
  const n = Number(/\d+$/.exec(id)?.[0] ?? 0);
  return { peer: `127.0.0.1:${20_000 + n}`, http: `127.0.0.1:${21_000 + n}` };
}

export class TestCluster {
  readonly ids: readonly NodeId[];
  readonly network = new MemoryNetwork();
  readonly nodes = new Map<NodeId, ClusterNode<LogResult>>();
  readonly machines = new Map<NodeId, RecordingMachine>();
  private readonly storages = new Map<NodeId, StableStorage>();

  private constructor(private readonly options: TestClusterOptions) {
    this.ids = Array.from({ length: options.size }, (_, i) => nodeId(`n${i + 1}`));
  }

  static async start(options: TestClusterOptions): Promise<TestCluster> {
    const cluster = new TestCluster(options);
    await Promise.all(cluster.ids.map((id) => cluster.startNode(id)));
    return cluster;
  }

  /**
   * (Re)starts `id` with a fresh state machine over its storage (as after a crash). With `join`,
   * a node new to the cluster starts with no configuration and waits to be added. The address
   * book is seeded with the founding members and `id` (as a config file written then would be).
   */
  async startNode(id: NodeId, join = false): Promise<ClusterNode<LogResult>> {
    let storage = this.storages.get(id);
    if (storage === undefined || this.options.storage !== undefined) {
      const voters = join ? [] : this.ids;
      storage = this.options.storage === undefined
        ? new MemoryStorage(join ? EMPTY_CONF_STATE : { voters, learners: [], votersOutgoing: [] })
        : await this.options.storage(id, voters);
      this.storages.set(id, storage);
    }
    const raw = this.network.endpoint(id, this.ids);
    const transport = this.options.wrapTransport?.(raw) ?? raw;
    const machine = new RecordingMachine();
    const addresses = Object.fromEntries([...this.ids, id].map((m) => [m, testAddresses(m)]));
    const membersFile = this.options.membersFile?.(id);
    const logger = this.options.logger?.(id);
    const node = await ClusterNode.start({
      id, peers: this.ids, storage: reopenable(storage), transport, stateMachine: machine,
      limits: { ...TEST_LIMITS, ...this.options.limits }, join, addresses,
      ...(membersFile === undefined ? {} : { membersFile }),
      ...(logger === undefined ? {} : { logger }),
    });
    node.on("fatal", () => undefined);
    this.nodes.set(id, node);
    this.machines.set(id, machine);
    return node;
  }

  node(id: NodeId): ClusterNode<LogResult> {
    const node = this.nodes.get(id);
    assert(node !== undefined, `no node ${id}`);
    return node;
  }

  machine(id: NodeId): RecordingMachine {
    const machine = this.machines.get(id);
    assert(machine !== undefined, `no machine ${id}`);
    return machine;
  }

  running(): ClusterNode<LogResult>[] {
    return [...this.nodes.values()].filter((n) => n.status().state === "running");
  }

  /** Resolves once every running node agrees on one leader among them. */
  waitForLeader(timeoutMs = 10_000): Promise<NodeId> {
    return this.waitFor(() => {
      const running = this.running();
      const leader = running.find((n) => n.status().role === "leader");
      if (leader === undefined) return null;
      return running.every((n) => n.status().leaderId === leader.id) ? leader.id : null;
    }, timeoutMs, "a leader known to every running node");
  }

  /** Resolves once `check` returns non-null, re-checking on every node event. */
  waitFor<T>(check: () => T | null, timeoutMs: number, what: string): Promise<T> {
    return waitForNodes([...this.nodes.values()], check, { timeoutMs, what });
  }

  /** Proposes on `id` (default: the leader), retrying definite failures after a new leader. */
  async propose(text: string, via?: NodeId, attemptsMax = 20): Promise<LogResult> {
    for (let attempt = 1; ; attempt++) {
      const target = via ?? (await this.waitForLeader());
      try {
        return await this.node(target).propose(encoder.encode(text));
      } catch (error) {
        if (!(error instanceof RaftError) || !error.definite || attempt >= attemptsMax) throw error;
        await this.waitForLeader();
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.stop()));
  }
}

/**
 * A view of `storage` whose `close` is a no-op, so the same MemoryStorage survives a node's
 * stop and serves its restart.
 */
function reopenable(storage: StableStorage): StableStorage {
  if (!(storage instanceof MemoryStorage)) return storage;
  return new Proxy(storage, {
    get(target, property, receiver): unknown {
      if (property === "close") return () => Promise.resolve();
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A node whose events a test can wait on. */
interface EventSource {
  on(name: "roleChange" | "leaderChange" | "applied" | "snapshot", listener: () => void): () => void;
}

/**
 * Resolves once `check` returns non-null, re-checked on every role, leader, apply and snapshot
 * event of `nodes` (and once at once); rejects after `timeoutMs`, naming `what`.
 */
export function waitForNodes<T>(
  nodes: readonly EventSource[],
  check: () => T | null,
  options: { readonly timeoutMs: number; readonly what: string },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const offs: (() => void)[] = [];
    const done = (): void => {
      clearTimeout(timer);
      for (const off of offs) off();
    };
    const poll = (): void => {
      const value = check();
      if (value === null) return;
      done();
      resolve(value);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`));
    }, options.timeoutMs);
    for (const node of nodes) {
      for (const name of ["roleChange", "leaderChange", "applied", "snapshot"] as const) {
        offs.push(node.on(name, poll));
      }
    }
    poll();
  });
}
