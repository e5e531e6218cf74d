/**
 * The scan index alone: bounded work per step, Redis's reverse-binary cursor order, cursors
 * above the table's size, and the stateless collection scan other groups can reuse.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { KeyScanIndex, nextCursor, scanCollection, tableSizeFor } from "./scan_index.js";

test("the cursor walks every bucket once, high bits first, and returns to 0", () => {
  const seen: number[] = [];
  let cursor = 0;
  do {
    seen.push(cursor);
    cursor = nextCursor(cursor, 7);
  } while (cursor !== 0);
  assert.deepEqual(seen, [0, 4, 2, 6, 1, 5, 3, 7]);
  // Bits above the mask do not matter (Redis sets them all before stepping).
  assert.equal(nextCursor(4 + 1024, 7), nextCursor(4, 7));
});

test("one step visits at most 10 * COUNT buckets of a sparse table", () => {
  const index = new KeyScanIndex();
  for (let i = 0; i < 4096; i++) index.add(`k${i}`);
  for (let i = 1; i < 3500; i++) index.delete(`k${i}`);
  const mask = tableSizeFor(4096) - 1;
  let cursor = 0;
  do {
    const step = index.scan(cursor, 1);
    let visited = 0;
    for (let c = cursor; visited === 0 || (c !== step.cursor && c !== 0); c = nextCursor(c, mask)) visited++;
    assert.ok(visited <= 10, `visited ${visited} buckets`);
    cursor = step.cursor;
  } while (cursor !== 0);
  assert.equal(index.size, 597);
});

test("the index resizes with the key count: down to 4 buckets, keys all still found", () => {
  const index = new KeyScanIndex();
  for (let i = 0; i < 1000; i++) index.add(`k${i}`);
  for (let i = 0; i < 998; i++) index.delete(`k${i}`);
  const step = index.scan(0, 100);
  assert.equal(step.cursor, 0, "a small table is scanned in one call");
  assert.deepEqual(step.items.sort(), ["k998", "k999"]);
  index.delete("absent");
  assert.equal(index.size, 2);
});

test("scanCollection covers a collection with stable cursors whatever its iteration order", () => {
  const members = Array.from({ length: 300 }, (_, i) => `m${i}`);
  const walk = (order: string[]): string[][] => {
    const steps: string[][] = [];
    let cursor = 0;
    do {
      const step = scanCollection(order, order.length, { cursor, count: 10 });
      steps.push(step.items.sort());
      cursor = step.cursor;
    } while (cursor !== 0);
    return steps;
  };
  const forward = walk(members);
  assert.deepEqual(walk([...members].reverse()), forward);
  assert.deepEqual(forward.flat().sort(), [...members].sort());
});
