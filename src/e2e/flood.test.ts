/**
 * Flood tests against a real 3-process cluster: client floods must not depose the leader nor
 * take its memory. Short by default (part of `npm test`); `npm run test:flood` sets
 * RAFTKV_FLOOD=full for the sizes: 10 connections x 100,000 pipelined GETs to the leader
 * (replies read, then never read) and 100 connections x 15 MiB partial requests against the
 * default 256 MiB client-memory cap. Measured numbers are reported as test diagnostics.
 */
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { DEFAULT_CLIENT_LIMITS } from "../server/index.js";
import {
  startTestCluster, statuses, TEST_CONFIG, waitForLeader, type TestCluster,
} from "./testing/testing_cluster.js";
import {
  getsSettled, holdPartialRequests, maxObservedBound, peakRss, pipelineGets, rssBytes,
  scrapeBuckets, scrapeMetric,
} from "./testing/testing_flood.js";

const full = process.env.RAFTKV_FLOOD === "full";
const MiB = 1024 * 1024;
const gets = full ? { connections: 10, requests: 100_000 } : { connections: 4, requests: 20_000 };
const partial = full
  ? { connections: 100, capBytes: DEFAULT_CLIENT_LIMITS.clientMemoryMaxBytes }
  : { connections: 20, capBytes: 64 * MiB };
/**
 * What RSS may grow by beyond the client-memory cap (README "Resource limits"): socket chunks
 * read but not yet accounted, buffers of closed connections the garbage collector has not yet
 * returned, and allocator slack.
 */
const RSS_OVERHEAD_BYTES = 128 * MiB;
/** How long the offenders' closes may take to arrive once the client has written everything. */
const CLOSE_WAIT_MS = 15_000;
const LOOP_DELAY = "raftkv_event_loop_delay_seconds";

let running: TestCluster | null = null;

describe(`flood (${full ? "full" : "short"})`, { timeout: full ? 600_000 : 180_000 }, () => {
  before(async () => {
    running = await startTestCluster(3, {
      ...TEST_CONFIG,
      limits: { ...TEST_CONFIG.limits, clientMemoryMaxBytes: partial.capBytes },
      logLevel: "warn",
    });
  });
  after(async () => { await running?.close(); });

  interface Leader {
    readonly id: string;
    readonly term: number;
    readonly httpUrl: string;
    readonly port: number;
    /** The leader's tick-lateness histogram when the test began. */
    readonly delays: Map<string, number>;
  }

  async function leaderNow(): Promise<Leader> {
    assert.ok(running !== null);
    const leader = await waitForLeader(running.cluster);
    const node = running.cluster.node(leader.id);
    return {
      id: leader.id, term: leader.term, httpUrl: node.httpUrl, port: node.redisPort,
      delays: await scrapeBuckets(node.httpUrl, LOOP_DELAY),
    };
  }

  /**
   * Reports the terms and the leader's tick lateness; with `strict`, fails if the term or the
   * leader changed. The partial-request flood only reports it: moving 1.5 GB through loopback
   * on a loaded 2-core machine can starve every process, and its bar is memory, not timing.
   */
  async function checkLeader(t: TestContext, before: Leader, strict: boolean): Promise<void> {
    assert.ok(running !== null);
    const lateMs = 1000 *
      maxObservedBound(before.delays, await scrapeBuckets(before.httpUrl, LOOP_DELAY));
    const after = await statuses(running.cluster);
    const terms = after.map((s) => `${s.id}:${s.role}@${s.term}`).join(" ");
    t.diagnostic(`term before ${before.term}, after: ${terms}; the leader's ticks ran at most ` +
      `${lateMs} ms late, so its heartbeat gap was at most ` +
      `${TEST_CONFIG.heartbeatIntervalMs + TEST_CONFIG.tickMs + lateMs} ms ` +
      `(heartbeatIntervalMs ${TEST_CONFIG.heartbeatIntervalMs})`);
    if (!strict) return;
    for (const status of after) {
      assert.equal(status.term, before.term, `term changed on ${status.id}: ${terms}`);
      assert.equal(status.leaderId, before.id, `leader changed: ${terms}`);
    }
  }

  for (const readReplies of [true, false]) {
    const what = readReplies ? "replies read" : "replies never read";
    test(`${gets.connections} x ${gets.requests} pipelined GETs (${what}): no leader change`,
      async (t) => {
        const leader = await leaderNow();
        const baseline = (await scrapeMetric(leader.httpUrl,
          'raftkv_resp_commands_total{command="get"}')) ?? 0;
        const hold = readReplies ? undefined
          : getsSettled(leader.httpUrl, baseline + gets.connections * gets.requests);
        const result = await pipelineGets(leader.port, {
          ...gets, key: "flood", readReplies, ...(hold === undefined ? {} : { hold }),
        });
        t.diagnostic(`replies read: ${result.replies}`);
        if (readReplies) assert.equal(result.replies, gets.connections * gets.requests);
        await checkLeader(t, leader, true);
      });
  }

  test(`${partial.connections} x 15 MiB partial requests: RSS bounded, offenders closed`,
    async (t) => {
      assert.ok(running !== null);
      const leader = await leaderNow();
      const pid = running.cluster.pid(leader.id);
      assert.ok(pid !== null);
      const rssBefore = rssBytes(pid) ?? 0;
      const flooding = holdPartialRequests(leader.port, {
        connections: partial.connections, valueBytes: 15 * MiB + 1, sendBytes: 15 * MiB,
      });
      const peak = await peakRss(pid, flooding);
      const flood = await flooding;
      // The client's writes finish in its kernel buffers before the server has read them all;
      // the offenders are closed as their bytes arrive, so wait for those closes (bounded).
      const fit = Math.floor(partial.capBytes / (15 * MiB));
      const bound = new AbortController();
      await Promise.race([
        flood.waitClosed(partial.connections - fit),
        delay(CLOSE_WAIT_MS, undefined, { signal: bound.signal }).catch(() => undefined),
      ]);
      bound.abort();
      const closed = flood.closedByServer();
      const held = await scrapeMetric(leader.httpUrl, "raftkv_client_memory_bytes");
      flood.close();
      const disconnects = await scrapeMetric(leader.httpUrl,
        'raftkv_client_disconnections_total{reason="client_memory_cap"}');
      const rssAfter = rssBytes(pid) ?? 0;
      t.diagnostic(`RSS before ${(rssBefore / MiB).toFixed(0)} MiB, peak ` +
        `${(peak / MiB).toFixed(0)} MiB, after ${(rssAfter / MiB).toFixed(0)} MiB; cap ` +
        `${partial.capBytes / MiB} MiB; closed by the server: ${closed}/${partial.connections}; ` +
        `client memory held at the end ${((held ?? 0) / MiB).toFixed(1)} MiB`);
      assert.ok((held ?? Infinity) <= partial.capBytes,
        `client memory ${held} over the cap ${partial.capBytes}`);
      assert.ok(closed >= partial.connections - fit,
        `only ${closed} of ${partial.connections} offenders were closed (${fit} fit the cap)`);
      assert.ok((disconnects ?? 0) >= closed, `disconnections counted: ${disconnects}`);
      assert.ok(peak <= rssBefore + partial.capBytes + RSS_OVERHEAD_BYTES,
        `peak RSS ${peak} over ${rssBefore} + cap ${partial.capBytes} + ${RSS_OVERHEAD_BYTES}`);
      await checkLeader(t, leader, false);
    });
});
