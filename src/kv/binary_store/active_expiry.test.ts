/**
 * Active expiry: only the leader proposes, at most `keysMax` keys per entry and one entry in
 * flight; and in a real 3-node cluster, expired keys disappear from every replica's keyspace
 * without any client touching them, while live keys stay.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { nodeId } from "../../core/index.js";
import type { RuntimeHost } from "../../node/host.js";
import { RecordingLogger } from "../../transport/test_support.js";
import { TcpMesh } from "../../transport/testing/tcp_mesh.js";
import { Keyspace } from "../redis/keyspace.js";
import { KvTestCluster } from "../testing/kv_test_cluster.js";
import { ActiveExpiry } from "./active_expiry.js";

const NOW = 1_767_225_600_000;

function fakeHost(): RuntimeHost {
  const unused = (): never => { throw new Error("not used"); };
  return {
    nowMs: () => 0, wallClockMs: () => NOW, setTimer: unused, setRepeating: unused, defer: unused,
    drawInt: unused, drawBytes: unused,
  };
}

function keyspaceWith(expired: number, live: number): Keyspace {
  const keyspace = new Keyspace();
  const db = keyspace.db(2);
  for (let i = 0; i < expired; i++) db.put(`e${i}`, { type: "string", value: new Uint8Array(1) }, 1, NOW - 1);
  for (let i = 0; i < live; i++) db.put(`l${i}`, { type: "string", value: new Uint8Array(1) }, 1, NOW + 60_000);
  keyspace.db(0).put("forever", { type: "string", value: new Uint8Array(1) }, 1, null);
  return keyspace;
}

test("only the leader proposes, at most keysMax expired keys, one entry at a time", async () => {
  const keyspace = keyspaceWith(25, 5);
  let leader = false;
  const proposals: { db: number; stampMs: number; keys: string[] }[] = [];
  let settle: () => void = () => undefined;
  const expiry = new ActiveExpiry({
    isLeader: () => leader, keyspace: () => keyspace, clockMs: () => 0,
    propose: (db, stampMs, keys) => {
      proposals.push({ db, stampMs, keys: keys.map((k) => Buffer.from(k).toString("latin1")) });
      return new Promise<void>((resolve) => { settle = resolve; });
    },
  }, fakeHost(), { periodMs: 100, scanMax: 1000, keysMax: 10 });
  expiry.tick();
  assert.equal(proposals.length, 0, "a follower proposes nothing");
  leader = true;
  expiry.tick();
  expiry.tick();
  assert.equal(proposals.length, 1, "one proposal in flight at a time");
  assert.deepEqual(proposals[0], { db: 2, stampMs: NOW, keys: Array.from({ length: 10 }, (_, i) => `e${i}`) });
  settle();
  await Promise.resolve();
  await Promise.resolve();
  expiry.tick();
  assert.equal(proposals.length, 2);
  assert.deepEqual(proposals[1]?.keys, Array.from({ length: 10 }, (_, i) => `e${i + 10}`));
});

test("a tick examines at most scanMax keys", () => {
  const keyspace = keyspaceWith(0, 50);
  keyspace.db(2).put("late-expired", { type: "string", value: new Uint8Array(1) }, 1, NOW - 1);
  const proposed: number[] = [];
  const expiry = new ActiveExpiry({
    isLeader: () => true, keyspace: () => keyspace, clockMs: () => 0,
    propose: (_db, _stamp, keys) => { proposed.push(keys.length); return Promise.resolve(); },
  }, fakeHost(), { periodMs: 100, scanMax: 20, keysMax: 10 });
  expiry.tick();
  expiry.tick();
  assert.deepEqual(proposed, [], "the expired key sits past the first 40 keys");
  expiry.tick();
  assert.deepEqual(proposed, [1]);
});

let mesh: TcpMesh;
let cluster: KvTestCluster<RecordingLogger>;

before(async () => {
  const ids = ["n1", "n2", "n3"].map(nodeId);
  mesh = await TcpMesh.create("active-expiry", ids);
  cluster = await KvTestCluster.start({
    ids, logger: () => new RecordingLogger(), transport: (id, logger) => mesh.transport(id, logger),
  });
});

after(() => cluster.destroy());

test("expired keys disappear from every replica's keyspace without any client access",
  { timeout: 60_000 }, async () => {
  const leader = await cluster.leader();
  const count = 450;
  for (let i = 0; i < count; i++) void leader.command(0, [Buffer.from("SET"), Buffer.from(`ttl${i}`), Buffer.from("v")]);
  await leader.command(0, [Buffer.from("SET"), Buffer.from("stays"), Buffer.from("v")]);
  await leader.command(0, [Buffer.from("SET"), Buffer.from("later"), Buffer.from("v")]);
  await cluster.appliedEverywhere(leader.status().applied);
  // Give the keys TTLs on every replica alike (as a replicated EXPIRE would): all but one are
  // already past; "later" expires in an hour.
  const past = Date.now() - 1;
  for (const member of cluster.members) {
    const db = member.kv?.machine.engine.keyspace.db(0);
    assert.ok(db !== undefined);
    for (const [name, entry] of db.entries) {
      if (name.startsWith("ttl")) db.setExpiry(name, entry, past, entry.modifiedIndex);
      if (name === "later") db.setExpiry(name, entry, past + 3_600_000, entry.modifiedIndex);
    }
  }
  await cluster.waitFor(() => cluster.members.every((m) => {
    const entries = m.kv?.machine.engine.keyspace.db(0).entries;
    return entries?.size === 2 ? true : null;
  }) ? true : null, "every replica dropped the expired keys");
  for (const member of cluster.members) {
    const db = member.kv?.machine.engine.keyspace.db(0);
    assert.deepEqual([...(db?.entries.keys() ?? [])].sort(), ["later", "stays"]);
    assert.equal(db?.expiringKeys, 1);
  }
});
