/**
 * SortedSet against a plain sorted array: random adds, score moves and deletes (enough to split
 * and empty chunks), checking order, ranks, positions, slices and monotone searches.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CommandRandom } from "./random.js";
import { SortedSet } from "./sorted_set.js";

function modelOrder(model: Map<string, number>): [string, number][] {
  return [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

test("SortedSet keeps (score, member) order, ranks and positions through adds, moves and deletes", () => {
  const random = new CommandRandom(7);
  const set = new SortedSet();
  const model = new Map<string, number>();
  for (let step = 0; step < 6000; step++) {
    const member = `m${random.nextInt(2500)}`;
    if (random.nextInt(4) === 0) {
      assert.equal(set.delete(member), model.delete(member));
    } else {
      const score = random.nextInt(50) - 25; // many ties: members break them
      set.add(member, score);
      model.set(member, score);
    }
  }
  const expected = modelOrder(model);
  assert.deepEqual(set.entries(), expected);
  assert.equal(set.size, expected.length);
  expected.forEach(([member, score], rank) => {
    assert.equal(set.rank(member), rank);
    assert.deepEqual(set.at(rank), { member, score });
    assert.equal(set.score(member), score);
  });
  assert.equal(set.at(expected.length), null);
  assert.equal(set.at(-1), null);
  assert.equal(set.rank("absent"), undefined);
  assert.deepEqual(set.slice(10, 20).map((e) => e.member), expected.slice(10, 21).map(([m]) => m));
  assert.deepEqual(set.slice(10, 20, true).map((e) => e.member), expected.slice(10, 21).map(([m]) => m).reverse());
  const firstAtZero = expected.findIndex(([, score]) => score >= 0);
  assert.equal(set.firstRankWhere((score) => score >= 0), firstAtZero);
  assert.equal(set.lastRankWhere((score) => score < 0), firstAtZero - 1);
  assert.equal(set.firstRankWhere(() => false), expected.length);
  assert.equal(set.lastRankWhere(() => false), -1);
});

test("SortedSet's memory estimate returns to zero when every member is gone, and fromEntries rebuilds it", () => {
  const set = SortedSet.fromEntries([["a", 1], ["b", -Infinity], ["c", Infinity]]);
  assert.deepEqual(set.entries(), [["b", -Infinity], ["a", 1], ["c", Infinity]]);
  assert.ok(set.estimatedBytes() > 0);
  set.add("a", 5); // a move changes no size
  const bytes = set.estimatedBytes();
  assert.equal(bytes, SortedSet.fromEntries(set.entries()).estimatedBytes());
  for (const member of ["a", "b", "c"]) set.delete(member);
  assert.equal(set.estimatedBytes(), 0);
  assert.equal(set.size, 0);
  assert.deepEqual(set.entries(), []);
});
