/**
 * A removed node stops serving (§4.2.2): once it applied a configuration without itself, every
 * proposal and read is refused with RemovedFromClusterError (definite), and its status stays
 * readable after its Raft activity halted (it used to throw "storage used after close()").
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeId } from "../core/index.js";
import type { Logger } from "../core/logger.js";
import { RemovedFromClusterError } from "./errors.js";
import { TestCluster } from "./testing/cluster.js";

/** A logger that resolves `stopped` when the node logs that it stopped. */
function stopWatcher(): { logger: Logger; stopped: Promise<void> } {
  let resolve = (): void => undefined;
  const stopped = new Promise<void>((done) => { resolve = done; });
  const ignore = (): void => undefined;
  const logger: Logger = {
    debug: ignore, warn: ignore, error: ignore,
    info: (_fields, message) => { if (message === "Node stopped") resolve(); },
    isLevelEnabled: (level) => level !== "debug" && level !== "trace",
  };
  return { logger, stopped };
}

test("a removed follower refuses proposals and reads as removed, and its status stays readable", async () => {
  const watchers = new Map<string, ReturnType<typeof stopWatcher>>();
  const cluster = await TestCluster.start({ size: 3, logger: (id) => {
    const watcher = stopWatcher();
    watchers.set(id, watcher);
    return watcher.logger;
  } });
  try {
    const leaderId = await cluster.waitForLeader();
    const victim = cluster.node(cluster.ids.find((id) => id !== leaderId)!);
    await cluster.propose("before");
    const removed = new Promise<number>((resolve) => {
      victim.once("removed", ({ index }) => { resolve(index); });
    });
    assert.equal(victim.removedIndex, null);
    await cluster.node(leaderId).removeNode(victim.id);
    const index = await removed;
    assert.equal(victim.removedIndex, index);
    await assert.rejects(victim.propose(new TextEncoder().encode("after")), (error: unknown) =>
      error instanceof RemovedFromClusterError && error.index === index
      && /n\d was removed from the cluster \(configuration at index \d+\)/.test(error.message));
    await assert.rejects(victim.readBarrier(), RemovedFromClusterError);
    // Once its Raft activity halts (after a linger) the storage is closed; status still answers.
    await watchers.get(victim.id)!.stopped;
    assert.equal(victim.status().state, "stopped");
    assert.equal(victim.status().id, victim.id);
    assert.ok(victim.raftStatus().lastIndex >= index);
    await assert.rejects(victim.propose(new TextEncoder().encode("later")), RemovedFromClusterError);
    // The others keep serving.
    await cluster.propose("after", nodeId(leaderId));
  } finally {
    await cluster.stop();
  }
});
