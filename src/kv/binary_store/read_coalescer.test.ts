import { test } from "node:test";
import assert from "node:assert/strict";
import { ReadCoalescer } from "./read_coalescer.js";

/** A barrier source whose barriers the test settles by hand. */
function manualBarriers(): {
  start: () => Promise<void>;
  started: { resolve: () => void; reject: (e: Error) => void }[];
} {
  const started: { resolve: () => void; reject: (e: Error) => void }[] = [];
  return {
    started,
    start: () => new Promise<void>((resolve, reject) => { started.push({ resolve, reject }); }),
  };
}

test("reads that arrive while a barrier is in flight share the next one (§6.4)", async () => {
  const source = manualBarriers();
  const reads = new ReadCoalescer(source.start);
  const first = reads.barrier();
  const joined = Array.from({ length: 100 }, () => reads.barrier());
  assert.equal(source.started.length, 1, "one barrier in flight, the rest wait");
  let joinedDone = false;
  void Promise.all(joined).then(() => { joinedDone = true; });
  source.started[0]?.resolve();
  await first;
  await new Promise((resolve) => { setImmediate(resolve); }); // every pending callback has run
  assert.equal(source.started.length, 2, "the waiting reads start one barrier together");
  assert.equal(joinedDone, false, "a read never completes on a barrier that began before it");
  source.started[1]?.resolve();
  await Promise.all(joined);
  assert.equal(source.started.length, 2);
});

test("a failed barrier fails the reads waiting on it, and the next read starts afresh",
  async () => {
    const source = manualBarriers();
    const reads = new ReadCoalescer(source.start);
    const first = reads.barrier();
    const second = reads.barrier();
    source.started[0]?.reject(new Error("not leader"));
    await assert.rejects(first, /not leader/);
    source.started[1]?.reject(new Error("still not leader"));
    await assert.rejects(second, /still not leader/);
    const third = reads.barrier();
    assert.equal(source.started.length, 3);
    source.started[2]?.resolve();
    await third;
  });
