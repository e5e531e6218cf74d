import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../../core/rng.js";
import type { Envelope } from "../protocol.js";
import { Network } from "./network.js";
import { completeGrudge } from "../../check/partitions.js";

function makeNetwork(latencyMs: number): { network: Network; got: Envelope[]; advance: (ms: number) => void } {
  let nowMs = 0;
  const network = new Network({ latencyMs, latencyDist: "constant", rng: new SeededRng(1), nowMs: () => nowMs });
  const got: Envelope[] = [];
  for (const id of ["n0", "n1", "c1"]) network.register(id, (envelope) => got.push(envelope));
  return { network, got, advance: (ms) => { nowMs += ms; } };
}

test("client traffic is delivered at once; node traffic waits for its latency", async () => {
  const { network, got, advance } = makeNetwork(5);
  network.send({ src: "c1", dest: "n0", body: { type: "read" } });
  assert.equal(got.length, 1);
  network.send({ src: "n0", dest: "n1", body: { type: "raft" } });
  assert.equal(got.length, 1);
  advance(5);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(got.length, 2);
  network.close();
});

test("a partition drops messages already in flight when they reach the head of the queue", async () => {
  const { network, got, advance } = makeNetwork(5);
  network.send({ src: "n0", dest: "n1", body: { type: "before" } });
  network.setGrudge(completeGrudge([["n0"], ["n1"]]));
  advance(5);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(got, []);
  assert.equal(network.stats.servers.dropCount, 1);
  network.send({ src: "c1", dest: "n1", body: { type: "read" } });
  assert.equal(got.length, 1, "clients are never cut off");
  network.close();
});
