/**
 * Issue 13, done-means #3, with real processes: every fsync of the leader is delayed by 300 ms
 * (`strace -e inject=...:delay_exit` attached to all its threads). The leader notices its own
 * stall and hands leadership over; writes continue through the new leader and its old self says
 * why in its log. Times and rates are printed, not asserted (a shared machine is noisy).
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import { delay } from "../app/local_cluster.js";
import { installed } from "./testing/testing_clients.js";
import {
  TEST_CONFIG, startTestCluster, waitForLeader, type TestCluster,
} from "./testing/testing_cluster.js";

const FSYNC_DELAY_US = 300_000;
let running: TestCluster | null = null;
let tracer: ChildProcess | null = null;
after(async () => {
  tracer?.kill("SIGKILL");
  await running?.close();
});

/** Writes through whichever node accepts, from `writers` loops, until `stop()`; counts successes. */
function startWriters(endpoints: readonly string[], writers: number): {
  count: () => number; stop: () => Promise<void>;
} {
  let done = 0;
  let stopping = false;
  const loop = async (w: number): Promise<void> => {
    let target = w % endpoints.length;
    for (let i = 0; !stopping; i++) {
      try {
        const response = await fetch(`${endpoints[target]}/v1/kv/w${w}-${i}`, {
          method: "PUT", body: "x", headers: { "content-type": "text/plain" },
          signal: AbortSignal.timeout(3000),
        });
        await response.arrayBuffer();
        if (response.status === 200) {
          done++;
          continue;
        }
      } catch { /* try the next node */ }
      target = (target + 1) % endpoints.length;
      await delay(20);
    }
  };
  const loops = Array.from({ length: writers }, (_, w) => loop(w));
  return {
    count: () => done,
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

async function rateOver(ms: number, count: () => number): Promise<number> {
  const start = count();
  await delay(ms);
  return ((count() - start) * 1000) / ms;
}

test("a leader whose fsync is 300 ms slower hands leadership over; writes continue",
  { timeout: 90_000, skip: installed("strace") ? false : "strace is not installed" }, async () => {
    running = await startTestCluster(3, TEST_CONFIG);
    const { cluster, output } = running;
    const old = await waitForLeader(cluster);
    const endpoints = cluster.nodes.map((n) => n.httpUrl);
    const writers = startWriters(endpoints, 4);
    await delay(1000); // warm up
    const healthy = await rateOver(2000, writers.count);

    const pid = cluster.pid(old.id);
    assert.ok(pid !== null);
    const tids = readdirSync(`/proc/${pid}/task`);
    tracer = spawn("strace", ["-f", "-qq", "-e", "trace=fdatasync,fsync",
      "-e", `inject=fdatasync:delay_exit=${FSYNC_DELAY_US}`, "-e", `inject=fsync:delay_exit=${FSYNC_DELAY_US}`,
      ...tids.flatMap((tid) => ["-p", tid])], { stdio: ["ignore", "ignore", "pipe"] });
    const slowFrom = Date.now();
    const stalledRate = await rateOver(1000, writers.count);
    let next = await waitForLeader(cluster, 10_000);
    while (next.id === old.id) {
      await delay(50);
      next = await waitForLeader(cluster, 10_000);
    }
    const movedMs = Date.now() - slowFrom;
    const after = await rateOver(2000, writers.count);
    await writers.stop();
    tracer.kill("SIGINT");
    console.log(`slow disk e2e: healthy ${healthy.toFixed(0)} writes/s; fsync +300 ms on ${old.id}: `
      + `${stalledRate.toFixed(0)} writes/s in the first second; leadership moved to ${next.id} `
      + `${movedMs} ms after the slowdown (election timeout 400-800 ms); then `
      + `${after.toFixed(0)} writes/s (${((100 * after) / healthy).toFixed(0)}% of healthy)`);
    assert.notEqual(next.id, old.id);
    assert.ok(after > 0, "writes continue through the new leader");
    assert.ok(output.some((line) => line.startsWith(`${old.id} `)
      && /steps down: a WAL save has been in flight \d+ ms/.test(line)),
      `${old.id} logged why it stepped down`);
  });
