/**
 * Expiry commands against Redis 7's replies (checked against redis-server 7.0 over raw RESP),
 * on the replicated clock: NX/XX/GT/LT, their errors, past times deleting the key, TTL
 * rounding, and expiry surviving a snapshot.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EngineHarness } from "./testing/engine_harness.js";
import { plainReply } from "./testing/plain_reply.js";

function harness(): { h: EngineHarness; run: (...args: string[]) => unknown } {
  const h = new EngineHarness();
  return { h, run: (...args) => plainReply(h.run(...args)) };
}

test("EXPIRE with NX, XX, GT, LT as Redis 7 decides (no TTL counts as infinite)", () => {
  const { run } = harness();
  run("SET", "k", "v");
  assert.equal(run("EXPIRE", "k", "100", "XX"), 0);
  assert.equal(run("EXPIRE", "k", "100", "GT"), 0);
  assert.equal(run("EXPIRE", "k", "100", "LT"), 1);
  assert.equal(run("EXPIRE", "k", "50", "NX"), 0);
  assert.equal(run("EXPIRE", "k", "200", "XX"), 1);
  assert.equal(run("EXPIRE", "k", "100", "GT"), 0);
  assert.equal(run("EXPIRE", "k", "300", "gt"), 1);
  assert.equal(run("EXPIRE", "k", "400", "LT"), 0);
  assert.equal(run("EXPIRE", "k", "50", "LT"), 1);
  assert.equal(run("TTL", "k"), 50);
  assert.equal(run("EXPIRE", "k", "10", "xx", "xx"), 1);
  assert.equal(run("EXPIRE", "nokey", "10"), 0);
});

test("EXPIRE's errors: incompatible flags, unknown options, non-integers, overflow", () => {
  const { run } = harness();
  run("SET", "k", "v");
  const nxWith = { error: "ERR NX and XX, GT or LT options at the same time are not compatible" };
  assert.deepEqual(run("EXPIRE", "k", "10", "NX", "XX"), nxWith);
  assert.deepEqual(run("EXPIRE", "k", "10", "NX", "GT"), nxWith);
  assert.deepEqual(run("EXPIRE", "k", "10", "GT", "LT"), { error: "ERR GT and LT options at the same time are not compatible" });
  assert.deepEqual(run("EXPIRE", "k", "10", "FOO"), { error: "ERR Unsupported option FOO" });
  assert.deepEqual(run("EXPIRE", "k", "abc"), { error: "ERR value is not an integer or out of range" });
  assert.deepEqual(run("EXPIRE", "k", "abc", "NX", "LT"), nxWith, "flags are checked before the number");
  assert.deepEqual(run("EXPIRE", "k", "9223372036854775807"), { error: "ERR invalid expire time in 'expire' command" });
  assert.deepEqual(run("PEXPIRE", "k", "9223372036854775807"), { error: "ERR invalid expire time in 'pexpire' command" });
  assert.equal(run("PEXPIREAT", "k", "9223372036854775807"), 1);
  assert.deepEqual(run("EXPIRE", "k"), { error: "ERR wrong number of arguments for 'expire' command" });
  assert.equal(run("EXISTS", "k"), 1);
});

test("a TTL in the past deletes the key; GT with a past time keeps it", () => {
  const { h, run } = harness();
  for (const args of [["EXPIRE", "q", "-1"], ["PEXPIRE", "q", "0"], ["EXPIREAT", "q", "1"],
    ["PEXPIREAT", "q", String(h.nowMs)]]) {
    run("SET", "q", "v");
    assert.equal(run(...args), 1, args.join(" "));
    assert.equal(run("EXISTS", "q"), 0, args.join(" "));
  }
  run("SET", "q", "v", "EX", "100");
  assert.equal(run("EXPIRE", "q", "-5", "GT"), 0);
  assert.equal(run("TTL", "q"), 100);
  assert.equal(run("EXPIRE", "q", "-5", "LT"), 1);
  assert.equal(run("EXISTS", "q"), 0);
});

test("TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST read the replicated clock", () => {
  const { h, run } = harness();
  for (const command of ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]) {
    assert.equal(run(command, "nokey"), -2, command);
  }
  run("SET", "p", "v");
  for (const command of ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]) assert.equal(run(command, "p"), -1, command);
  assert.equal(run("PEXPIREAT", "p", "4102444800123"), 1);
  assert.equal(run("EXPIRETIME", "p"), 4102444800);
  assert.equal(run("PEXPIRETIME", "p"), 4102444800123);
  assert.equal(run("PEXPIRE", "p", "10400"), 1);
  assert.equal(run("PTTL", "p"), 10400);
  assert.equal(run("TTL", "p"), 10, "rounded to the nearest second");
  h.nowMs += 900;
  assert.equal(run("TTL", "p"), 10);
  assert.equal(run("PTTL", "p"), 9500);
  assert.equal(run("PERSIST", "p"), 1);
  assert.equal(run("PERSIST", "p"), 0);
  assert.equal(run("PERSIST", "nokey"), 0);
  assert.equal(run("TTL", "p"), -1);
});

test("a key expires at its time on every replica, a restarted one included", () => {
  const { h, run } = harness();
  run("SET", "k", "v", "PX", "1000");
  const restarted = h.restarted();
  assert.deepEqual(plainReply(restarted.run("PTTL", "k")), 1000);
  h.nowMs += 999;
  restarted.nowMs += 999;
  assert.equal(run("GET", "k"), "v");
  assert.equal(plainReply(restarted.run("GET", "k")), "v");
  h.nowMs += 1;
  restarted.nowMs += 1;
  assert.equal(run("GET", "k"), null);
  assert.equal(plainReply(restarted.run("GET", "k")), null);
  assert.equal(run("EXPIRE", "k", "100"), 0, "an expired key cannot get a new TTL");
  assert.equal(h.machine.engine.keyspace.db(0).expiringKeys, 0, "the write removed the expired key");
});
