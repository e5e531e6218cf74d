/**
 * An in-process cluster of `ReplicatedKv` nodes on real disks (a temporary directory per node)
 * over the transports a test supplies (real TCP sockets: transport/testing/tcp_mesh.ts), for
 * tests that attack a node from the network and restart the cluster: each node keeps the
 * logger the test gave it and counts the entries it applied as error no-ops. Waits are
 * event-driven (node events), never sleeps. Only tests import this file.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NodeId } from "../../core/index.js";
import type { Logger } from "../../core/logger.js";
import type { NodeTestingHooks } from "../../node/index.js";
import { waitForNodes } from "../../node/testing/cluster.js";
import { ReplicatedKv, type ReplicatedKvOptions } from "../binary_store/replicated_kv.js";

/** Slow enough that a loaded test machine does not change leaders by itself. */
const LIMITS = {
  tickMs: 10, heartbeatIntervalMs: 50, electionTimeoutMs: { min: 1000, max: 2000 },
  proposalTimeoutMs: 5000, readTimeoutMs: 5000,
} as const;

export interface KvTestMember<L extends Logger> {
  readonly id: NodeId;
  readonly dir: string;
  readonly logger: L;
  kv: ReplicatedKv | null;
  /** Entries this member applied as error no-ops (NodeObserver.entryApplyFailed). */
  applyErrors: number;
}

type Transport = NonNullable<ReplicatedKvOptions["transport"]>;

export interface KvTestClusterOptions<L extends Logger> {
  /** The nodes, all voters. */
  readonly ids: readonly NodeId[];
  /** Each node's logger, made once and kept across restarts. */
  readonly logger: (id: NodeId) => L;
  /** A new, not yet started transport for each (re)start of `id`. */
  readonly transport: (id: NodeId, logger: L) => Transport;
  readonly testing?: NodeTestingHooks;
}

export class KvTestCluster<L extends Logger> {
  private constructor(
    readonly options: KvTestClusterOptions<L>,
    readonly members: readonly KvTestMember<L>[],
    private readonly root: string,
  ) {}

  static async start<L extends Logger>(
    options: KvTestClusterOptions<L>,
  ): Promise<KvTestCluster<L>> {
    const root = await mkdtemp(join(tmpdir(), "raftkv-kv-cluster-"));
    const members = options.ids.map((id): KvTestMember<L> => ({
      id, dir: join(root, id), logger: options.logger(id), kv: null, applyErrors: 0,
    }));
    const cluster = new KvTestCluster(options, members, root);
    await Promise.all(members.map((m) => cluster.startMember(m)));
    return cluster;
  }

  member(id: NodeId): KvTestMember<L> {
    const member = this.members.find((m) => m.id === id);
    if (member === undefined) throw new Error(`no member ${id}`);
    return member;
  }

  kv(id: NodeId): ReplicatedKv {
    const kv = this.member(id).kv;
    if (kv === null) throw new Error(`${id} is not running`);
    return kv;
  }

  /** Starts (or restarts, over its data directory) one member. */
  async startMember(member: KvTestMember<L>): Promise<void> {
    const transport = this.options.transport(member.id, member.logger);
    member.kv = await ReplicatedKv.start({
      id: member.id, peers: this.members.map((m) => m.id), dataDir: member.dir, transport,
      limits: LIMITS, logger: member.logger,
      observer: { entryApplyFailed: () => { member.applyErrors += 1; } },
      ...(this.options.testing === undefined ? {} : { testing: this.options.testing }),
    });
  }

  /** Stops every member, then starts them all again over their data directories. */
  async restartAll(): Promise<void> {
    await this.stopAll();
    await Promise.all(this.members.map((m) => this.startMember(m)));
  }

  /** Resolves with the leader once every member follows the same one. */
  leader(timeoutMs = 15_000): Promise<ReplicatedKv> {
    return this.waitFor(() => {
      const kvs = this.members.map((m) => m.kv);
      const lead = kvs.find((kv) => kv?.node.status().role === "leader");
      if (lead === undefined || lead === null) return null;
      const agreed = kvs.every((kv) => kv?.node.status().leaderId === lead.node.id);
      return agreed ? lead : null;
    }, "a leader every member follows", timeoutMs);
  }

  /** Resolves once `check` returns non-null, re-checked on every node event. */
  waitFor<T>(check: () => T | null, what: string, timeoutMs = 15_000): Promise<T> {
    const nodes = this.members.flatMap((member) => member.kv === null ? [] : [member.kv.node]);
    return waitForNodes(nodes, check, { timeoutMs, what });
  }

  /** Resolves once every member has applied at least through `index`. */
  appliedEverywhere(index: number): Promise<true> {
    const applied = (m: KvTestMember<L>): number => m.kv?.node.status().applied ?? -1;
    return this.waitFor(() => (this.members.every((m) => applied(m) >= index) ? true : null),
      `every member applied through ${index}`);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.members.map(async (m) => {
      await m.kv?.stop();
      m.kv = null;
    }));
  }

  /** Stops every member and deletes the data directories. */
  async destroy(): Promise<void> {
    await this.stopAll();
    await rm(this.root, { recursive: true, force: true });
  }
}
