import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { EventQueue } from "./event_queue.js";

test("events come out by time, ties in scheduling order, and the clock follows them", () => {
  fc.assert(fc.property(fc.array(fc.nat(50), { maxLength: 200 }), (times) => {
    const queue = new EventQueue<number>();
    times.forEach((t, i) => { queue.push(t, i); });
    const out: number[] = [];
    let last = -1;
    for (let e = queue.pop(); e !== undefined; e = queue.pop()) {
      assert.ok(queue.now >= last);
      last = queue.now;
      out.push(e);
    }
    const expected = times
      .map((t, i) => [t, i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map((p) => p[1]);
    assert.deepEqual(out, expected);
  }));
});

test("scheduling into the past is a bug", () => {
  const queue = new EventQueue<string>();
  queue.push(10, "a");
  queue.pop();
  assert.throws(() => { queue.push(5, "b"); }, /in the past/);
});
