/**
 * Issue 6, done-means #1, with real processes, real TCP and real disks: grow a 3-node cluster to
 * 5 while clients write, replace a node (add a new one, remove an old one), remove the current
 * leader, and shrink back to 3, all through the `raftkv member` commands. No acknowledged write
 * may be lost and the clients' history must pass `raftkv check` (linearizability). Before the
 * replacement every node takes a snapshot (`raftkv snapshot`) with no log kept behind it, so the
 * new node catches up by snapshot, as a wiped node rejoining does.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { delay } from "../app/local_cluster.js";
import type { MembersJson } from "../server/http/routes_admin.js";
import { BufferedIo } from "../cli/admin_client.js";
import { ENTRY_PATH } from "../cli/entry.js";
import { memberAdd, memberChange, memberList } from "../cli/member_command.js";
import { takeSnapshots, type SnapshotRow } from "../cli/snapshot_command.js";
import { lostWrites, startWorkload, type Workload } from "./testing/testing_clients.js";
import {
  TEST_CONFIG, startGrowableCluster, waitForLeader, type GrowableTestCluster,
} from "./testing/testing_cluster.js";

const run = promisify(execFile);

let running: GrowableTestCluster | null = null;
after(async () => { await running?.close(); });

function endpointsOf(grow: GrowableTestCluster): string {
  return grow.cluster.runningIds.map((id) => grow.cluster.node(id).httpUrl).join(",");
}

/** Runs a member command and fails the test, with its stderr and the nodes' log tail, if not 0. */
async function expectOk(
  grow: GrowableTestCluster,
  what: string,
  run: (io: BufferedIo) => Promise<number>,
): Promise<BufferedIo> {
  const io = new BufferedIo();
  const code = await run(io);
  if (code !== 0) {
    const tail = grow.output.slice(-30).join("\n");
    assert.fail(`${what} exited ${code}: ${io.stderr.join("\n")}\n${tail}`);
  }
  return io;
}

async function membersOf(grow: GrowableTestCluster): Promise<MembersJson> {
  const io = await expectOk(grow, "member list",
    (out) => memberList({ endpoints: endpointsOf(grow), json: true }, out));
  return JSON.parse(io.text) as MembersJson;
}

function votersOf(view: MembersJson): string[] {
  return view.members.filter((m) => m.role === "voter").map((m) => m.id).sort();
}

/** Waits until `count` more unique writes were acknowledged: the cluster takes writes. */
async function waitForWrites(workload: Workload, count: number, timeoutMs = 15_000): Promise<void> {
  const target = workload.acknowledged.size + count;
  const deadline = Date.now() + timeoutMs;
  while (workload.acknowledged.size < target) {
    if (Date.now() > deadline) {
      assert.fail(`fewer than ${count} writes acknowledged within ${timeoutMs} ms`);
    }
    await delay(50);
  }
}

async function add(grow: GrowableTestCluster, id: string): Promise<void> {
  grow.startJoiner(id);
  await grow.cluster.waitReady(15_000, [id]);
  await expectOk(grow, `member add ${id}`, (io) => memberAdd(id, {
    endpoints: endpointsOf(grow), ...grow.addressesOf(id), catchUpTimeout: "20000",
  }, io));
}

/** Removes `id` and, once the removal is committed, stops its process. */
async function remove(grow: GrowableTestCluster, id: string): Promise<void> {
  await expectOk(grow, `member remove ${id}`,
    (io) => memberChange(id, "remove", { endpoints: endpointsOf(grow) }, io));
  await grow.cluster.kill(id, "SIGTERM");
}

test("grow 3 -> 5, replace a node, remove the leader, shrink to 3, under client writes",
  { timeout: 90_000 }, async () => {
    const started = Date.now();
    running = await startGrowableCluster(3, 3, { ...TEST_CONFIG, snapshot: { catchUpEntries: 0 } });
    const grow = running;
    await waitForLeader(grow.cluster);
    const workload = startWorkload(grow.cluster, { registers: 3, keys: 3 });
    await waitForWrites(workload, 10);

    for (const id of ["n4", "n5"]) await add(grow, id);
    assert.deepEqual(votersOf(await membersOf(grow)), ["n1", "n2", "n3", "n4", "n5"]);
    await waitForWrites(workload, 10);

    // Replace a founder that is not leading: the new node first, then the old one goes. Every
    // node compacts its whole log first (catchUpEntries: 0), so n6 catches up by snapshot.
    const snapshots = await expectOk(grow, "snapshot",
      (io) => takeSnapshots({ endpoints: endpointsOf(grow), json: true }, io));
    const rows = JSON.parse(snapshots.text) as SnapshotRow[];
    assert.equal(rows.length, 5);
    assert.ok(rows.every((row) => (row.index ?? 0) > 0), snapshots.text);
    const firstLeader = (await waitForLeader(grow.cluster)).id;
    const replaced = ["n1", "n2", "n3"].find((id) => id !== firstLeader) ?? "n1";
    await add(grow, "n6");
    const n6Files = readdirSync(join(grow.dir, "n6"), { recursive: true }).map(String);
    assert.ok(n6Files.some((name) => /snapshot-\d+\.snap$/.test(name)),
      `n6 caught up without a snapshot: ${n6Files.join(", ")}`);
    await remove(grow, replaced);
    assert.ok(!votersOf(await membersOf(grow)).includes(replaced));
    await waitForWrites(workload, 10);

    // Remove the leader itself: it hands leadership to the most up-to-date voter (§4.2.2).
    const leader = (await waitForLeader(grow.cluster)).id;
    await remove(grow, leader);
    const successor = await waitForLeader(grow.cluster);
    assert.notEqual(successor.id, leader);
    await waitForWrites(workload, 10);

    // Shrink to 3 by removing one more follower.
    const follower = grow.cluster.runningIds.find((id) => id !== successor.id) ?? "";
    await remove(grow, follower);
    const final = votersOf(await membersOf(grow));
    assert.equal(final.length, 3, `voters ${final.join(",")}`);
    assert.deepEqual(final, [...grow.cluster.runningIds].sort());
    await waitForWrites(workload, 10);
    await workload.stop();

    assert.deepEqual(await lostWrites(grow.cluster, workload.acknowledged), []);
    // The history passes `raftkv check` (the real command, on the history file).
    const historyPath = join(grow.dir, "history.jsonl");
    writeFileSync(historyPath, workload.history.events.map((e) => JSON.stringify(e)).join("\n"));
    const check = await run(process.execPath, [ENTRY_PATH, "check", historyPath])
      .catch((error: unknown) => assert.fail(`raftkv check failed: ${String(error)}`));
    console.log(`membership: ${workload.acknowledged.size} unique writes acknowledged, ` +
      `${workload.history.events.length / 2} ops; final voters ${final.join(",")}; ` +
      `${Date.now() - started} ms; raftkv check: ${check.stdout.trim().split("\n")[0] ?? ""}`);
  });
