/**
 * Hash commands against the replies Debian's redis-server 7.0.15 gives (each expected value was
 * checked against it over raw RESP2 and RESP3).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EngineHarness } from "./testing/engine_harness.js";
import { assertBytesConsistent, plainHarness as harness } from "./testing/plain_harness.js";
import { plain, sortedItems } from "./testing/plain_reply.js";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const NOT_INTEGER = { error: "ERR value is not an integer or out of range" };

test("HSET, HGET, HMGET, HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS, HGETALL (a RESP3 map)", () => {
  const { h, run } = harness();
  assert.equal(run("HSET", "h", "a", "1", "b", "2", "c", "3"), 3);
  assert.equal(run("HSET", "h", "a", "10", "d", "4"), 1);
  assert.deepEqual(run("HSET", "h", "a"), { error: "ERR wrong number of arguments for 'hset' command" });
  assert.deepEqual(run("HMSET", "h", "a"), { error: "ERR wrong number of arguments for 'hmset' command" });
  assert.deepEqual(run("HMSET", "h", "x", "1", "y", "2"), { simple: "OK" });
  assert.equal(run("HGET", "h", "a"), "10");
  assert.equal(run("HGET", "h", "nof"), null);
  assert.equal(run("HGET", "nokey", "a"), null);
  assert.deepEqual(run("HMGET", "h", "a", "nof", "b"), ["10", null, "2"]);
  assert.deepEqual(run("HMGET", "nokey", "a", "b"), [null, null]);
  assert.equal(run("HLEN", "h"), 6);
  assert.equal(run("HLEN", "nokey"), 0);
  assert.equal(run("HSTRLEN", "h", "a"), 2);
  assert.equal(run("HSTRLEN", "h", "nof"), 0);
  assert.equal(run("HEXISTS", "h", "a"), 1);
  assert.equal(run("HEXISTS", "nokey", "a"), 0);
  assert.deepEqual(sortedItems(h.run("HKEYS", "h")), ["a", "b", "c", "d", "x", "y"]);
  assert.deepEqual(sortedItems(h.run("HVALS", "h")), ["1", "10", "2", "2", "3", "4"]);
  assert.deepEqual(run("HGETALL", "h"), {
    map: [["a", "10"], ["b", "2"], ["c", "3"], ["d", "4"], ["x", "1"], ["y", "2"]],
  });
  assert.deepEqual(run("HGETALL", "nokey"), { map: [] });
  assert.deepEqual(run("HKEYS", "nokey"), []);
  assert.deepEqual(run("HVALS", "nokey"), []);
  assertBytesConsistent(h);
});

test("HSETNX and HDEL; a hash left empty is removed", () => {
  const { h, run } = harness();
  run("HSET", "h", "a", "1", "b", "2");
  assert.equal(run("HSETNX", "h", "a", "x"), 0);
  assert.equal(run("HSETNX", "h", "e", "5"), 1);
  assert.equal(run("HSETNX", "newh", "f", "v"), 1);
  assert.equal(run("HDEL", "h", "a", "nof", "b", "a"), 2);
  assert.equal(run("HDEL", "nokey", "a"), 0);
  assert.equal(run("HDEL", "newh", "f"), 1);
  assert.equal(h.machine.engine.keyspace.db(0).entries.has("newh"), false);
  assert.deepEqual(run("HGETALL", "h"), { map: [["e", "5"]] });
  assertBytesConsistent(h);
});

test("every hash command answers WRONGTYPE on a string and changes nothing", () => {
  const { h, run } = harness();
  run("SET", "str", "v");
  const entry = h.machine.engine.keyspace.db(0).entries.get("str");
  const modifiedIndex = entry?.modifiedIndex;
  for (const argv of [
    ["HSET", "str", "a", "1"], ["HMSET", "str", "a", "1"], ["HSETNX", "str", "a", "b"], ["HGET", "str", "a"],
    ["HMGET", "str", "a"], ["HDEL", "str", "a"], ["HEXISTS", "str", "a"], ["HLEN", "str"],
    ["HSTRLEN", "str", "a"], ["HKEYS", "str"], ["HVALS", "str"], ["HGETALL", "str"],
    ["HINCRBY", "str", "a", "1"], ["HINCRBYFLOAT", "str", "a", "1"], ["HRANDFIELD", "str"],
    ["HRANDFIELD", "str", "1"], ["HSCAN", "str", "0"],
  ]) {
    assert.deepEqual(run(...argv), WRONGTYPE, argv.join(" "));
  }
  assert.equal(run("GET", "str"), "v");
  // Argument errors come first where Redis checks them first.
  assert.deepEqual(run("HINCRBYFLOAT", "str", "a", "x"), { error: "ERR value is not a valid float" });
  assert.deepEqual(run("HSCAN", "str", "x"), { error: "ERR invalid cursor" });
  assert.equal(h.machine.engine.keyspace.db(0).entries.get("str")?.modifiedIndex, modifiedIndex);
  assert.equal(h.machine.engine.keyspace.db(0).size, 1);
});

test("HINCRBY: string2ll parsing, overflow, and a missing field counting from 0", () => {
  const { run } = harness();
  assert.equal(run("HINCRBY", "h", "cnt", "5"), 5);
  assert.equal(run("HINCRBY", "h", "cnt", "-7"), -2);
  assert.deepEqual(run("HINCRBY", "h", "cnt", "x"), NOT_INTEGER);
  assert.deepEqual(run("HINCRBY", "h", "cnt", "-0"), NOT_INTEGER);
  assert.deepEqual(run("HINCRBY", "h", "cnt", "9223372036854775808"), NOT_INTEGER);
  assert.equal(run("HINCRBY", "h", "cnt", "9223372036854775807"), 9223372036854775805n);
  assert.deepEqual(run("HINCRBY", "h", "cnt", "10"), { error: "ERR increment or decrement would overflow" });
  assert.equal(run("HGET", "h", "cnt"), "9223372036854775805");
  for (const bad of [" 1", "-0", "+1", "1.0"]) {
    run("HSET", "h", "v", bad);
    assert.deepEqual(run("HINCRBY", "h", "v", "1"), { error: "ERR hash value is not an integer" }, bad);
  }
});

test("HINCRBYFLOAT computes in long double and formats as Redis (%.17Lf, trailing zeros cut)", () => {
  const { run } = harness();
  assert.equal(run("HINCRBYFLOAT", "h", "fl", "10.5"), "10.5");
  assert.equal(run("HINCRBYFLOAT", "h", "fl", "0.1"), "10.6");
  assert.equal(run("HINCRBYFLOAT", "h", "fl", "-5.6"), "5");
  assert.equal(run("HINCRBYFLOAT", "h", "fl", "1e3"), "1005");
  assert.equal(run("HINCRBYFLOAT", "h", "fl", "3.0e-3"), "1005.003");
  assert.equal(run("HINCRBYFLOAT", "h", "fl", "-1005.003"), "0");
  assert.equal(run("HINCRBYFLOAT", "h", "hex", "0x1p-3"), "0.125");
  assert.equal(run("HINCRBYFLOAT", "h", "hex", "0X1.8P1"), "3.125");
  assert.equal(run("HINCRBYFLOAT", "h", "pi", "3.14159265358979323846"), "3.14159265358979324");
  assert.equal(run("HINCRBYFLOAT", "h", "tiny", "-0.00000000000000000001"), "0");
  assert.equal(run("HINCRBYFLOAT", "h", "sub", "1.5e-4950"), "0");
  assert.equal(run("HINCRBYFLOAT", "h", "x2", "123456789012345678901234567890"), "123456789012345678899921813504");
  assert.equal(run("HINCRBYFLOAT", "h", "x4", "1.23456789012345678901234"), "1.23456789012345679");
  assert.equal(run("HINCRBYFLOAT", "h", "x6", "99999999999999999999.5"), "100000000000000000000");
  assert.equal(run("HINCRBYFLOAT", "h", "x7", "2.5e-17"), "0.00000000000000002");
  assert.equal(run("HINCRBYFLOAT", "h", "x10", "00012.50e+2"), "1250");
  assert.equal(run("HINCRBYFLOAT", "h", "z", "0e9999999"), "0");
  const big = run("HINCRBYFLOAT", "h", "big", "1e308");
  assert.equal(typeof big === "string" && big.startsWith("99999999999999999996685879655845645660560099847") && big.length, 308);
  const twice = run("HINCRBYFLOAT", "h", "big", "1e308");
  assert.equal(typeof twice === "string" && twice.startsWith("1999999999999999999933717593116912913211201996") && twice.length, 309);
  for (const bad of [".", "", "1e", "nan", "1e-5000", "1e5000", " 1", "1 "]) {
    assert.deepEqual(run("HINCRBYFLOAT", "h", "e", bad), { error: "ERR value is not a valid float" }, bad);
  }
  assert.deepEqual(run("HINCRBYFLOAT", "h", "e", "inf"), { error: "ERR value is NaN or Infinity" });
  assert.deepEqual(run("HINCRBYFLOAT", "h", "e", "-Infinity"), { error: "ERR value is NaN or Infinity" });
  run("HSET", "h", "nanv", "nan", "infv", "inf", "sp", " 1");
  assert.deepEqual(run("HINCRBYFLOAT", "h", "nanv", "1"), { error: "ERR hash value is not a float" });
  assert.deepEqual(run("HINCRBYFLOAT", "h", "sp", "1"), { error: "ERR hash value is not a float" });
  assert.deepEqual(run("HINCRBYFLOAT", "h", "infv", "1"), { error: "ERR increment would produce NaN or Infinity" });
  const max = run("HINCRBYFLOAT", "h", "d", "1e4932"); // finite in long double (max ~1.19e4932)
  assert.equal(typeof max === "string" && max.length, 4933);
  assert.deepEqual(run("HINCRBYFLOAT", "h", "d", "1e4932"), { error: "ERR increment would produce NaN or Infinity" });
  assert.equal(run("HEXISTS", "h", "e"), 0);
});

test("HRANDFIELD: one field, distinct fields, repeats for a negative count, WITHVALUES, errors", () => {
  const { h, run } = harness();
  assert.equal(run("HRANDFIELD", "nokey"), null);
  assert.deepEqual(run("HRANDFIELD", "nokey", "5"), []);
  assert.deepEqual(run("HRANDFIELD", "nokey", "5", "WITHVALUES"), []);
  run("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4");
  assert.equal(["a", "b", "c", "d"].includes(run("HRANDFIELD", "h") as string), true);
  assert.deepEqual(run("HRANDFIELD", "h", "0"), []);
  assert.deepEqual(run("HRANDFIELD", "h", "100"), ["a", "b", "c", "d"]);
  const three = run("HRANDFIELD", "h", "3") as string[];
  assert.equal(new Set(three).size, 3);
  const repeats = run("HRANDFIELD", "h", "-20") as string[];
  assert.equal(repeats.length, 20);
  assert.equal(repeats.every((f) => ["a", "b", "c", "d"].includes(f)), true);
  const pairs = run("HRANDFIELD", "h", "-3", "withvalues") as [string, string][];
  assert.equal(pairs.length, 3);
  for (const [field, value] of pairs) assert.equal(run("HGET", "h", field), value);
  assert.deepEqual(run("HRANDFIELD", "h", "1", "x"), { error: "ERR syntax error" });
  assert.deepEqual(run("HRANDFIELD", "h", "1", "WITHVALUES", "x"), { error: "ERR syntax error" });
  assert.deepEqual(run("HRANDFIELD", "h", "x"), NOT_INTEGER);
  assert.deepEqual(run("HRANDFIELD", "h", "-9223372036854775808"), {
    error: "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
  });
  assert.deepEqual(run("HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"), { error: "ERR value is out of range" });
  assert.deepEqual(run("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"), { error: "ERR value is out of range" });
  // A repeat count beyond the reply limit is refused rather than built (Redis would try).
  assert.deepEqual(run("HRANDFIELD", "h", "-9223372036854775807"), {
    error: "ERR count is out of range, at most 1048576 repeated elements",
  });
  // The same seed draws the same fields: reads are deterministic given their seed.
  h.seed = 7;
  const first = run("HRANDFIELD", "h", "-10");
  assert.deepEqual(run("HRANDFIELD", "h", "-10"), first);
});

test("HSCAN: a small hash answers at once; a large one pages by a fixed hash order that survives a restart", () => {
  const { h, run } = harness();
  assert.deepEqual(run("HSCAN", "nokey", "0", "COUNT", "x"), ["0", []]);
  run("HSET", "small", "a", "1", "b", "2");
  assert.deepEqual(run("HSCAN", "small", "0", "COUNT", "1"), ["0", ["a", "1", "b", "2"]]);
  assert.deepEqual(run("HSCAN", "small", "0", "MATCH", "b*"), ["0", ["b", "2"]]);
  for (const [argv, reply] of [
    [["0", "COUNT", "0"], { error: "ERR syntax error" }], [["0", "COUNT", "x"], NOT_INTEGER],
    [["0", "MATCH"], { error: "ERR syntax error" }], [["0", "foo", "bar"], { error: "ERR syntax error" }],
    [["x"], { error: "ERR invalid cursor" }], [[" 0"], { error: "ERR invalid cursor" }],
    [["18446744073709551616"], { error: "ERR invalid cursor" }],
  ] as const) {
    assert.deepEqual(run("HSCAN", "small", ...argv), reply, argv.join(" "));
  }
  const fields = Array.from({ length: 300 }, (_, i) => `field:${i}`);
  run("HSET", "big", ...fields.flatMap((f) => [f, "v"]));
  let current: EngineHarness = h;
  let cursor = "0";
  const seen: string[] = [];
  let calls = 0;
  do {
    const [next, items] = plain(current.run("HSCAN", "big", cursor, "COUNT", "25")) as [string, string[]];
    assert.equal(items.length <= 2 * 40, true, "a page stays near COUNT");
    for (let i = 0; i < items.length; i += 2) seen.push(items[i] ?? "");
    cursor = next;
    calls++;
    if (calls === 3) current = current.restarted(); // the cursor means the same after a restart
  } while (cursor !== "0" && calls < 100);
  assert.equal(calls > 5, true);
  assert.deepEqual([...seen].sort(), [...fields].sort());
  const matched = plain(h.run("HSCAN", "big", "0", "MATCH", "field:1?", "COUNT", "1000")) as [string, string[]];
  assert.equal(matched[0], "0");
  assert.equal(matched[1].length, 20);
});
