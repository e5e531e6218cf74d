import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { freePort } from "../transport/test_support.js";
import { resolveConfig } from "./config.js";
import { startNodeServer, type RunningNodeServer } from "./node_server.js";

/** Each sample of the text exposition: `name{labels} value`. */
function samples(text: string): { name: string; labels: string; value: number }[] {
  const out: { name: string; labels: string; value: number }[] = [];
  for (const line of text.split("\n")) {
    const match = /^([a-z_:][a-z0-9_:]*)(\{[^}]*\})? (\S+)$/i.exec(line);
    if (match?.[1] === undefined || match[3] === undefined) continue;
    out.push({ name: match[1], labels: match[2] ?? "", value: Number(match[3]) });
  }
  return out;
}

/**
 * The sum of a family's samples: its series for counters and gauges, its `_count` series for
 * histograms; labels, when given, must appear in the series' label text.
 */
function total(text: string, family: string, labels = ""): number {
  return samples(text)
    .filter((s) => (s.name === family || s.name === `${family}_count`) && s.labels.includes(labels))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Families that moved must be > 0; lists those that did not. */
function unmoved(text: string, families: readonly string[]): string[] {
  return families.filter((family) => !(total(text, family) > 0));
}

async function scrape(server: RunningNodeServer): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${server.http.port}/metrics`);
  assert.equal(response.status, 200);
  return response.text();
}

async function startCluster(dir: string): Promise<RunningNodeServer[]> {
  const members = [];
  for (const id of ["n1", "n2", "n3"]) {
    members.push({
      id, peer: `127.0.0.1:${await freePort()}`, redis: `127.0.0.1:${await freePort()}`,
      http: `127.0.0.1:${await freePort()}`,
    });
  }
  const raw = {
    clusterId: "metrics", members, dataDir: join(dir, "{id}"), snapshot: { entriesMin: 20 },
    peerTls: false,
  };
  return Promise.all(members.map(({ id }) => startNodeServer(
    resolveConfig({ ...raw, nodeId: id }, "test"), pino({ level: "silent" }))));
}

/** Waits for a leader that all three agree on, by the leaderChange event. */
async function leaderOf(servers: readonly RunningNodeServer[]): Promise<RunningNodeServer> {
  for (;;) {
    const leaders = servers.filter((s) => s.kv.status().role === "leader");
    const leader = leaders[0];
    const agreed = (id: string): boolean => servers.every((s) => s.kv.status().leaderId === id);
    if (leader !== undefined && agreed(leader.kv.node.id)) {
      return leader;
    }
    await new Promise<void>((resolve) => {
      const offs = servers.map((s) => s.kv.node.on("leaderChange", () => {
        for (const off of offs) off();
        resolve();
      }));
    });
  }
}

const families = [
  "raft_term", "raft_commit_index", "raft_applied_index", "raft_elections_total",
  "raft_proposals_total", "raft_commit_latency_seconds", "raft_wal_fsync_seconds",
  "raft_wal_save_entry_bytes", "raft_ready_loop_seconds", "raft_peer_bytes_sent_total",
  "raft_peer_bytes_received_total", "raft_messages_sent_total", "raft_messages_received_total",
  "raft_follower_match_index", "raft_read_index_seconds", "raft_snapshots_total",
  "raft_leader_changes_total", "process_cpu_seconds_total", "nodejs_heap_size_total_bytes",
];

test("every metric family moves under writes and reads on a 3-node cluster", async () => {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-metrics-"));
  const servers = await startCluster(dir);
  try {
    const leader = await leaderOf(servers);
    const before = await scrape(leader);
    // Known bad: with no client traffic yet, the proposal and read families have not moved.
    assert.deepEqual(unmoved(before, ["raft_proposals_total", "raft_read_index_seconds"]),
      ["raft_proposals_total", "raft_read_index_seconds"]);
    // 30 writes pass snapshot.entriesMin (20): the leader takes a snapshot, awaited below.
    const snapshotTaken = new Promise<void>((resolve) => {
      leader.kv.node.once("snapshot", () => { resolve(); });
    });
    const base = `http://127.0.0.1:${leader.http.port}/v1/kv`;
    for (let i = 0; i < 30; i++) {
      const put = await fetch(`${base}/k${i}`, { method: "PUT", body: `v${i}`,
        headers: { "content-type": "text/plain" } });
      assert.equal(put.status, 200);
      const get = await fetch(`${base}/k${i}`);
      assert.equal(get.status, 200);
    }
    await snapshotTaken;
    const after = await scrape(leader);
    assert.deepEqual(unmoved(after, families), []);
    assert.ok(total(after, "raft_proposals_total", 'result="committed"') >= 30);
    assert.ok(total(after, "raft_messages_sent_total", 'type="AppendEntries"') > 0);
    // Must stay zero: every entry decoded, no read failed, nothing pending once all settled.
    assert.equal(total(after, "raft_apply_errors_total"), 0);
    assert.equal(total(after, "raft_read_index_failures_total"), 0);
    assert.equal(total(after, "raft_pending_proposals"), 0);
    // A follower sees no follower progress: that series is the leader's alone.
    const follower = servers.find((s) => s !== leader);
    assert.ok(follower);
    const followerText = await scrape(follower);
    assert.equal(total(followerText, "raft_follower_match_index"), 0);
    assert.ok(total(followerText, "raft_messages_received_total", 'type="AppendEntries"') > 0);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
});
