/**
 * Issue #6, done-means 2, over real TCP: a node added after the log has been compacted catches
 * up through a streamed snapshot (§7), and when its connection is killed mid-transfer the
 * transfer resumes from the bytes already stored and completes; then the node is promoted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMPTY_CONF_STATE, nodeId, type NodeId } from "../core/index.js";
import { MemoryStorage } from "../storage/index.js";
import { type SnapshotEvent, TcpTransport } from "../transport/index.js";
import { freePort } from "../transport/test_support.js";
import type { MemberAddresses } from "./admin.js";
import { ClusterNode } from "./cluster_node.js";
import { RecordingMachine, TEST_LIMITS, type LogResult } from "./testing/cluster.js";

const enc = new TextEncoder();
const chunkBytes = 16 * 1024;
const limits = { ...TEST_LIMITS, snapshotEntriesMin: 20, snapshotCatchUpEntries: 2 };

interface Member {
  readonly id: NodeId;
  readonly port: number;
  readonly events: SnapshotEvent[];
  transport: TcpTransport | null;
  node: ClusterNode<LogResult> | null;
  machine: RecordingMachine | null;
}

async function startMember(
  member: Member,
  founders: readonly Member[],
  options: { readonly join: boolean; readonly dir: string; readonly onEvent: () => void },
): Promise<void> {
  const peers = new Map(founders.filter((m) => m.id !== member.id)
    .map((m) => [m.id, { host: "127.0.0.1", port: m.port }] as const));
  member.transport = new TcpTransport({
    clusterId: "snapshot-streaming", nodeId: member.id, peers,
    listen: { host: "127.0.0.1", port: member.port },
    backoff: { initialMs: 5, maxMs: 50 },
    snapshot: { chunkBytes, chunksInflightMax: 2 },
    snapshotDir: join(options.dir, member.id, "incoming-snapshots"),
    onSnapshotEvent: (event) => {
      member.events.push(event);
      options.onEvent();
    },
  });
  const voters = founders.map((m) => m.id);
  const addresses: Record<string, MemberAddresses> = {};
  for (const m of [...founders, member]) addresses[m.id] = { peer: `127.0.0.1:${m.port}` };
  member.machine = new RecordingMachine();
  const confState = options.join ? EMPTY_CONF_STATE : { voters, learners: [], votersOutgoing: [] };
  member.node = await ClusterNode.start({
    id: member.id, peers: voters, join: options.join, addresses, transport: member.transport,
    storage: new MemoryStorage(confState), stateMachine: member.machine, limits,
  });
}

/** Resolves once `check` holds, re-checked on node and snapshot events. */
class Watch {
  private readonly waiters = new Set<() => void>();
  readonly poke = (): void => { for (const waiter of [...this.waiters]) waiter(); };

  until(nodes: () => ClusterNode<LogResult>[], check: () => boolean, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const offs: (() => void)[] = [];
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(poll);
        for (const off of offs) off();
      };
      const poll = (): void => {
        if (!check()) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => { done(); reject(new Error(`timed out: ${what}`)); }, 20_000);
      this.waiters.add(poll);
      for (const node of nodes()) {
        for (const name of ["applied", "leaderChange", "roleChange"] as const) {
          offs.push(node.on(name, poll));
        }
      }
      poll();
    });
  }
}

test("§7 a node added after compaction catches up by a streamed snapshot that resumes after " +
  "its connection is killed",
  { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "raftkv-snapshot-streaming-"));
  const members: Member[] = [];
  for (const name of ["n1", "n2", "n3", "n4"]) {
    members.push({
      id: nodeId(name), port: await freePort(), events: [], transport: null, node: null,
      machine: null,
    });
  }
  const [n4] = members.slice(3);
  assert.ok(n4 !== undefined);
  const founders = members.slice(0, 3);
  const running = (): ClusterNode<LogResult>[] =>
    members.flatMap((m) => (m.node === null ? [] : [m.node]));
  const watch = new Watch();
  let killedAtBytes = 0;
  // Once n4 has stored a third of the snapshot, its sender drops the connection (once).
  const onEvent = (): void => {
    const last = n4.events.at(-1);
    if (killedAtBytes === 0 && last?.kind === "chunkStored" && last.offset >= 12 * chunkBytes) {
      killedAtBytes = last.offset;
      members.find((m) => m.id === last.peer)?.transport?.resetPeerConnection(n4.id);
    }
    watch.poke();
  };
  try {
    for (const m of founders) await startMember(m, founders, { join: false, dir, onEvent });
    let leader: ClusterNode<LogResult> | undefined;
    await watch.until(running, () => {
      leader = running().find((n) => n.status().role === "leader");
      return leader !== undefined;
    }, "a leader");
    assert.ok(leader !== undefined);
    // ~600 KiB of state, snapshotted every 20 entries and compacted: n4 cannot catch up by log.
    const filler = "x".repeat(10 * 1024);
    for (let i = 0; i < 60; i++) await leader.propose(enc.encode(`${i}:${filler}`));
    const snapshotted = leader;
    await watch.until(running, () => snapshotted.status().snapshotIndex >= 40, "a snapshot");

    await startMember(n4, founders, { join: true, dir, onEvent });
    const after = await leader.addVoter("n4", { peer: `127.0.0.1:${n4.port}` },
      { lagMax: 0, timeoutMs: 30_000 });
    assert.equal(after.find((m) => m.id === n4.id)?.role, "voter");
    const commit = leader.status().commit;
    await watch.until(running, () => n4.node?.status().applied === commit, "n4 applied all");

    assert.ok(killedAtBytes > 0, "the connection was killed mid-transfer");
    assert.ok((n4.machine?.restores ?? 0) >= 1, "n4 restored from a snapshot");
    const expected = members.find((m) => m.node === snapshotted)?.machine?.applied;
    assert.deepEqual(n4.machine?.applied, expected);
    const sender = members.find((m) => m.node === snapshotted);
    assert.ok(sender?.transport !== null && sender?.transport !== undefined);
    const sent = sender.events.flatMap((e) => (e.kind === "sendStarted" && e.peer === n4.id
      ? [e.resumedFromBytes] : []));
    assert.equal(sent[0], 0);
    assert.ok(sent.some((from) => from >= killedAtBytes - 2 * chunkBytes),
      `resumed from ${sent.join()} after a kill at ${killedAtBytes}`);
    const completed = sender.events.find((e) => e.kind === "sendCompleted" && e.peer === n4.id);
    assert.ok(completed?.kind === "sendCompleted");
    const stats = sender.transport.snapshotStats();
    const resent = stats.chunkBytesSent - completed.bytes;
    assert.ok(resent < completed.bytes / 4,
      `${resent} bytes re-sent of a ${completed.bytes}-byte snapshot`);
    assert.ok(completed.bytes > 30 * chunkBytes, `snapshot of ${completed.bytes} bytes`);
  } finally {
    await Promise.all(running().map((n) => n.stop()));
    await rm(dir, { recursive: true, force: true });
  }
});
