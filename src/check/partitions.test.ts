/** The partition shapes (partitions.ts), as the simulator and the Maelstrom runner use them. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../core/rng.js";
import {
  describeGrudge, grudgeToJson, heardCount, isBlocked, linkMatrix, openLinks, partitionGrudge,
  type Grudge,
} from "./partitions.js";

const three = ["n0", "n1", "n2"];
const five = ["n0", "n1", "n2", "n3", "n4"];

function hears(grudge: Grudge, nodes: readonly string[], dest: string): string[] {
  return nodes.filter((src) => src !== dest && !isBlocked(grudge, src, dest));
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

test("the ring gives every node a distinct majority for 3, 4, 5 and 7 nodes", () => {
  for (let seed = 1; seed <= 20; seed++) {
    for (const n of [3, 4, 5, 7]) {
      const nodes = Array.from({ length: n }, (_, i) => `n${String(i + 1)}`);
      const ring = partitionGrudge("majorities-ring", nodes, new SeededRng(seed));
      const views = new Set<string>();
      for (const node of nodes) {
        assert.equal(heardCount(ring, nodes, node), Math.floor(n / 2) + 1, `n=${String(n)} ${node}`);
        views.add(nodes.filter((from) => !isBlocked(ring, from, node)).join());
      }
      assert.equal(views.size, n, `ring over ${String(n)} nodes: every view differs`);
    }
  }
});

test("a target is the node isolated, or lands in the smaller half", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const one = partitionGrudge("one", five, new SeededRng(seed), { target: "n3" });
    assert.equal(heardCount(one, five, "n3"), 1);
    const half = partitionGrudge("majority", five, new SeededRng(seed), { target: "n3" });
    assert.equal(heardCount(half, five, "n3"), 2);
  }
});

test("one-way cuts only directed links between distinct nodes", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const grudge = partitionGrudge("one-way", five, new SeededRng(seed));
    for (const [to, sources] of grudge) assert.ok(!sources.has(to), "a node never ignores itself");
  }
});

test("the link matrix, the description and the JSON form say the same thing", () => {
  const grudge = partitionGrudge("one", three, new SeededRng(2));
  const matrix = linkMatrix(grudge, three);
  assert.equal(matrix.flat().filter(Boolean).length, 4);
  three.forEach((to, t) => {
    three.forEach((from, f) => {
      assert.equal(matrix[t]?.[f], isBlocked(grudge, from, to));
    });
  });
  assert.match(describeGrudge(grudge, three), /^(n\d<-x\{[n\d,]+\} ?){3}$/);
  assert.equal(describeGrudge(new Map(), three), "healed");
  assert.deepEqual(openLinks(2), [[false, false], [false, false]]);
  assert.equal(Object.keys(grudgeToJson(grudge)).length, 3);
});
