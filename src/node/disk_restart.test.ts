/**
 * Real disks: a cluster on DiskStorage snapshots and compacts (§7), restarts from its data
 * directories with fresh state machines that are restored from the snapshot plus the log; and a
 * failed fdatasync stops the node (fail-stop) instead of acknowledging anything more.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeId } from "../core/index.js";
import { DiskFailedError, DiskStorage, nodeFileSystem } from "../storage/index.js";
import { InstrumentedFileSystem } from "../storage/instrumented_file_system.js";
import { MemoryNetwork } from "../transport/index.js";
import { ClusterNode } from "./cluster_node.js";
import { NodeStoppedError, OutcomeUnknownError } from "./errors.js";
import { RecordingMachine, TEST_LIMITS, TestCluster } from "./testing/cluster.js";

const enc = new TextEncoder();

test("§7 a 3-node cluster on disk snapshots, compacts, and restarts from snapshot + log", async () => {
  const dir = await mkdtemp(join(tmpdir(), "raftkv-node-"));
  const options = {
    size: 3,
    limits: { snapshotEntriesMin: 10, snapshotCatchUpEntries: 2 },
    storage: (id: string, voters: readonly string[]) => DiskStorage.open(join(dir, id), {
      confState: { voters: voters.map(nodeId), learners: [], votersOutgoing: [] },
    }),
  };
  try {
    const cluster = await TestCluster.start(options);
    const expected = Array.from({ length: 25 }, (_, i) => `c${i}`);
    for (const command of expected) await cluster.propose(command);
    await cluster.waitFor(() => (cluster.ids.every((id) => cluster.node(id).status().snapshotIndex > 0) ? true : null),
      10_000, "every node to take a snapshot");
    await cluster.stop();

    const restarted = await TestCluster.start(options);
    try {
      for (const id of restarted.ids) {
        assert.ok(restarted.machine(id).restores === 1, `node ${id} restored from its snapshot`);
        assert.ok(restarted.node(id).status().snapshotIndex > 0);
      }
      await restarted.waitForLeader();
      for (const id of restarted.ids) {
        await restarted.node(id).readBarrier();
        assert.deepEqual(restarted.machine(id).applied, expected, `node ${id} after restart`);
      }
      assert.equal((await restarted.propose("more")).count, expected.length + 1);
    } finally {
      await restarted.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("fail-stop: a failed fdatasync fails the node, reports a fatal error, and acknowledges nothing", async () => {
  const dir = await mkdtemp(join(tmpdir(), "raftkv-node-"));
  const fs = new InstrumentedFileSystem(nodeFileSystem);
  const id = nodeId("n1");
  const node = await ClusterNode.start({
    id, peers: [id], dataDir: dir, diskStorage: { fs },
    transport: new MemoryNetwork().endpoint(id, [id]), stateMachine: new RecordingMachine(), limits: TEST_LIMITS,
  });
  try {
    const fatal = new Promise<Error>((resolve) => node.once("fatal", ({ error }) => { resolve(error); }));
    await new Promise<void>((resolve) => {
      const check = (): void => { if (node.status().role === "leader") resolve(); };
      node.on("roleChange", check);
      check();
    });
    assert.equal((await node.propose(enc.encode("ok"))).command, "ok");
    fs.injectFault({ operation: "datasync", code: "EIO" });
    const doomed = node.propose(enc.encode("doomed"));
    await assert.rejects(doomed, (e: unknown) => e instanceof OutcomeUnknownError && !e.definite);
    const error = await fatal;
    assert.ok(error instanceof DiskFailedError, `fatal carries ${String(error)}`);
    assert.equal(node.status().state, "failed");
    assert.equal(node.fatalError, error);
    await assert.rejects(node.propose(enc.encode("later")), (e: unknown) => e instanceof NodeStoppedError && e.definite);
    await assert.rejects(node.readBarrier(), NodeStoppedError);
  } finally {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
