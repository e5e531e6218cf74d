import { test } from "node:test";
import assert from "node:assert/strict";
import { SendQueue } from "./send_queue.js";

test("the queue refuses a push that would exceed either bound, and accepts once drained", () => {
  const queue = new SendQueue(3, 10);
  assert.equal(queue.maybePush(new Uint8Array(4)), true);
  assert.equal(queue.maybePush(new Uint8Array(4)), true);
  assert.equal(queue.maybePush(new Uint8Array(3)), false); // 11 bytes > 10
  assert.equal(queue.maybePush(new Uint8Array(2)), true);
  assert.equal(queue.maybePush(new Uint8Array(0)), false); // 4 messages > 3
  assert.deepEqual([queue.length, queue.bytes], [3, 10]);
  assert.equal(queue.takeBatch(100).length, 3);
  assert.deepEqual([queue.length, queue.bytes], [0, 0]);
  assert.equal(queue.maybePush(new Uint8Array(10)), true);
});

test("a batch takes whole payloads within its byte budget, always at least one, in order", () => {
  const queue = new SendQueue(100, 1000);
  for (const size of [5, 5, 50, 1, 1]) queue.maybePush(new Uint8Array(size).fill(size));
  assert.deepEqual(queue.takeBatch(12).map((p) => p.byteLength), [5, 5]);
  // Larger than the budget: it goes alone.
  assert.deepEqual(queue.takeBatch(12).map((p) => p.byteLength), [50]);
  assert.deepEqual(queue.takeBatch(12).map((p) => p.byteLength), [1, 1]);
  assert.deepEqual(queue.takeBatch(12), []);
});

test("many pushes and takes keep FIFO order across internal compaction", () => {
  const queue = new SendQueue(1_000_000, 1e9);
  const taken: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    queue.maybePush(new Uint8Array([i & 0xff]));
    if (i % 3 === 0) for (const p of queue.takeBatch(2)) taken.push(p[0] ?? -1);
  }
  for (const p of queue.takeBatch(1e9)) taken.push(p[0] ?? -1);
  assert.deepEqual(taken, [...Array(20_000).keys()].map((i) => i & 0xff));
});
