/**
 * Test support: an in-memory cluster behind the `ClusterAdmin` contract, for the admin routes'
 * and the CLI's tests without Raft. Every node of a `FakeCluster` shares one membership and one
 * leader; a node that is not the leader refuses mutations with `NotLeaderError(leader)`, as the
 * real node does. `failures` makes the next mutation throw.
 */
import {
  ConfChangeRefusedError, INDEX_ZERO, NotLeaderError, logIndex, nodeId, term, type LogIndex,
  type NodeId,
} from "../../core/index.js";
import type {
  CatchUpOptions, ClusterAdmin, MemberAddresses, MemberInfo, MemberRole, TransferOptions,
} from "../../node/admin.js";
import type { RaftStatusView } from "../kv_service.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";

interface FakeMember {
  readonly role: MemberRole;
  readonly addresses: MemberAddresses | null;
}

export interface FakeCall {
  readonly node: string;
  readonly method: string;
  readonly args: readonly unknown[];
}

export class FakeCluster {
  readonly members = new Map<string, FakeMember>();
  leader: string | null;
  term = 1;
  readonly calls: FakeCall[] = [];
  /** Thrown, one each, by the next mutations (on any node). */
  readonly failures: Error[] = [];

  constructor(ids: readonly string[], httpOf: (id: string) => string | null = () => null) {
    for (const id of ids) {
      const http = httpOf(id);
      const addresses = { peer: `127.0.0.1:${7000 + this.members.size}` };
      const withHttp = http === null ? addresses : { ...addresses, http };
      this.members.set(id, { role: "voter", addresses: withHttp });
    }
    this.leader = ids[0] ?? null;
  }

  admin(self: string): FakeClusterAdmin {
    return new FakeClusterAdmin(this, self);
  }

  /** A KvService for node `self` whose status and admin follow this cluster. */
  service(self: string): MemoryKvService & { readonly admin: ClusterAdmin } {
    const service = new FakeAdminService(this.admin(self));
    service.statusView = this.statusOf(self);
    return service;
  }

  statusOf(self: string): RaftStatusView {
    const idsOf = (role: MemberRole): NodeId[] =>
      [...this.members].filter(([, m]) => m.role === role).map(([id]) => nodeId(id));
    const voters = idsOf("voter");
    const learners = idsOf("learner");
    return {
      id: nodeId(self), role: this.leader === self ? "leader" : "follower", term: term(this.term),
      vote: null, leaderId: this.leader === null ? null : nodeId(this.leader), commit: INDEX_ZERO,
      applied: INDEX_ZERO, lastIndex: INDEX_ZERO, progress: null,
      confState: { voters, learners, votersOutgoing: [] }, transferee: null,
    };
  }
}

class FakeAdminService extends MemoryKvService {
  constructor(readonly admin: FakeClusterAdmin) {
    super();
  }

  override status(): RaftStatusView {
    return this.admin.cluster.statusOf(this.admin.self);
  }
}

export class FakeClusterAdmin implements ClusterAdmin {
  constructor(readonly cluster: FakeCluster, readonly self: string) {}

  members(): readonly MemberInfo[] {
    const onLeader = this.cluster.leader === this.self;
    return [...this.cluster.members].map(([id, m]) => ({
      id: nodeId(id), role: m.role, outgoingVoter: false, addresses: m.addresses,
      isLeader: id === this.cluster.leader, match: onLeader ? logIndex(10) : null,
      lag: onLeader ? 0 : null,
    }));
  }

  addVoter(
    id: string,
    addresses: MemberAddresses,
    options?: CatchUpOptions,
  ): Promise<readonly MemberInfo[]> {
    return this.mutate("addVoter", [id, addresses, options], () => {
      this.cluster.members.set(id, { role: "voter", addresses });
    });
  }

  addLearner(id: string, addresses: MemberAddresses): Promise<readonly MemberInfo[]> {
    return this.mutate("addLearner", [id, addresses], () => {
      this.cluster.members.set(id, { role: "learner", addresses });
    });
  }

  promote(id: string, options?: CatchUpOptions): Promise<readonly MemberInfo[]> {
    return this.mutate("promote", [id, options], () => {
      const member = this.cluster.members.get(id);
      if (member?.role !== "learner") throw new ConfChangeRefusedError(`${id} is not a learner`);
      this.cluster.members.set(id, { ...member, role: "voter" });
    });
  }

  removeNode(id: string): Promise<readonly MemberInfo[]> {
    return this.mutate("removeNode", [id], () => {
      this.cluster.members.delete(id);
      if (id === this.cluster.leader) this.handOver(null);
    });
  }

  async transferLeader(to: string | null, options?: TransferOptions): Promise<NodeId> {
    await this.mutate("transferLeader", [to, options], () => { this.handOver(to); });
    return nodeId(this.cluster.leader ?? "none");
  }

  async snapshotNow(): Promise<{ readonly index: LogIndex }> {
    this.cluster.calls.push({ node: this.self, method: "snapshotNow", args: [] });
    await Promise.resolve();
    return { index: logIndex(42) };
  }

  private handOver(to: string | null): void {
    const target = to ?? [...this.cluster.members]
      .find(([id, m]) => m.role === "voter" && id !== this.cluster.leader)?.[0] ?? null;
    this.cluster.leader = target;
    this.cluster.term++;
  }

  private async mutate(
    method: string,
    args: readonly unknown[],
    apply: () => void,
  ): Promise<readonly MemberInfo[]> {
    this.cluster.calls.push({ node: this.self, method, args });
    await Promise.resolve();
    if (this.cluster.leader !== this.self) {
      throw new NotLeaderError(this.cluster.leader === null ? null : nodeId(this.cluster.leader));
    }
    const failure = this.cluster.failures.shift();
    if (failure !== undefined) throw failure;
    apply();
    return this.members();
  }
}
