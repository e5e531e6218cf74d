/** The shared history recorder (history_recorder.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { HistoryRecorder } from "./history_recorder.js";
import { checkHistory, formatHistory, parseHistory } from "./index.js";

function manualClock(): { now: () => number; set: (ns: number) => void } {
  let ns = 0;
  return { now: () => ns, set: (value) => { ns = value; } };
}

test("events carry the injected clock's time, in the history format the checker reads", () => {
  const clock = manualClock();
  const h = new HistoryRecorder(clock.now);
  const p = h.newProcess();
  const write = { process: p, f: "write", key: "k" };
  clock.set(10);
  assert.equal(h.invoke(write, 1, { node: "n1" }), 10);
  clock.set(20);
  h.complete(write, "ok", 1, { node: "n1" });
  h.nemesis("start-partition", "n1<-x{n2}");
  const read = { process: h.newProcess(), f: "read", key: "k" };
  h.invoke(read, null);
  h.complete(read, "ok", 1);
  assert.deepEqual(h.events[0], {
    process: 0, type: "invoke", f: "write", key: "k", value: 1, time: 10, node: "n1",
  });
  const [first] = h.events;
  assert.ok(first);
  assert.deepEqual(Object.keys(first), ["process", "type", "f", "key", "value", "time", "node"]);
  assert.equal(h.events[1]?.time, 20);
  assert.deepEqual(parseHistory(formatHistory(h.events)), h.events);
  assert.equal(checkHistory(h.events).verdict, "linearizable");
});

test("a stale read in the recorded history is caught by the checker", () => {
  const clock = manualClock();
  const h = new HistoryRecorder(clock.now);
  const write = { process: h.newProcess(), f: "write", key: "k" };
  const read = { process: h.newProcess(), f: "read", key: "k" };
  h.invoke(write, 1);
  h.complete(write, "ok", 1);
  clock.set(5);
  h.invoke(read, null);
  h.complete(read, "ok", null);
  assert.equal(checkHistory(h.events).verdict, "not-linearizable");
});

test("process numbers start where asked and never repeat; a clock going backwards is refused", () => {
  const clock = manualClock();
  const h = new HistoryRecorder(clock.now, { firstProcess: 5 });
  assert.deepEqual([h.newProcess(), h.newProcess()], [5, 6]);
  clock.set(100);
  h.nemesis("crash", "n1");
  clock.set(99);
  assert.throws(() => h.nemesis("crash", "n2"), RangeError);
});
