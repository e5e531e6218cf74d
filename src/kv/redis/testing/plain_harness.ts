/**
 * TEST-ONLY: the setup the collection command tests share: an `EngineHarness` whose `run`
 * answers in `plain` form, and the check that every key's memory estimate still equals a fresh
 * computation (the in-place deltas a command applies add up).
 */
import assert from "node:assert/strict";
import { KEY_OVERHEAD_BYTES, valueBytes } from "../keyspace.js";
import { EngineHarness } from "./engine_harness.js";
import { plain } from "./plain_reply.js";

export function plainHarness(): { h: EngineHarness; run: (...args: string[]) => unknown } {
  const h = new EngineHarness();
  return { h, run: (...args: string[]) => plain(h.run(...args)) };
}

/** Every key's memory estimate equals a fresh computation, and the database's total their sum. */
export function assertBytesConsistent(h: EngineHarness): void {
  const db = h.machine.engine.keyspace.db(h.db);
  let total = 0;
  for (const [key, entry] of db.entries) {
    assert.equal(entry.bytes, key.length + valueBytes(entry.value) + KEY_OVERHEAD_BYTES, `bytes of ${key}`);
    total += entry.bytes;
  }
  assert.equal(db.usedBytes, total);
}
