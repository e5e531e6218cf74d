import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../../core/rng.js";
import { grudgeToJson, partitionGrudge, type Grudge } from "./partitions.js";

const three = ["n0", "n1", "n2"];
const five = ["n0", "n1", "n2", "n3", "n4"];

function hears(grudge: Grudge, nodes: readonly string[], dest: string): string[] {
  return nodes.filter((src) => src !== dest && grudge.get(dest)?.has(src) !== true);
}

test("one: a single node is cut off both ways", () => {
  for (let seed = 0; seed < 20; seed++) {
    const grudge = partitionGrudge("one", five, new SeededRng(seed));
    const isolated = five.filter((node) => hears(grudge, five, node).length === 0);
    assert.equal(isolated.length, 1);
    const [lonely] = isolated;
    for (const node of five.filter((other) => other !== lonely)) {
      assert.deepEqual(hears(grudge, five, node).length, 3);
    }
  }
});

test("minority-third isolates floor((N-1)/3) nodes: nobody for N=3, one node for N=5", () => {
  assert.deepEqual(grudgeToJson(partitionGrudge("minority-third", three, new SeededRng(1))), {});
  const grudge = partitionGrudge("minority-third", five, new SeededRng(1));
  assert.equal(five.filter((node) => hears(grudge, five, node).length === 0).length, 1);
});

test("majority splits into halves of floor(N/2) and the rest, with no traffic across", () => {
  const grudge = partitionGrudge("majority", five, new SeededRng(3));
  const sizes = five.map((node) => hears(grudge, five, node).length + 1).sort();
  assert.deepEqual(sizes, [2, 2, 3, 3, 3]);
});

test("majorities-ring with N=5: each node hears exactly two others, symmetrically, all different", () => {
  for (let seed = 0; seed < 20; seed++) {
    const grudge = partitionGrudge("majorities-ring", five, new SeededRng(seed));
    const views = new Set<string>();
    for (const node of five) {
      const heard = hears(grudge, five, node);
      assert.equal(heard.length, 2);
      for (const other of heard) assert.ok(hears(grudge, five, other).includes(node), "links are symmetric");
      views.add([node, ...heard].sort().join());
    }
    assert.equal(views.size, 5, "no two nodes see the same majority");
  }
});

test("majorities-ring with N=3: each node ignores exactly one peer, giving one-way links", () => {
  for (let seed = 0; seed < 20; seed++) {
    const grudge = partitionGrudge("majorities-ring", three, new SeededRng(seed));
    let oneWay = 0;
    for (const node of three) {
      const heard = hears(grudge, three, node);
      assert.equal(heard.length, 1);
      for (const other of three) {
        if (other !== node && heard.includes(other) && !hears(grudge, three, other).includes(node)) oneWay++;
      }
    }
    assert.equal(oneWay, 3);
  }
});
