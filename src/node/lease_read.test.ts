/**
 * Lease reads in the runtime (§6.4.1): a 3-node cluster with `readMode: "lease"` serves reads on
 * the leader without any message, linearizably; a cut-off leader stops serving them before a
 * new leader can commit. Also the lease limits and the elapsed-time tick clock.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, nodeId, type Message } from "../core/index.js";
import type { Transport } from "../transport/index.js";
import { resolveNodeLimits, toRaftConfig, type NodeLimitsInput } from "./config.js";
import { TestCluster } from "./testing/cluster.js";
import { TickClock } from "./tick_clock.js";

const enc = new TextEncoder();
const LEASE: NodeLimitsInput = { readMode: "lease", leaseClockDriftMs: 10, readTimeoutMs: 500 };

/** Counts every message each node sends, by type. */
function counting(sent: Message[]): (transport: Transport) => Transport {
  return (transport) => new Proxy(transport, {
    get(target, property, receiver): unknown {
      if (property === "send") {
        return (message: Message) => {
          sent.push(message);
          return target.send(message);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The messages among `sent[from..]` that a read caused: heartbeats carrying a ReadIndex context
 * (§6.4). Periodic heartbeats go out whatever the reads do, and a loaded machine may take longer
 * than a heartbeat interval for 100 reads, so they are not counted.
 */
function readRounds(sent: readonly Message[], from: number): number {
  return sent.slice(from).filter((m) => m.type === "Heartbeat" && m.context !== null).length;
}

/** Waits, one tick at a time, until a read on `leader` resolves with no message sent. */
async function untilLeaseHolds(cluster: TestCluster, leader: ReturnType<typeof nodeId>,
  sent: Message[]): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const before = sent.length;
    await cluster.node(leader).readBarrier();
    if (readRounds(sent, before) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail("the leader never held a lease");
}

test("§6.4.1 lease mode: the leader serves reads with no message at all, linearizably", async () => {
  const sent: Message[] = [];
  const cluster = await TestCluster.start({ size: 3, limits: LEASE, wrapTransport: counting(sent) });
  try {
    const leader = await cluster.waitForLeader();
    const follower = cluster.ids.find((id) => id !== leader)!;
    await cluster.propose("first");
    await untilLeaseHolds(cluster, leader, sent);
    const before = sent.length;
    for (let i = 0; i < 100; i++) await cluster.node(leader).readBarrier();
    assert.equal(readRounds(sent, before), 0, "100 reads, not one heartbeat round");
    for (let i = 0; i < 10; i++) {
      await cluster.node(follower).propose(enc.encode(`w${i}`)); // acknowledged...
      await cluster.node(leader).readBarrier(); // ...so the leader's read must see it
      assert.equal(cluster.machine(leader).applied.at(-1), `w${i}`);
      await cluster.node(follower).readBarrier(); // followers ask the leader
      assert.equal(cluster.machine(follower).applied.at(-1), `w${i}`);
    }
  } finally {
    await cluster.stop();
  }
});

test("§6.4 control, index mode: every read on the leader costs a heartbeat round", async () => {
  const sent: Message[] = [];
  const cluster = await TestCluster.start({ size: 3, wrapTransport: counting(sent) });
  try {
    const leader = await cluster.waitForLeader();
    await cluster.propose("first");
    for (let i = 0; i < 10; i++) {
      const before = sent.length;
      await cluster.node(leader).readBarrier();
      assert.ok(readRounds(sent, before) > 0, `read ${i} needed a heartbeat round`);
    }
  } finally {
    await cluster.stop();
  }
});

test("§6.4.1 a cut-off lease leader never serves a read that misses a newer leader's write",
  async () => {
    const cluster = await TestCluster.start({ size: 3, limits: LEASE });
    try {
      const old = await cluster.waitForLeader();
      await cluster.propose("before");
      cluster.network.dropHook = (m) => m.from === old || m.to === old;
      const others = cluster.ids.filter((id) => id !== old);
      await cluster.waitFor(() => others.find((id) => cluster.node(id).status().role === "leader")
        ?? null, 10_000, "a new leader");
      await cluster.propose("after", others.find((id) => cluster.node(id).status().role === "leader"));
      // "after" is acknowledged: a read anywhere from now on must see it, or fail.
      const read = cluster.node(old).readBarrier().then(() => cluster.machine(old).applied);
      const outcome = await read.then((applied) => applied, (error: unknown) => error);
      if (Array.isArray(outcome)) assert.ok(outcome.includes("after"), "stale read");
      else assert.ok(outcome instanceof Error, "refused (no lease, no quorum)");
    } finally {
      cluster.network.dropHook = null;
      await cluster.stop();
    }
  });

test("lease limits: need checkQuorum and a lease longer than the heartbeat; ms become ticks", () => {
  const limits = resolveNodeLimits({ readMode: "lease", leaseClockDriftMs: 25 });
  const config = toRaftConfig(nodeId("n1"), limits);
  assert.equal(config.readMode, "lease");
  assert.equal(config.leaseClockDriftTicks, 3, "rounded up: the lease only gets shorter");
  assert.equal(resolveNodeLimits().readMode, "index");
  const refused: [NodeLimitsInput, string][] = [
    [{ readMode: "lease", raft: { checkQuorum: false } }, "readMode"],
    [{ readMode: "lease", leaseClockDriftMs: 440 }, "leaseClockDriftMs"],
    [{ leaseClockDriftMs: -1 }, "leaseClockDriftMs"],
    [{ readMode: "quorum" as "index" }, "readMode"],
  ];
  for (const [input, field] of refused) {
    assert.throws(() => resolveNodeLimits(input),
      (e: unknown) => e instanceof ConfigError && e.field === field, JSON.stringify(input));
  }
});

test("the tick clock: lease mode runs every tick owed after a stall (capped); index mode one "
  + "per timer fire", () => {
  let now = 1000;
  const clock = new TickClock({
    tickMs: 10, byElapsedTime: true, catchUpTicksMax: 50, nowMs: () => now,
  });
  now += 9;
  assert.equal(clock.onTimer(), 0);
  now += 1;
  assert.equal(clock.beforeInput(), 1);
  now += 75; // a stalled event loop: the timer fires late
  assert.equal(clock.onTimer(), 7, "never believes less time passed");
  assert.equal(clock.beforeInput(), 0, "nothing owed twice");
  now += 10_000;
  assert.equal(clock.onTimer(), 50, "capped: past two election timeouts nothing needs more");
  const fires = new TickClock({ tickMs: 10, byElapsedTime: false, catchUpTicksMax: 50,
    nowMs: () => now });
  now += 500;
  assert.equal(fires.onTimer(), 1);
  assert.equal(fires.beforeInput(), 0);
});
