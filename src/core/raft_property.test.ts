/**
 * Property-based tests (fast-check) over random schedules: 3-5 nodes, random ticks, deliveries
 * in any order, drops, duplicates, partitions, crash-restarts and log compaction, with Raft's
 * safety properties (Figure 3) and ReadIndex freshness (§6.4) checked after every action, and
 * liveness once the network heals. Set RAFT_PROPERTY_RUNS (and RAFT_PROPERTY_SEED) for a soak.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MemoryStorage } from "../storage/memory_storage.js";
import type { TestingBugs } from "./config.js";
import type { ConfState } from "./messages.js";
import { Schedule, type Action } from "./testing/testing_schedule.js";

const node = fc.nat(4);
const pos = fc.nat(1000);
const upTo = (max: number) => fc.integer({ min: 1, max });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant("tick" as const), node, times: upTo(12) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("tickAll" as const), times: upTo(4) }) },
  { weight: 20, arbitrary: fc.record({ t: fc.constant("deliver" as const), pos, count: upTo(8) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("drop" as const), pos }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("dup" as const), pos }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant("propose" as const), node, count: upTo(4) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("read" as const), node }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("crash" as const), node }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("compact" as const), node }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("isolate" as const), node }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("heal" as const) }) },
);

const schedule = fc.tuple(
  fc.integer({ min: 3, max: 5 }),
  fc.array(action, { minLength: 50, maxLength: 400 }),
  fc.record({ preVote: fc.boolean(), checkQuorum: fc.boolean() }),
);
const runs = Number(globalThis.process.env.RAFT_PROPERTY_RUNS ?? "60");
const seed = Number(globalThis.process.env.RAFT_PROPERTY_SEED ?? "42");

interface Features {
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
}

function newSchedule(
  size: number,
  actions: readonly Action[],
  features?: Features,
  bugs?: TestingBugs,
): Schedule {
  const config = { ...features, ...(bugs === undefined ? {} : { testingBugs: bugs }) };
  const storage = (cs: ConfState) => new MemoryStorage(cs);
  return new Schedule(size, { storage, seed: actions.length, config });
}

test("Figure 3 safety properties and §6.4 read freshness hold under random schedules (fast-check)", () => {
  fc.assert(
    fc.property(schedule, ([size, actions, features]) => {
      const s = newSchedule(size, actions, features);
      assert.deepEqual(s.run(actions), []);
      s.checkLiveness();
    }),
    { numRuns: runs, seed },
  );
});

test("the schedule checker can fail: readWithoutQuorum lets a partitioned leader serve a stale read", () => {
  // Elect, isolate the leader, let the others elect and commit, then read on the old leader.
  const size = 3;
  const s = newSchedule(size, [], undefined, { readWithoutQuorum: true });
  const net = s.net;
  const old = net.electLeader();
  net.isolate(old);
  const others = net.ids.filter((id) => id !== old);
  for (let i = 0; i < 100 && !others.some((id) => net.node(id).status().role === "leader"); i++) {
    for (const id of others) net.tick(id);
    net.settle();
  }
  const next = others.find((id) => net.node(id).status().role === "leader")!;
  s.apply({ t: "propose", node: net.ids.indexOf(next), count: 1 });
  net.settle();
  net.tickAll();
  net.settle();
  assert.deepEqual(s.check(), []);
  assert.equal(net.node(old).status().role, "leader", "the old leader has not noticed yet");
  s.apply({ t: "read", node: net.ids.indexOf(old) });
  assert.match(s.check().join("\n"), /read r0 at \d+, below \d+/);
});

const memberNode = fc.nat(4);
const clusterAction: fc.Arbitrary<Action> = fc.oneof(
  { weight: 30, arbitrary: action },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("settle" as const), rounds: upTo(5) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant("conf" as const), node: memberNode, op: fc.nat(4), a: fc.nat(4), b: fc.nat(4),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("transfer" as const), node: memberNode, to: fc.option(fc.nat(4)),
    }),
  },
);
// §4.2.3: without pre-vote or check-quorum a removed node that missed its removal disrupts the
// cluster forever, and a stale leader is never told of a newer term; liveness needs one of them.
const clusterSchedule = fc.tuple(
  fc.integer({ min: 0, max: 2 }),
  fc.array(clusterAction, { minLength: 50, maxLength: 400 }),
  fc.record({ preVote: fc.boolean(), checkQuorum: fc.boolean() })
    .filter((f) => f.preVote || f.checkQuorum),
);

test("Figure 3 safety (one leader per term, log matching, state machine safety, leader " +
  "completeness) holds across random membership changes (§4.1, §4.3) and transfers (§3.10)", () => {
  let changes = 0;
  fc.assert(
    fc.property(clusterSchedule, ([spares, actions, features]) => {
      const storage = (cs: ConfState) => new MemoryStorage(cs);
      const s = new Schedule(5, { storage, seed: actions.length, config: features, spares });
      assert.deepEqual(s.run(actions), []);
      s.checkLiveness();
      for (const { key } of s.monitor.appliedAt.values()) if (key.includes("/config/")) changes++;
    }),
    { numRuns: runs, seed },
  );
  // The schedules must actually exercise membership changes, not just be refused.
  assert.ok(changes >= runs, `only ${changes} membership changes were applied in ${runs} runs`);
});
