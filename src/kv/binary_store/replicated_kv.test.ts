/**
 * ReplicatedKv on a 3-node in-process cluster: the KvService methods end to end, served by any
 * node, pipelined writes in call order, limits checked before proposing, typed errors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeId, type NodeId } from "../../core/index.js";
import { MemoryStorage } from "../../storage/index.js";
import { MemoryNetwork } from "../../transport/index.js";
import type { KvService } from "../../server/kv_service.js";
import { IntegerOverflowError, NotIntegerError, ValueTooLargeError } from "../errors.js";
import { INT64_MAX } from "./int64.js";
import { ReplicatedKv } from "./replicated_kv.js";

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);
const text = (v: Uint8Array | null): string | null => (v === null ? null : new TextDecoder().decode(v));

const LIMITS = { tickMs: 5, heartbeatIntervalMs: 10, electionTimeoutMs: { min: 60, max: 120 } };

async function startCluster(): Promise<ReplicatedKv[]> {
  const network = new MemoryNetwork();
  const ids: NodeId[] = ["n1", "n2", "n3"].map(nodeId);
  return Promise.all(ids.map((id) => ReplicatedKv.start({
    id, peers: ids, transport: network.endpoint(id, ids),
    storage: new MemoryStorage({ voters: ids, learners: [], votersOutgoing: [] }),
    limits: LIMITS, store: { keyBytesMax: 16, valueBytesMax: 64 },
  })));
}

/** Resolves once every node knows the same leader; returns the leader's store. */
function leaderOf(kvs: readonly ReplicatedKv[]): Promise<ReplicatedKv> {
  return new Promise((resolve) => {
    const offs: (() => void)[] = [];
    const check = (): void => {
      const leader = kvs.find((kv) => kv.status().role === "leader");
      if (leader === undefined || !kvs.every((kv) => kv.status().leaderId === leader.node.id)) return;
      for (const off of offs) off();
      resolve(leader);
    };
    for (const kv of kvs) offs.push(kv.node.on("leaderChange", check), kv.node.on("roleChange", check));
    check();
  });
}

test("KvService methods work end to end through any node, reads see earlier acknowledged writes", async () => {
  const kvs = await startCluster();
  try {
    const leader = await leaderOf(kvs);
    const service: KvService = leader; // ReplicatedKv matches the front ends' seam structurally
    assert.equal(service.status().role, "leader");
    const [f1, f2] = kvs.filter((kv) => kv !== leader) as [ReplicatedKv, ReplicatedKv];
    assert.equal(await f1.set(b("k"), b("v1")), true);
    assert.equal(text(await f2.get(b("k"))), "v1");
    assert.equal(await leader.set(b("k"), b("v2"), { condition: "nx" }), false);
    assert.equal(await leader.set(b("k"), b("v2"), { condition: "xx" }), true);
    assert.equal(await f2.set(b("new"), b("x"), { condition: "xx" }), false);
    assert.equal(text(await f1.get(b("k"))), "v2");
    assert.equal(await f1.get(b("absent")), null);
    assert.equal(await f2.incrBy(b("n"), 5n), 5n);
    assert.equal(await f1.incrBy(b("n"), -2n), 3n);
    await assert.rejects(f1.incrBy(b("k"), 1n), NotIntegerError);
    await f1.set(b("max"), b(INT64_MAX.toString()));
    await assert.rejects(f2.incrBy(b("max"), 1n), IntegerOverflowError);
    assert.equal(await f1.cas(b("c"), null, b("1")), true);
    assert.equal(await f2.cas(b("c"), b("0"), b("2")), false);
    assert.equal(await leader.cas(b("c"), b("1"), b("2")), true);
    assert.equal(await leader.exists([b("k"), b("k"), b("c"), b("zz")]), 3);
    assert.equal(await f2.dbSize(), 4);
    assert.equal(await f1.del([b("k"), b("zz"), b("c")]), 2);
    assert.equal(await f2.dbSize(), 2);
  } finally {
    await Promise.all(kvs.map((kv) => kv.stop()));
  }
});

test("pipelined writes from one client take effect in call order (via a follower)", async () => {
  const kvs = await startCluster();
  try {
    const leader = await leaderOf(kvs);
    const follower = kvs.find((kv) => kv !== leader)!;
    const writes = Array.from({ length: 50 }, (_, i) => follower.set(b("x"), b(`${i}`)));
    const incrs = Array.from({ length: 50 }, () => follower.incrBy(b("n"), 1n));
    assert.ok((await Promise.all(writes)).every((w) => w));
    assert.deepEqual(await Promise.all(incrs), Array.from({ length: 50 }, (_, i) => BigInt(i + 1)));
    assert.equal(text(await leader.get(b("x"))), "49");
  } finally {
    await Promise.all(kvs.map((kv) => kv.stop()));
  }
});

test("the writes of one turn share one log entry, and a later transaction stays behind them", async () => {
  const kvs = await startCluster();
  try {
    const leader = await leaderOf(kvs);
    const follower = kvs.find((kv) => kv !== leader)!;
    const before = leader.status().lastIndex;
    const sets = Array.from({ length: 20 }, (_, i) => follower.command(0, [b("SET"), b(`k${i}`), b(`${i}`)]));
    const incr = follower.command(0, [b("INCR"), b("k3")]);
    const exec = follower.transaction(0, [[b("SET"), b("k3"), b("last")]], []);
    const replies = await Promise.all(sets);
    assert.ok(replies.every((r) => r.type === "simple" && r.text === "OK"));
    assert.deepEqual(await incr, { type: "integer", value: 4n });
    assert.deepEqual(await exec, { type: "array", items: [{ type: "simple", text: "OK" }] });
    assert.equal(leader.status().lastIndex, before + 3,
      "the first SET alone (nothing was in flight), one entry for the 20 writes after it, one for EXEC");
    assert.equal(text(await leader.get(b("k3"))), "last");
  } finally {
    await Promise.all(kvs.map((kv) => kv.stop()));
  }
});

test("keys and values over the limits are refused before proposing (definite)", async () => {
  const kvs = await startCluster();
  try {
    const kv = kvs[0]!;
    const tooLong = new Uint8Array(17);
    const isKey = (e: unknown): boolean => e instanceof ValueTooLargeError && e.what === "key" && e.definite;
    const isValue = (e: unknown): boolean => e instanceof ValueTooLargeError && e.what === "value" && e.bytesMax === 64;
    await assert.rejects(kv.set(tooLong, b("v")), isKey);
    await assert.rejects(kv.set(b("k"), new Uint8Array(65)), isValue);
    await assert.rejects(kv.cas(b("k"), null, new Uint8Array(65)), isValue);
    await assert.rejects(kv.del([b("a"), tooLong]), isKey);
    await assert.rejects(kv.incrBy(tooLong, 1n), isKey);
    // Redis commands small enough to share an entry are checked one by one before batching.
    await assert.rejects(kv.command(0, [b("SET"), tooLong, b("v")]), isKey);
    await assert.rejects(kv.command(0, [b("set"), b("k"), new Uint8Array(65)]), isValue);
    await assert.rejects(kv.command(0, [b("MSET"), b("a"), b("1"), tooLong, b("2")]), isKey);
    await assert.rejects(kv.command(0, [b("MSET"), b("a"), b("1"), b("b"), new Uint8Array(65)]),
      isValue);
    assert.equal(kv.node.status().pendingProposals, 0);
  } finally {
    await Promise.all(kvs.map((kv) => kv.stop()));
  }
});
