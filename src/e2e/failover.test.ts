/**
 * Multi-process failover (real processes, real TCP, real disks): SIGKILL the leader under client
 * load; a new leader must take writes within 3 seconds; the killed node restarts and catches up;
 * every acknowledged write is readable; the clients' history is linearizable.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { delay } from "../app/local_cluster.js";
import { checkHistory } from "../check/index.js";
import {
  startTestCluster, statuses, waitApplied, waitForLeader, type TestCluster,
} from "./testing/testing_cluster.js";
import { lostWrites, realTimeHistory, runOp, startWorkload } from "./testing/testing_clients.js";

let running: TestCluster | null = null;
after(async () => { await running?.close(); });

/** Short, so a probe stuck on a proposal forwarded to the dead leader does not hide recovery. */
const PROBE_TIMEOUT_MS = 300;

/** Time until a write succeeds through one of the survivors. */
async function msUntilWriteSucceeds(
  cluster: TestCluster["cluster"],
  sinceMs: number,
): Promise<number> {
  const probe = realTimeHistory();
  for (let i = 0; Date.now() - sinceMs < 10_000; i++) {
    const id = cluster.runningIds[i % cluster.runningIds.length] ?? "n1";
    const op = { f: "write", key: "probe", value: i } as const;
    const url = cluster.node(id).httpUrl;
    const done = await runOp(probe, probe.newProcess(), url, op, PROBE_TIMEOUT_MS);
    if (done.type === "ok") return Date.now() - sinceMs;
    await delay(20);
  }
  return Infinity;
}

test("SIGKILL the leader: writes resume within 3 s, it catches up, no acknowledged write is lost",
  { timeout: 60_000 }, async () => {
  running = await startTestCluster(3);
  const { cluster } = running;
  const first = await waitForLeader(cluster);
  const workload = startWorkload(cluster, { registers: 3, keys: 3 });
  await delay(1500);

  const killedAt = Date.now();
  await cluster.kill(first.id, "SIGKILL");
  const recoveryMs = await msUntilWriteSucceeds(cluster, killedAt);
  assert.ok(recoveryMs <= 3000, `writes resumed ${recoveryMs} ms after the leader was killed`);
  const second = await waitForLeader(cluster);
  assert.notEqual(second.id, first.id);
  assert.ok(second.term > first.term);

  await delay(1000);
  cluster.startNode(first.id);
  await cluster.waitReady(15_000, [first.id]);
  const leaderView = (await statuses(cluster)).find((s) => s.role === "leader");
  assert.ok(leaderView !== undefined, "a leader after the restart");
  await waitApplied(cluster, first.id, leaderView.commit, 15_000);
  await delay(500);
  await workload.stop();

  const acknowledged = workload.acknowledged.size;
  assert.ok(acknowledged >= 5, `only ${acknowledged} writes acknowledged`);
  assert.deepEqual(await lostWrites(cluster, workload.acknowledged), []);
  const verdict = checkHistory(workload.history.events);
  assert.equal(verdict.verdict, "linearizable", JSON.stringify(verdict).slice(0, 2000));
  console.log(`failover: writes resumed after ${recoveryMs} ms; ${acknowledged} unique writes ` +
    `acknowledged; ${verdict.ops} ops linearizable`);
});
