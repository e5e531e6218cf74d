/**
 * Key commands against Redis 7's replies (checked against redis-server 7.0 over raw RESP; KEYS
 * and SCAN orders differ from Redis's hash order, so those compare as sets), and the SCAN
 * guarantee: every key present for a whole scan is returned, with cursors that mean the same on
 * every replica and after a restart.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EngineHarness } from "./testing/engine_harness.js";
import { plainReply } from "./testing/plain_reply.js";

function harness(): { h: EngineHarness; run: (...args: string[]) => unknown } {
  const h = new EngineHarness();
  return { h, run: (...args) => plainReply(h.run(...args)) };
}

const sorted = (value: unknown): string[] => [...(value as string[])].sort();

test("DEL, UNLINK, EXISTS, TOUCH, TYPE; expired keys are invisible to all of them", () => {
  const { h, run } = harness();
  run("MSET", "a", "1", "b", "2", "c", "3");
  assert.equal(run("DEL", "a", "b", "nokey", "a"), 2);
  assert.equal(run("EXISTS", "a", "c", "c", "nokey"), 2);
  assert.equal(run("TOUCH", "c", "nokey"), 1);
  assert.equal(run("TYPE", "c"), "string");
  assert.equal(run("TYPE", "nokey"), "none");
  assert.equal(run("UNLINK", "c"), 1);
  run("SET", "t", "v", "PX", "100");
  h.nowMs += 100;
  assert.equal(run("EXISTS", "t"), 0);
  assert.equal(run("TYPE", "t"), "none");
  assert.equal(run("DEL", "t"), 0);
  assert.equal(run("DBSIZE"), 0);
});

test("KEYS matches Redis's glob patterns and skips expired keys", () => {
  const { h, run } = harness();
  run("MSET", "hello", "1", "hallo", "2", "hxllo", "3", "hllo", "4", "heeeello", "5", "h[llo", "6", "h*llo", "7");
  const cases: [string, string[]][] = [
    ["h?llo", ["h*llo", "h[llo", "hallo", "hello", "hxllo"]],
    ["h*llo", ["h*llo", "h[llo", "hallo", "heeeello", "hello", "hllo", "hxllo"]],
    ["h[ae]llo", ["hallo", "hello"]],
    ["h[^e]llo", ["h*llo", "h[llo", "hallo", "hxllo"]],
    ["h[a-b]llo", ["hallo"]],
    ["h[b-a]llo", ["hallo"]],
    ["h\\[llo", ["h[llo"]],
    ["h\\*llo", ["h*llo"]],
    ["h[", []],
    ["**", ["h*llo", "h[llo", "hallo", "heeeello", "hello", "hllo", "hxllo"]],
    ["nomatch", []],
  ];
  for (const [pattern, expected] of cases) assert.deepEqual(sorted(run("KEYS", pattern)), expected, pattern);
  run("PEXPIRE", "hello", "1");
  h.nowMs += 1;
  assert.deepEqual(sorted(run("KEYS", "h?llo")), ["h*llo", "h[llo", "hallo", "hxllo"]);
});

test("RENAME and RENAMENX keep the TTL; Redis's answers for a missing or identical key", () => {
  const { run } = harness();
  run("SET", "k", "v", "EX", "100");
  assert.deepEqual(run("RENAME", "nokey", "x"), { error: "ERR no such key" });
  assert.deepEqual(run("RENAMENX", "nokey", "x"), { error: "ERR no such key" });
  assert.equal(run("RENAME", "k", "k"), "OK");
  assert.equal(run("RENAMENX", "k", "k"), 0);
  assert.equal(run("RENAME", "k", "k2"), "OK");
  assert.equal(run("TTL", "k2"), 100);
  assert.equal(run("EXISTS", "k"), 0);
  run("SET", "other", "o");
  assert.equal(run("RENAMENX", "k2", "other"), 0);
  assert.equal(run("RENAME", "k2", "other"), "OK");
  assert.equal(run("GET", "other"), "v");
  assert.equal(run("TTL", "other"), 100);
  assert.equal(run("RENAMENX", "other", "fresh"), 1);
});

test("COPY and MOVE across databases, with their options and errors", () => {
  const { h, run } = harness();
  run("SET", "t", "v", "EX", "100");
  assert.equal(run("COPY", "t", "t3"), 1);
  assert.equal(run("TTL", "t3"), 100);
  assert.equal(run("COPY", "t", "t3"), 0);
  assert.equal(run("COPY", "t", "t3", "REPLACE"), 1);
  const same = { error: "ERR source and destination objects are the same" };
  assert.deepEqual(run("COPY", "t", "t"), same);
  assert.deepEqual(run("COPY", "t", "t", "DB", "0"), same);
  assert.equal(run("COPY", "t", "t", "DB", "1"), 1);
  assert.equal(run("COPY", "nokey", "x"), 0);
  assert.deepEqual(run("COPY", "t", "x", "DB", "16"), { error: "ERR DB index is out of range" });
  assert.deepEqual(run("COPY", "t", "x", "DB", "abc"), { error: "ERR value is not an integer or out of range" });
  assert.deepEqual(run("COPY", "t", "x", "DB", "99999999999"),
    { error: "ERR value is out of range, value must between -2147483648 and 2147483647" });
  assert.deepEqual(run("COPY", "t", "x", "DB"), { error: "ERR syntax error" });
  assert.equal(run("COPY", "t", "x", "REPLACE", "REPLACE", "DB", "2", "DB", "3"), 1);
  assert.deepEqual(run("MOVE", "t", "0"), same);
  assert.equal(run("MOVE", "t", "1"), 0, "db 1 already has t");
  assert.equal(run("MOVE", "nokey", "1"), 0);
  assert.deepEqual(run("MOVE", "t3", "16"), { error: "ERR DB index is out of range" });
  assert.equal(run("MOVE", "t3", "2"), 1);
  assert.equal(run("EXISTS", "t3"), 0);
  h.db = 2;
  assert.equal(run("GET", "t3"), "v");
  assert.equal(run("TTL", "t3"), 100);
  h.db = 3;
  assert.equal(run("GET", "x"), "v");
});

test("COPY copies deeply: changing the copy leaves the original alone", () => {
  const { h, run } = harness();
  const db = h.machine.engine.keyspace.db(0);
  db.put("h", { type: "hash", value: new Map([["f", Uint8Array.from([1])]]) }, 1, null);
  assert.equal(run("COPY", "h", "h2"), 1);
  const copy = db.entries.get("h2")?.value;
  assert.ok(copy?.type === "hash");
  copy.value.set("g", Uint8Array.from([2]));
  const original = db.entries.get("h")?.value;
  assert.ok(original?.type === "hash");
  assert.deepEqual([...original.value.keys()], ["f"]);
});

test("DBSIZE, FLUSHDB, FLUSHALL, SWAPDB", () => {
  const { h, run } = harness();
  run("MSET", "a", "1", "b", "2");
  run("SET", "gone", "v", "PX", "5");
  h.db = 1;
  run("SET", "one", "1", "EX", "100");
  h.db = 0;
  h.nowMs += 5;
  assert.equal(run("DBSIZE"), 2);
  assert.equal(run("SWAPDB", "0", "1"), "OK");
  assert.equal(run("DBSIZE"), 1);
  assert.equal(run("TTL", "one"), 100);
  h.db = 1;
  assert.deepEqual(run("MGET", "a", "b", "one"), ["1", "2", null]);
  assert.deepEqual(run("SWAPDB", "0", "16"), { error: "ERR DB index is out of range" });
  assert.deepEqual(run("SWAPDB", "a", "1"), { error: "ERR invalid first DB index" });
  assert.deepEqual(run("SWAPDB", "1", "b"), { error: "ERR invalid second DB index" });
  assert.equal(run("SWAPDB", "1", "1"), "OK");
  assert.deepEqual(run("FLUSHDB", "FOO"), { error: "ERR syntax error" });
  assert.deepEqual(run("FLUSHDB", "SYNC", "ASYNC"), { error: "ERR syntax error" });
  assert.equal(run("FLUSHDB", "async"), "OK");
  assert.equal(run("DBSIZE"), 0);
  h.db = 0;
  assert.equal(run("DBSIZE"), 1);
  assert.equal(run("FLUSHALL", "sync"), "OK");
  assert.equal(h.machine.engine.keyspace.size, 0);
});

test("RANDOMKEY draws a live key from the read's seed; null when none", () => {
  const { h, run } = harness();
  assert.equal(run("RANDOMKEY"), null);
  run("MSET", "a", "1", "b", "2", "c", "3");
  run("SET", "gone", "v", "PX", "1");
  h.nowMs += 1;
  const seen = new Set<unknown>();
  for (let seed = 1; seed <= 40; seed++) {
    h.seed = seed;
    seen.add(run("RANDOMKEY"));
  }
  assert.deepEqual([...seen].sort(), ["a", "b", "c"]);
  h.seed = 7;
  assert.equal(run("RANDOMKEY"), run("RANDOMKEY"), "the same seed draws the same key");
});

test("SCAN's arguments and errors as Redis 7 reads them", () => {
  const { run } = harness();
  assert.deepEqual(run("SCAN", "0"), ["0", []]);
  assert.deepEqual(run("SCAN", "abc"), { error: "ERR invalid cursor" });
  assert.deepEqual(run("SCAN", "18446744073709551616"), { error: "ERR invalid cursor" });
  assert.deepEqual(run("SCAN", "-1"), ["0", []]);
  assert.deepEqual(run("SCAN", "0", "COUNT", "0"), { error: "ERR syntax error" });
  assert.deepEqual(run("SCAN", "0", "COUNT", "x"), { error: "ERR value is not an integer or out of range" });
  assert.deepEqual(run("SCAN", "0", "MATCH"), { error: "ERR syntax error" });
  assert.deepEqual(run("SCAN", "0", "FOO", "bar"), { error: "ERR syntax error" });
  run("MSET", "s1", "1", "s2", "2", "other", "3");
  run("SET", "gone", "v", "PX", "1");
  const [cursor, keys] = run("SCAN", "0", "MATCH", "s*", "COUNT", "1000", "TYPE", "STRING") as [string, string[]];
  assert.equal(cursor, "0");
  assert.deepEqual([...keys].sort(), ["s1", "s2"]);
  assert.deepEqual(run("SCAN", "0", "COUNT", "1000", "TYPE", "hash"), ["0", []]);
});

/** Scans to the end with `count`, calling `between` after each step; the keys returned. */
function fullScan(h: EngineHarness, count: number, between: (step: number) => void = () => undefined): string[] {
  const found: string[] = [];
  let cursor = "0";
  let steps = 0;
  do {
    const [next, keys] = plainReply(h.run("SCAN", cursor, "COUNT", String(count))) as [string, string[]];
    found.push(...keys);
    cursor = next;
    between(++steps);
    assert.ok(steps < 100_000, "the scan terminates");
  } while (cursor !== "0");
  return found;
}

