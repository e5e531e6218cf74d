/**
 * The Redis engine's contract: writes through the log, reads locally, the replicated clock never
 * goes back, errors are replies, and a snapshot carries everything.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EngineHarness } from "./testing/engine_harness.js";
import { NULL, OK, bulk, error } from "./reply.js";

test("SET then GET through the engine; unknown commands and wrong arity are error replies", () => {
  const h = new EngineHarness();
  assert.deepEqual(h.run("SET", "k", "v"), OK);
  assert.deepEqual(h.run("GET", "k"), bulk(new TextEncoder().encode("v")));
  assert.deepEqual(h.run("GET", "missing"), NULL);
  assert.deepEqual(h.run("NOSUCH", "x"), error("ERR unknown command 'NOSUCH'"));
  assert.deepEqual(h.run("GET"), error("ERR wrong number of arguments for 'get' command"));
});

test("the replicated clock never goes back: an entry stamped earlier runs at the clock", () => {
  const h = new EngineHarness();
  h.run("SET", "a", "1");
  const clock = h.machine.engine.clockMs;
  h.nowMs -= 10_000;
  h.run("SET", "b", "2");
  assert.equal(h.machine.engine.clockMs, clock);
});

test("databases are separate and a snapshot restores every one with its clock", () => {
  const h = new EngineHarness();
  h.run("SET", "k", "zero");
  h.db = 3;
  h.run("SET", "k", "three");
  const r = h.restarted();
  assert.deepEqual(r.run("GET", "k"), bulk(new TextEncoder().encode("three")));
  r.db = 0;
  assert.deepEqual(r.run("GET", "k"), bulk(new TextEncoder().encode("zero")));
  assert.equal(r.machine.engine.clockMs, h.machine.engine.clockMs);
  assert.deepEqual(r.machine.snapshot(), h.machine.snapshot());
});
