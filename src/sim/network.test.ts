import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../core/rng.js";
import { planFaults, parseFaults, FaultSpecError, formatFaults, type FaultPlan } from "./faults.js";
import { SimNetwork } from "./network.js";
import { linkMatrix, partitionGrudge } from "../check/partitions.js";

function plan(over: Partial<FaultPlan>): FaultPlan {
  return { ...planFaults(parseFaults("none"), new SeededRng(1)), ...over };
}

test("without reorder a link is FIFO; with it, deliveries overtake each other", () => {
  const delay = { dist: "exponential", minNs: 0, meanNs: 1000 } as const;
  const fifo = new SimNetwork(2, plan({ delay }), new SeededRng(3));
  const first = (net: SimNetwork, i: number): number =>
    net.route(i, 0, 1) > 0 ? (net.arrivalsNs[0] ?? -1) : -1;
  const times = Array.from({ length: 200 }, (_, i) => first(fifo, i));
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  const wild = new SimNetwork(2, plan({ reorder: true, delay }), new SeededRng(3));
  const wildTimes = Array.from({ length: 200 }, (_, i) => first(wild, i));
  assert.notDeepEqual(wildTimes, [...wildTimes].sort((a, b) => a - b));
});

test("loss and duplication happen at about their rates", () => {
  const net = new SimNetwork(2, plan({ lossRate: 0.2, duplicateRate: 0.1 }), new SeededRng(9));
  let copies = 0;
  for (let i = 0; i < 10_000; i++) copies += net.route(0, 0, 1);
  assert.ok(net.lost > 1700 && net.lost < 2300, `lost ${net.lost}`);
  assert.ok(net.duplicated > 600 && net.duplicated < 1000, `duplicated ${net.duplicated}`);
  assert.equal(copies, 10_000 - net.lost + net.duplicated);
});

test("a grudge blocks at delivery only the links it names, until healed", () => {
  const net = new SimNetwork(3, plan({}), new SeededRng(1));
  const g = partitionGrudge("one", ["n1", "n2", "n3"], new SeededRng(5));
  net.setGrudge(linkMatrix(g, ["n1", "n2", "n3"]));
  const blockedLinks = [0, 1, 2].flatMap(
    (from) => [0, 1, 2].filter((to) => net.isBlocked(from, to)).map((to) => `${from}>${to}`),
  );
  assert.equal(blockedLinks.length, 4);
  net.heal();
  assert.equal(net.isBlocked(0, 1) || net.isBlocked(1, 0), false);
});

test("--faults parses all, none and lists, and rejects unknown names", () => {
  assert.equal(formatFaults(parseFaults("all")), "all");
  assert.equal(formatFaults(parseFaults("none")), "none");
  assert.equal(formatFaults(parseFaults("crash, loss,crash")), "crash,loss");
  assert.throws(() => parseFaults("crash,meteor"), FaultSpecError);
  const swarm = new Set<string>();
  for (let seed = 1; seed <= 30; seed++) {
    swarm.add(planFaults(parseFaults("all"), new SeededRng(seed)).enabled.join(","));
  }
  assert.ok(swarm.size > 10, "swarm testing draws different fault mixes per seed");
});
