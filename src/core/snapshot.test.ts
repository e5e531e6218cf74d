/** Log compaction and InstallSnapshot (§7). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import { DEFAULT_CONFIG } from "./config.js";
import type { InstallSnapshot, Message } from "./messages.js";
import { RaftNode } from "./raft_node.js";
import { SeededRng } from "./rng.js";
import { TestNetwork } from "./testing/testing_network.js";
import { idx, preload, tm } from "./testing/testing_storage.js";
import { nodeId, type NodeId } from "./types.js";

const confState = { voters: ["n1", "n2", "n3"].map(nodeId), learners: [], votersOutgoing: [] };

function cluster(): TestNetwork<MemoryStorage> {
  return new TestNetwork({ ids: ["n1", "n2", "n3"], storage: (cs) => new MemoryStorage(cs) });
}

function compact(net: TestNetwork<MemoryStorage>, id: NodeId): number {
  const storage = net.storage(id);
  const applied = net.node(id).status().applied;
  storage.createSnapshotSync(applied, confState, new TextEncoder().encode(`state@${applied}`));
  storage.compactSync(applied);
  return applied;
}

/** A cluster whose follower missed entries the leader has since compacted away. */
interface Lagging {
  net: TestNetwork<MemoryStorage>;
  leader: NodeId;
  follower: NodeId;
  snapIndex: number;
}

function lagging(): Lagging {
  const net = cluster();
  const leader = net.electLeader();
  const follower = net.ids.find((id) => id !== leader)!;
  net.isolate(follower);
  for (let i = 0; i < 10; i++) net.node(leader).propose(new Uint8Array([i]));
  net.processReady(leader);
  net.settle();
  net.tick(leader);
  net.settle();
  const snapIndex = compact(net, leader);
  net.heal();
  return { net, leader, follower, snapIndex };
}

test("§7 a follower that needs compacted entries is sent the snapshot, restores it, then catches up", () => {
  const { net, leader, follower, snapIndex } = lagging();
  net.node(leader).propose(new Uint8Array([99]));
  for (let i = 0; i < 5; i++) {
    net.tickAll();
    net.settle();
  }
  assert.deepEqual(net.snapshotsApplied.get(follower), [snapIndex]);
  const applied = net.applied.get(follower) ?? [];
  assert.equal(applied[0]?.index, snapIndex + 1, "entries after the snapshot, in order");
  assert.equal(net.node(follower).status().applied, net.node(leader).status().commit);
  assert.equal(net.storage(follower).firstIndex(), snapIndex + 1);
  assert.equal(net.node(leader).status().progress?.get(follower)?.state, "replicate");
});

test("§7 a lost InstallSnapshot is sent again after a timeout", () => {
  const { net, leader, follower } = lagging();
  const isSnap = (m: Message): m is InstallSnapshot =>
    m.type === "InstallSnapshot" && m.to === follower;
  let sent = 0;
  for (let i = 0; i < 3 * DEFAULT_CONFIG.electionTimeoutTicksMax && sent < 2; i++) {
    net.tickAll();
    net.deliverOnly((m) => {
      if (isSnap(m)) sent++;
      return !isSnap(m);
    });
  }
  assert.equal(sent, 2);
  assert.equal(net.node(leader).status().progress?.get(follower)?.state, "snapshot");
});

function follower(terms: number[], commit: number): { node: RaftNode; storage: MemoryStorage } {
  const storage = preload(new MemoryStorage(confState), terms, { commit });
  const config = { ...DEFAULT_CONFIG, id: nodeId("n2") };
  const node = new RaftNode({ config, storage, rng: new SeededRng(3) });
  return { node, storage };
}

function snapshotMessage(index: number, term: number): InstallSnapshot {
  return {
    type: "InstallSnapshot", from: nodeId("n1"), to: nodeId("n2"), term: tm(term),
    snapshot: {
      metadata: { index: idx(index), term: tm(term), confState },
      data: new Uint8Array([7]),
    },
  };
}

test("§7 a snapshot at or below the commit index is ignored", () => {
  const { node } = follower([1, 1, 1, 1], 3);
  node.step(snapshotMessage(2, 1));
  const rd = node.ready();
  assert.equal(rd.snapshot, null);
  assert.deepEqual(rd.messages.map((m) => m.type === "AppendEntriesResponse" ? m.index : -1), [3]);
});

test("§7 a snapshot whose last entry the log already has only moves the commit index", () => {
  const { node } = follower([1, 1, 1, 1], 1);
  node.step(snapshotMessage(3, 1));
  const rd = node.ready();
  assert.equal(rd.snapshot, null);
  assert.equal(rd.hardState?.commit, 3);
  assert.equal(node.status().lastIndex, 4, "entry 4 survives");
});

test("§7 a snapshot that conflicts replaces the log; Ready carries it before committed entries", () => {
  const { node, storage } = follower([1, 1, 1, 1], 1);
  node.step(snapshotMessage(6, 2));
  node.step({
    type: "AppendEntries", from: nodeId("n1"), to: nodeId("n2"), term: tm(2),
    prevLogIndex: idx(6), prevLogTerm: tm(2), commit: idx(7),
    entries: [{ index: idx(7), term: tm(2), kind: "normal", data: new Uint8Array([1]) }],
  });
  const rd = node.ready();
  assert.equal(rd.snapshot?.metadata.index, 6);
  assert.deepEqual(rd.entries.map((e) => e.index), [7]);
  assert.deepEqual(rd.committedEntries.map((e) => e.index), [7], "applied after the snapshot");
  storage.saveSync(rd);
  node.advance(rd);
  const status = node.status();
  assert.equal(status.applied, 7);
  assert.equal(storage.firstIndex(), 7);
  // Restart: applied defaults to the snapshot index, so entry 7 is handed out again.
  const config = { ...DEFAULT_CONFIG, id: nodeId("n2") };
  const restarted = new RaftNode({ config, storage, rng: new SeededRng(4) });
  assert.equal(restarted.status().applied, 6);
  assert.deepEqual(restarted.ready().committedEntries.map((e) => e.index), [7]);
});
