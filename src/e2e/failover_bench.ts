/**
 * Failover benchmark (issue #14, "Done means" 5): a 3-node cluster of real processes with the
 * DEFAULT timeouts; a client writes one key after another through a follower that survives; the
 * leader is SIGKILLed; the figure is the time from the kill to the first acknowledged write sent
 * after it. Repeated KILLS times (the killed node restarts and catches up in between), then the
 * distribution. It reports; it asserts nothing (benchmarks are not tests).
 *
 * Usage: npm run bench:failover [-- KILLS=20]
 */
import { delay } from "../app/local_cluster.js";
import { startTestCluster, statuses, waitApplied, waitForLeader } from "./testing/testing_cluster.js";

const kills = Number(process.argv[2] ?? 20);
/** A client's patience per request: long, so only the server decides when a write settles. */
const REQUEST_TIMEOUT_MS = 10_000;

interface Sample { readonly firstAckMs: number; readonly failedBefore: number }

/** A kill slower than this prints the nodes' election lines since the kill. */
const SLOW_MS = 500;

async function put(url: string, value: number): Promise<boolean> {
  try {
    const response = await fetch(`${url}/v1/kv/failover`, {
      method: "PUT", body: String(value), headers: { "content-type": "text/plain" },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

type Running = Awaited<ReturnType<typeof startTestCluster>>;

async function oneKill({ cluster, output }: Running): Promise<Sample> {
  const leader = await waitForLeader(cluster, 30_000);
  const via = cluster.runningIds.find((id) => id !== leader.id);
  if (via === undefined) throw new Error("no follower");
  const url = cluster.node(via).httpUrl;
  let killedAt = Infinity;
  let stop = false;
  let failedBefore = 0;
  let value = 0;
  const firstAck = (async (): Promise<number> => {
    while (!stop) {
      const sentAt = performance.now();
      const ok = await put(url, value++);
      if (ok && sentAt >= killedAt) return performance.now() - killedAt;
      if (!ok) {
        failedBefore++;
        await delay(10);
      }
    }
    return Infinity;
  })();
  await delay(300); // the client is in full swing
  killedAt = performance.now();
  const linesBefore = output.length;
  await cluster.kill(leader.id, "SIGKILL");
  const firstAckMs = await Promise.race([firstAck, delay(30_000).then(() => Infinity)]);
  if (firstAckMs > SLOW_MS) {
    const election = output.slice(linesBefore)
      .filter((line) => /campaign|Leader is|No leader|term/i.test(line)).slice(0, 20);
    console.log(`  slow: the nodes' election lines since the kill:\n  ${election.join("\n  ")}`);
  }
  stop = true;
  await firstAck;
  cluster.startNode(leader.id);
  await cluster.waitReady(30_000, [leader.id]);
  const now = (await statuses(cluster)).find((s) => s.role === "leader");
  if (now !== undefined) await waitApplied(cluster, leader.id, now.commit, 30_000);
  return { firstAckMs, failedBefore };
}

async function main(): Promise<void> {
  const running = await startTestCluster(3, { logLevel: "info" });
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < kills; i++) {
      const sample = await oneKill(running);
      samples.push(sample);
      console.log(`kill ${i + 1}: first acknowledged write ${sample.firstAckMs.toFixed(0)} ms after the SIGKILL ` +
        `(${sample.failedBefore} unacknowledged attempts)`);
    }
  } finally {
    await running.close();
  }
  const sorted = samples.map((s) => s.firstAckMs).sort((a, b) => a - b);
  const at = (p: number): string => (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN).toFixed(0);
  console.log(`failover, ${sorted.length} leader SIGKILLs, default timeouts: first acknowledged write ` +
    `p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
}

await main();