test("SCAN returns every key present throughout, while the table grows and shrinks under it", () => {
  const h = new EngineHarness();
  const stable = Array.from({ length: 300 }, (_, i) => `stable:${i}`);
  for (const key of stable) h.run("SET", key, "v");
  // Grow: add many keys between steps (the table doubles several times).
  let added = 0;
  const grown = new Set(fullScan(h, 7, () => {
    for (let i = 0; i < 50; i++) h.run("SET", `grow:${added++}`, "v");
  }));
  for (const key of stable) assert.ok(grown.has(key), `growing: ${key} returned`);
  // Shrink: delete the added keys between steps (the table halves several times).
  let removed = 0;
  const shrunk = new Set(fullScan(h, 7, () => {
    for (let i = 0; i < 200 && removed < added; i++) h.run("DEL", `grow:${removed++}`);
  }));
  for (const key of stable) assert.ok(shrunk.has(key), `shrinking: ${key} returned`);
});

test("a SCAN step answers the same after a restart and on a replica that inserted in another order", () => {
  const keys = Array.from({ length: 500 }, (_, i) => `key:${i}`);
  const a = new EngineHarness();
  const b = new EngineHarness();
  for (const key of keys) a.run("SET", key, "v");
  for (const key of [...keys].reverse()) b.run("SET", key, "v");
  let cursor = "0";
  const seen: string[] = [];
  let restarted = a.restarted();
  do {
    const step = (h: EngineHarness): [string, string[]] =>
      plainReply(h.run("SCAN", cursor, "COUNT", "20")) as [string, string[]];
    const [next, found] = step(a);
    const [nextB, foundB] = step(b);
    const [nextR, foundR] = step(restarted);
    assert.equal(nextB, next);
    assert.equal(nextR, next);
    assert.deepEqual(foundB, found);
    assert.deepEqual(foundR, found);
    seen.push(...found);
    cursor = next;
    restarted = restarted.restarted();
  } while (cursor !== "0");
  assert.deepEqual([...new Set(seen)].sort(), [...keys].sort());
  for (let seed = 1; seed <= 20; seed++) {
    a.seed = seed;
    b.seed = seed;
    assert.deepEqual(b.run("RANDOMKEY"), a.run("RANDOMKEY"), "RANDOMKEY draws the same key on both");
  }
});
