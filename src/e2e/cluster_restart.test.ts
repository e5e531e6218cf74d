/**
 * Multi-process whole-cluster crash: SIGKILL every node at once under client load, restart them
 * all from their data directories; nothing acknowledged may be lost, and the clients' history
 * (reads after the restart included) must be linearizable.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { delay } from "../app/local_cluster.js";
import { checkHistory } from "../check/index.js";
import { startTestCluster, waitForLeader, type TestCluster } from "./testing/testing_cluster.js";
import { lostWrites, runOp, startWorkload } from "./testing/testing_clients.js";

let running: TestCluster | null = null;
after(async () => { await running?.close(); });

test("SIGKILL of the whole cluster and restart: nothing acknowledged is lost",
  { timeout: 60_000 }, async () => {
  running = await startTestCluster(3);
  const { cluster } = running;
  await waitForLeader(cluster);
  const workload = startWorkload(cluster, { registers: 2, keys: 3 });
  await delay(2000);
  await cluster.killAll();
  await workload.stop();
  const acknowledged = workload.acknowledged.size;
  assert.ok(acknowledged >= 5, `only ${acknowledged} writes acknowledged before the crash`);

  await cluster.start();
  await cluster.waitReady(20_000);
  await waitForLeader(cluster);
  assert.deepEqual(await lostWrites(cluster, workload.acknowledged), []);
  // The loss check can fail: a write that never happened is reported.
  assert.deepEqual(await lostWrites(cluster, new Map([["never-written", 7]])),
    ["never-written: wrote 7, read null"]);
  // Reads of the registers after the restart join the history, so lost or resurrected
  // register writes show up as a linearizability violation.
  const history = workload.history;
  for (let key = 0; key < 3; key++) {
    const proc = history.newProcess();
    const op = { f: "read", key: `r${key}` } as const;
    const done = await runOp(history, proc, cluster.node("n1").httpUrl, op);
    assert.equal(done.type, "ok");
  }
  const verdict = checkHistory(history.events);
  assert.equal(verdict.verdict, "linearizable", JSON.stringify(verdict).slice(0, 2000));
  console.log(`restart: ${acknowledged} unique writes acknowledged before the crash, ` +
    "all read back; " +
    `${verdict.ops} ops linearizable`);
});
