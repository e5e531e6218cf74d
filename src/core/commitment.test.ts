/** Commitment (§5.3, §5.4.2): the Figure 8 scenario, with and without the testing bug. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import type { TestingBugs } from "./config.js";
import type { Message } from "./messages.js";
import { TestNetwork } from "./testing/testing_network.js";
import { SafetyMonitor } from "./testing/testing_invariants.js";
import { idx, preload, tm } from "./testing/testing_storage.js";
import { nodeId } from "./types.js";

const isVote = (m: Message): boolean =>
  m.type === "PreVote" || m.type === "PreVoteResponse"
  || m.type === "RequestVote" || m.type === "RequestVoteResponse";

/**
 * Figure 8 (c)-(d): S1 leads term 4 with the term-2 entry at index 2 stored on S1, S2 and S3 (a
 * majority); S5 holds a term-3 entry at index 2. Returns S1's commit index once S2 and S3
 * acknowledge index 2, and the violations seen after S1 crashes and S5 takes over.
 */
function figure8(bugs: TestingBugs): { commitAfterAcks: number; violations: string[] } {
  const logs: Record<string, number[]> = {
    n1: [1, 2], n2: [1, 2], n3: [1, 2], n4: [1], n5: [1, 3],
  };
  const net = new TestNetwork({
    ids: ["n1", "n2", "n3", "n4", "n5"],
    storage: (cs, id) => preload(new MemoryStorage(cs), logs[id] ?? [], { term: 3 }),
    config: { testingBugs: bugs },
  });
  const monitor = new SafetyMonitor();
  for (let i = 0; i < 100 && net.node("n1").status().role !== "leader"; i++) {
    net.tick("n1");
    net.deliverOnly(isVote);
  }
  assert.equal(net.node("n1").status().term, 4);
  net.queue = [];
  // S2 and S3 acknowledge index 2 (they hold it): a majority has the term-2 entry.
  for (const from of ["n2", "n3"]) {
    net.node("n1").step({
      type: "AppendEntriesResponse", from: nodeId(from), to: nodeId("n1"), term: tm(4),
      reject: false, index: idx(2), hintIndex: idx(0), hintTerm: tm(0),
    });
  }
  net.processAll();
  const commitAfterAcks = net.node("n1").status().commit;
  net.queue = [];
  assert.deepEqual(monitor.check(net), []);
  // (d) S1 crashes; S5 (last term 3) wins votes from S2, S3 and S4 and overwrites index 2.
  net.isolate("n1");
  for (let i = 0; i < 200 && net.node("n5").status().role !== "leader"; i++) {
    net.tick("n5");
    net.settle();
  }
  net.node("n5").propose(new Uint8Array([5]));
  net.processAll();
  net.settle();
  net.tickAll();
  net.settle();
  return { commitAfterAcks, violations: monitor.check(net) };
}

test("§5.4.2 Figure 8: a leader does not commit a previous term's entry by counting replicas", () => {
  const { commitAfterAcks, violations } = figure8({});
  assert.equal(commitAfterAcks, 0, "index 2 is on a majority but is from term 2, not 4");
  assert.deepEqual(violations, [], "so S5 overwriting it later is safe");
});

test("testing bug commitPreviousTermByCount commits it, and S5 then overwrites a committed entry", () => {
  const { commitAfterAcks, violations } = figure8({ commitPreviousTermByCount: true });
  assert.equal(commitAfterAcks, 2);
  assert.match(violations.join("\n"), /applied .* at 2, another node/);
});

test("§5.4.2 entries of earlier terms commit together with the leader's first entry of its term", () => {
  const logs: Record<string, number[]> = { n1: [1, 2], n2: [1, 2], n3: [1] };
  const net = new TestNetwork({
    ids: ["n1", "n2", "n3"],
    storage: (cs, id) => preload(new MemoryStorage(cs), logs[id] ?? [], { term: 2 }),
  });
  for (let i = 0; i < 100 && net.node("n1").status().role !== "leader"; i++) {
    net.tick("n1");
    net.settle();
  }
  net.tickAll();
  net.settle();
  for (const id of net.ids) {
    assert.deepEqual(
      net.applied.get(nodeId(id))?.map((e) => [e.index, e.term]),
      [[1, 1], [2, 2], [3, 3]],
      id,
    );
  }
});
