/** The simulated disk: latency, in-order durability, lost and torn unsynced writes, EIO. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Entry } from "../core/messages.js";
import { SeededRng } from "../core/rng.js";
import { logIndex, nodeId, term } from "../core/types.js";
import { DiskFailedError } from "../storage/errors.js";
import { MemoryStorage } from "../storage/memory_storage.js";
import { EventQueue } from "./event_queue.js";
import { planFaults, type FaultPlan } from "./faults.js";
import { SimDisk } from "./sim_disk.js";
import { SimHost, type HostTask } from "./sim_host.js";
import { SimTransport } from "./sim_transport.js";

const MS = 1_000_000;
const conf = { voters: [nodeId("a")], learners: [], votersOutgoing: [] };

function entry(index: number): Entry {
  return { index: logIndex(index), term: term(1), kind: "normal", data: new Uint8Array([index]) };
}

function rig(over: Partial<FaultPlan>, diskSeed = 3): {
  disk: SimDisk; durable: MemoryStorage; run: () => Promise<void>; traces: string[];
} {
  const queue = new EventQueue<HostTask>();
  const host = new SimHost(0, {
    nowNs: () => queue.now,
    push: (_node, atNs, task) => { queue.push(atNs, task); },
    defer: (_node, task) => { queue.push(queue.now, task); },
  }, new SeededRng(1), 1);
  const plan = { ...planFaults({ mode: "list", names: [] }, new SeededRng(2)), ...over };
  const durable = new MemoryStorage(conf);
  const traces: string[] = [];
  const disk = new SimDisk("a", durable, host, new SeededRng(diskSeed), plan, {
    durable: () => undefined, trace: (line) => traces.push(line),
  });
  const run = async (): Promise<void> => {
    for (let task = queue.pop(); task !== undefined; task = queue.pop()) {
      task.run();
      await Promise.resolve();
    }
  };
  return { disk, durable, run, traces };
}

test("a save is visible at once, durable after its fsync, and saves complete in order", async () => {
  const { disk, durable, run } = rig({ fsyncMinNs: MS, fsyncMaxNs: 5 * MS });
  const order: number[] = [];
  const first = disk.save({ hardState: null, entries: [entry(1)], snapshot: null }).then(() => order.push(1));
  const second = disk.save({ hardState: null, entries: [entry(2)], snapshot: null }).then(() => order.push(2));
  assert.equal(disk.lastIndex(), 2);
  assert.equal(durable.lastIndex(), 0, "nothing is durable before the fsync");
  await run();
  await Promise.all([first, second]);
  assert.deepEqual(order, [1, 2]);
  assert.equal(durable.lastIndex(), 2);
});

test("a crash loses unsynced saves; with torn writes a prefix of the oldest survives", () => {
  const lost = rig({ tornRate: 0 });
  void lost.disk.save({ hardState: null, entries: [entry(1), entry(2)], snapshot: null });
  lost.disk.crash();
  assert.equal(lost.durable.lastIndex(), 0);
  const kept = new Set<number>();
  for (let seed = 1; seed <= 20; seed++) {
    const torn = rig({ tornRate: 1 }, seed);
    void torn.disk.save({ hardState: null, entries: [entry(1), entry(2), entry(3)], snapshot: null });
    torn.disk.crash();
    const last = torn.durable.lastIndex();
    kept.add(last);
    if (last > 0) assert.deepEqual(torn.traces, [`torn a ${last}/3`]);
  }
  assert.ok([...kept].some((n) => n > 0 && n < 3), `prefixes kept: ${[...kept].join(",")}`);
});

test("an fsync failure is fail-stop: the save and every later one reject with DiskFailedError", async () => {
  const { disk, run, traces } = rig({ eioRate: 1 });
  const saved = disk.save({ hardState: null, entries: [entry(1)], snapshot: null });
  const failed = assert.rejects(saved, DiskFailedError);
  await run();
  await failed;
  assert.deepEqual(traces, ["eio a"]);
  await assert.rejects(disk.save({ hardState: null, entries: [entry(2)], snapshot: null }),
    DiskFailedError);
});

test("the simulated transport hands over only messages addressed to its node", () => {
  const seen: string[] = [];
  const transport = new SimTransport(nodeId("b"), () => undefined);
  transport.onMessage((m) => seen.push(m.to));
  void transport.start();
  const heartbeat = (to: string) => ({
    type: "Heartbeat" as const, from: nodeId("a"), to: nodeId(to), term: term(1),
    commit: logIndex(0), context: null,
  });
  transport.deliver(heartbeat("b"));
  transport.deliver(heartbeat("gone")); // the id of a wiped node
  assert.deepEqual(seen, ["b"]);
});
