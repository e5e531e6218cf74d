/**
 * Membership over real TCP: the transports of a running cluster learn a joining node's address
 * from the config entry (setPeer), the joining node accepts the leader's connection because it
 * knows the existing members, and a removed node is unlinked and stops.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EMPTY_CONF_STATE, nodeId, type NodeId } from "../core/index.js";
import { MemoryStorage } from "../storage/index.js";
import { TcpTransport } from "../transport/index.js";
import { freePort } from "../transport/test_support.js";
import type { MemberAddresses } from "./admin.js";
import { ClusterNode } from "./cluster_node.js";
import { RecordingMachine, TEST_LIMITS, type LogResult } from "./testing/cluster.js";

const enc = new TextEncoder();

interface Member {
  readonly id: NodeId;
  readonly port: number;
  node: ClusterNode<LogResult> | null;
}

async function startMember(member: Member, founders: readonly Member[], join: boolean) {
  const peers = new Map(founders.filter((m) => m.id !== member.id)
    .map((m) => [m.id, { host: "127.0.0.1", port: m.port }] as const));
  const transport = new TcpTransport({
    clusterId: "tcp-membership", nodeId: member.id, peers,
    listen: { host: "127.0.0.1", port: member.port },
  });
  const voters = founders.map((m) => m.id);
  const conf = join ? EMPTY_CONF_STATE : { voters, learners: [], votersOutgoing: [] };
  const addresses: Record<string, MemberAddresses> = {};
  for (const m of [...founders, member]) addresses[m.id] = { peer: `127.0.0.1:${m.port}` };
  member.node = await ClusterNode.start({
    id: member.id, peers: voters, join, addresses, transport,
    storage: new MemoryStorage(conf),
    stateMachine: new RecordingMachine(), limits: TEST_LIMITS,
  });
}

function until(nodes: readonly ClusterNode<LogResult>[], check: () => boolean, what: string) {
  return new Promise<void>((resolve, reject) => {
    const offs: (() => void)[] = [];
    const timer = setTimeout(() => { done(); reject(new Error(`timed out: ${what}`)); }, 10_000);
    const done = (): void => { clearTimeout(timer); for (const off of offs) off(); };
    const poll = (): void => { if (check()) { done(); resolve(); } };
    for (const node of nodes) {
      for (const name of ["applied", "leaderChange", "roleChange"] as const) {
        offs.push(node.on(name, poll));
      }
    }
    poll();
  });
}

test("over TCP a joining node is linked from its config entry, catches up, and can be removed",
  async () => {
    const members: Member[] = [];
    for (const name of ["n1", "n2", "n3", "n4"]) {
      members.push({ id: nodeId(name), port: await freePort(), node: null });
    }
    const founders = members.slice(0, 3);
    const running = (): ClusterNode<LogResult>[] =>
      members.flatMap((m) => (m.node === null ? [] : [m.node]));
    try {
      for (const m of founders) await startMember(m, founders, false);
      let leader: ClusterNode<LogResult> | undefined;
      await until(running(), () => {
        leader = running().find((n) => n.status().role === "leader");
        return leader !== undefined;
      }, "a leader");
      assert.ok(leader !== undefined);
      await leader.propose(enc.encode("before"));
      const n4 = members[3];
      assert.ok(n4 !== undefined);
      await startMember(n4, founders, true);
      const after = await leader.addVoter("n4", { peer: `127.0.0.1:${n4.port}` }, { lagMax: 0 });
      assert.equal(after.find((m) => m.id === n4.id)?.role, "voter");
      assert.ok(leader.status().state === "running");
      await leader.propose(enc.encode("after"));
      await until(running(), () => n4.node?.status().applied === leader?.status().commit, "n4");
      // Remove a follower: it learns of it, emits "removed" and stops; the others unlink it.
      const victim = running().find((n) => n.id !== leader?.id && n.id !== n4.id);
      assert.ok(victim !== undefined);
      const removed = new Promise<void>((resolve) => {
        victim.once("removed", () => { resolve(); });
      });
      await leader.removeNode(victim.id);
      await removed;
      // It halts a little later (after its link lingered); keep the cluster busy meanwhile.
      for (let i = 0; i < 2000 && victim.status().state !== "stopped"; i++) {
        await leader.propose(enc.encode(`w${i}`));
      }
      assert.equal(victim.status().state, "stopped");
      assert.ok(!leader.members().some((m) => m.id === victim.id));
    } finally {
      await Promise.all(running().map((n) => n.stop()));
    }
  });
