/**
 * String commands against Redis 7's replies (each expectation was checked against redis-server
 * 7.0 over raw RESP): SET's options and errors, GETEX, the counters, INCRBYFLOAT's long double
 * formatting, ranges and the size limit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EngineHarness } from "./testing/engine_harness.js";
import { plainReply as plain } from "./testing/plain_reply.js";

function harness(): { h: EngineHarness; run: (...args: string[]) => unknown } {
  const h = new EngineHarness();
  return { h, run: (...args) => plain(h.run(...args)) };
}

/** Puts a hash at `key` directly (the hash commands belong to another file). */
function putHash(h: EngineHarness, key: string): void {
  h.machine.engine.keyspace.db(h.db).put(key, { type: "hash", value: new Map() }, h.index, null);
}

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_INTEGER = { error: "ERR value is not an integer or out of range" };
const NOT_FLOAT = { error: "ERR value is not a valid float" };

test("SET NX/XX/GET combine as in Redis 7; GET answers the old value even when NX aborts", () => {
  const { run } = harness();
  assert.equal(run("SET", "k", "v"), "OK");
  assert.equal(run("SET", "k", "v2", "NX"), null);
  assert.equal(run("SET", "k", "v2", "XX"), "OK");
  assert.deepEqual(run("SET", "n", "v", "NX", "XX"), SYNTAX);
  assert.deepEqual(run("SET", "n", "v", "XX", "NX"), SYNTAX);
  assert.equal(run("SET", "n", "v", "NX", "NX"), "OK");
  assert.equal(run("SET", "n", "v2", "GET"), "v");
  assert.equal(run("SET", "n", "v3", "NX", "GET"), "v2");
  assert.equal(run("GET", "n"), "v2");
  assert.equal(run("SET", "missing", "v", "XX", "GET"), null);
  assert.equal(run("GET", "missing"), null);
  assert.deepEqual(run("SET", "k", "v", "FOO"), SYNTAX);
  assert.deepEqual(run("SET", "k", "v", "EX"), SYNTAX);
});

test("SET's TTL options: relative to the replicated clock, exclusive, Redis's error for bad times", () => {
  const { h, run } = harness();
  assert.deepEqual(run("SET", "k", "v", "EX", "0"), { error: "ERR invalid expire time in 'set' command" });
  assert.deepEqual(run("SET", "k", "v", "PX", "-1"), { error: "ERR invalid expire time in 'set' command" });
  assert.deepEqual(run("SET", "k", "v", "EX", "9223372036854775807"), { error: "ERR invalid expire time in 'set' command" });
  assert.deepEqual(run("SET", "k", "v", "PX", "9223372036854775807"), { error: "ERR invalid expire time in 'set' command" });
  assert.deepEqual(run("SET", "k", "v", "EX", "abc"), NOT_INTEGER);
  assert.deepEqual(run("SET", "k", "v", "EX", "10", "PX", "10"), SYNTAX);
  assert.deepEqual(run("SET", "k", "v", "EX", "10", "KEEPTTL"), SYNTAX);
  assert.deepEqual(run("SET", "k", "v", "KEEPTTL", "EX", "10"), SYNTAX);
  assert.equal(run("EXISTS", "k"), 0);
  assert.equal(run("SET", "k", "v", "EX", "10", "EX", "20"), "OK");
  assert.equal(run("TTL", "k"), 20);
  assert.equal(run("SET", "k", "v2", "KEEPTTL"), "OK");
  assert.equal(run("TTL", "k"), 20);
  assert.equal(run("SET", "k", "v3"), "OK");
  assert.equal(run("TTL", "k"), -1);
  assert.equal(run("SET", "k", "v", "PXAT", String(h.nowMs + 1500)), "OK");
  assert.equal(run("PTTL", "k"), 1500);
  h.nowMs += 1500;
  assert.equal(run("GET", "k"), null);
  assert.equal(run("SET", "k", "v", "EXAT", "1"), "OK");
  assert.equal(run("EXISTS", "k"), 0);
});

test("SETNX, SETEX, PSETEX, GETSET, GETDEL", () => {
  const { run } = harness();
  assert.equal(run("SETNX", "k", "v"), 1);
  assert.equal(run("SETNX", "k", "w"), 0);
  assert.deepEqual(run("SETEX", "k", "0", "v"), { error: "ERR invalid expire time in 'setex' command" });
  assert.deepEqual(run("PSETEX", "k", "-5", "v"), { error: "ERR invalid expire time in 'psetex' command" });
  assert.deepEqual(run("SETEX", "k", "x", "v"), NOT_INTEGER);
  assert.equal(run("SETEX", "k", "100", "v"), "OK");
  assert.equal(run("TTL", "k"), 100);
  assert.equal(run("PSETEX", "k", "100000", "vv"), "OK");
  assert.equal(run("TTL", "k"), 100);
  assert.equal(run("GETSET", "k", "new"), "vv");
  assert.equal(run("TTL", "k"), -1);
  assert.equal(run("GETSET", "nokey", "x"), null);
  assert.equal(run("GETDEL", "k"), "new");
  assert.equal(run("GETDEL", "k"), null);
  assert.equal(run("EXISTS", "k"), 0);
});

test("the string commands answer WRONGTYPE on other types and change nothing", () => {
  const { h, run } = harness();
  putHash(h, "h");
  for (const args of [
    ["GET", "h"], ["SET", "h", "v", "GET"], ["GETSET", "h", "v"], ["GETDEL", "h"], ["GETEX", "h"],
    ["APPEND", "h", "x"], ["STRLEN", "h"], ["GETRANGE", "h", "0", "1"], ["SETRANGE", "h", "0", "x"],
    ["INCR", "h"], ["INCRBYFLOAT", "h", "1"], ["CAS", "h", "a", "b"],
  ]) {
    assert.deepEqual(run(...args), WRONGTYPE, args.join(" "));
  }
  assert.equal(run("TYPE", "h"), "hash");
  assert.deepEqual(run("MGET", "h", "nokey"), [null, null]);
  assert.equal(run("SETNX", "h", "v"), 0);
  assert.equal(run("SET", "h", "v"), "OK");
  assert.equal(run("TYPE", "h"), "string");
});

test("GETEX sets, replaces or removes the TTL; a missing key wins over a bad time", () => {
  const { h, run } = harness();
  run("SET", "k", "v");
  assert.equal(run("GETEX", "k"), "v");
  assert.equal(run("GETEX", "k", "EX", "100"), "v");
  assert.equal(run("TTL", "k"), 100);
  assert.equal(run("GETEX", "k", "PERSIST"), "v");
  assert.equal(run("TTL", "k"), -1);
  assert.deepEqual(run("GETEX", "k", "EX", "0"), { error: "ERR invalid expire time in 'getex' command" });
  assert.equal(run("GETEX", "nokey", "EX", "0"), null);
  for (const bad of [["PX", "100", "EX", "10"], ["PERSIST", "EX", "10"], ["KEEPTTL"], ["NX"], ["EX"]]) {
    assert.deepEqual(run("GETEX", "k", ...bad), SYNTAX, bad.join(" "));
  }
  assert.equal(run("GETEX", "k", "PXAT", String(h.nowMs + 10)), "v");
  assert.equal(run("PTTL", "k"), 10);
  assert.equal(run("GETEX", "k", "EXAT", "1"), "v");
  assert.equal(run("EXISTS", "k"), 0);
});

test("MGET, MSET, MSETNX", () => {
  const { run } = harness();
  assert.equal(run("MSET", "a", "1", "b", "2", "a", "3"), "OK");
  assert.deepEqual(run("MSET", "a", "1", "b"), { error: "ERR wrong number of arguments for 'mset' command" });
  assert.deepEqual(run("MGET", "a", "b", "nokey"), ["3", "2", null]);
  assert.equal(run("MSETNX", "a", "1", "d", "4"), 0);
  assert.equal(run("EXISTS", "d"), 0);
  assert.equal(run("MSETNX", "d", "4", "e", "5"), 1);
  assert.deepEqual(run("MSETNX", "d", "4", "e"), { error: "ERR wrong number of arguments for 'msetnx' command" });
  assert.deepEqual(run("MGET", "d", "e"), ["4", "5"]);
});

test("APPEND, STRLEN, GETRANGE/SUBSTR with Redis's index rules, SETRANGE with its limit", () => {
  const { h, run } = harness();
  assert.equal(run("APPEND", "s", "hello"), 5);
  run("EXPIRE", "s", "100");
  assert.equal(run("APPEND", "s", " world"), 11);
  assert.equal(run("TTL", "s"), 100, "APPEND keeps the TTL");
  assert.equal(run("STRLEN", "s"), 11);
  assert.equal(run("STRLEN", "nokey"), 0);
  assert.equal(run("GETRANGE", "s", "0", "4"), "hello");
  assert.equal(run("GETRANGE", "s", "-5", "-1"), "world");
  assert.equal(run("GETRANGE", "s", "-1", "-5"), "");
  assert.equal(run("GETRANGE", "s", "5", "2"), "");
  assert.equal(run("GETRANGE", "s", "0", "100"), "hello world");
  assert.equal(run("GETRANGE", "s", "-100", "2"), "hel");
  assert.equal(run("GETRANGE", "s", "9223372036854775807", "-9223372036854775808"), "");
  assert.deepEqual(run("GETRANGE", "s", "x", "1"), NOT_INTEGER);
  assert.equal(run("GETRANGE", "nokey", "0", "1"), "");
  assert.equal(run("SUBSTR", "s", "0", "2"), "hel");
  assert.equal(run("SETRANGE", "r", "5", "x"), 6);
  assert.equal(run("GET", "r"), "\0\0\0\0\0x");
  assert.equal(run("SETRANGE", "r", "0", "abc"), 6);
  assert.equal(run("GET", "r"), "abc\0\0x");
  assert.deepEqual(run("SETRANGE", "r", "-1", "x"), { error: "ERR offset is out of range" });
  assert.equal(run("SETRANGE", "r", "1", ""), 6);
  assert.equal(run("SETRANGE", "nor", "1", ""), 0);
  assert.equal(run("EXISTS", "nor"), 0);
  const tooLong = { error: "ERR string exceeds maximum allowed size (proto-max-bulk-len)" };
  assert.deepEqual(run("SETRANGE", "r", "536870912", "x"), tooLong);
  assert.deepEqual(run("SETRANGE", "r", "536870911", "x1"), tooLong);
  assert.equal(h.machine.engine.keyspace.db(0).size, 2);
});

test("INCR/DECR/INCRBY/DECRBY: 64-bit, string2ll's strictness, overflow errors, TTL kept", () => {
  const { run } = harness();
  assert.equal(run("INCR", "i"), 1);
  assert.equal(run("INCRBY", "i", "10"), 11);
  assert.equal(run("DECR", "i"), 10);
  assert.equal(run("DECRBY", "i", "100"), -90);
  run("EXPIRE", "i", "100");
  assert.equal(run("INCR", "i"), -89);
  assert.equal(run("TTL", "i"), 100);
  assert.deepEqual(run("INCRBY", "i", "abc"), NOT_INTEGER);
  run("SET", "i", "1");
  assert.deepEqual(run("INCRBY", "i", "9223372036854775807"), { error: "ERR increment or decrement would overflow" });
  assert.deepEqual(run("DECRBY", "i", "-9223372036854775808"), { error: "ERR decrement would overflow" });
  run("SET", "i", "9223372036854775807");
  assert.deepEqual(run("INCR", "i"), { error: "ERR increment or decrement would overflow" });
  for (const bad of ["-0", "007", " 7", "+7", "12345678901234567890", "1.0", ""]) {
    run("SET", "i", bad);
    assert.deepEqual(run("INCR", "i"), NOT_INTEGER, JSON.stringify(bad));
  }
});

test("INCRBYFLOAT adds in long double and prints %.17Lf trimmed, as Redis on x86-64", () => {
  const { run } = harness();
  run("SET", "f", "10.5");
  assert.equal(run("INCRBYFLOAT", "f", "0.1"), "10.6");
  assert.equal(run("INCRBYFLOAT", "f", "-5"), "5.6");
  // Redis's own answer: 5.6 as a long double plus 1000 is not the long double nearest 1005.6.
  assert.equal(run("INCRBYFLOAT", "f", "1e3"), "1005.59999999999999998");
  run("SET", "f", "5.0e3");
  assert.equal(run("INCRBYFLOAT", "f", "2.0e2"), "5200");
  const steps: [string, string][] = [
    ["3.0", "3"], ["1.1", "4.1"], ["1.1", "5.2"], ["1.1", "6.3"], [".5", "6.8"], ["5.", "11.8"],
    ["1e-20", "11.8"], ["-12.3000000000000007", "-0.5000000000000007"], ["0x10", "15.4999999999999993"],
  ];
  for (const [delta, sum] of steps) assert.equal(run("INCRBYFLOAT", "nf", delta), sum, delta);
  assert.equal(run("INCRBYFLOAT", "z", "0.1"), "0.1");
  assert.equal(run("INCRBYFLOAT", "z", "0.2"), "0.3");
  assert.equal(run("INCRBYFLOAT", "z", "-0.3"), "0");
  assert.equal(run("INCRBYFLOAT", "z2", "-0.0"), "0");
  // Long doubles carry 64 bits: Redis prints the nearest one exactly, every digit.
  assert.equal(run("INCRBYFLOAT", "big", "123456789012345678901234567890"), "123456789012345678899921813504");
  assert.equal(run("INCRBYFLOAT", "pi", "3.14159265358979323846"), "3.14159265358979324");
  const huge = run("INCRBYFLOAT", "huge", "1.7976931348623157e308") as string;
  assert.match(huge, /^179769313486231569995921046774[0-9]{279}$/);
  for (const bad of ["abc", "nan", "1e5000", "1e-5000", " 1", "1 ", ""]) {
    assert.deepEqual(run("INCRBYFLOAT", "nf", bad), NOT_FLOAT, JSON.stringify(bad));
  }
  const nanOrInf = { error: "ERR increment would produce NaN or Infinity" };
  assert.deepEqual(run("INCRBYFLOAT", "nf", "inf"), nanOrInf);
  assert.deepEqual(run("INCRBYFLOAT", "nf", "-inf"), nanOrInf);
  run("SET", "s", "inf");
  assert.deepEqual(run("INCRBYFLOAT", "s", "1"), nanOrInf);
  run("SET", "s", "");
  assert.deepEqual(run("INCRBYFLOAT", "s", "1"), NOT_FLOAT);
  assert.equal(run("GET", "nf"), "15.4999999999999993");
});

test("CAS writes only over the expected value and clears the TTL", () => {
  const { run } = harness();
  run("SET", "reg", "1", "EX", "100");
  assert.equal(run("CAS", "reg", "2", "3"), 0);
  assert.equal(run("CAS", "reg", "1", "3"), 1);
  assert.equal(run("GET", "reg"), "3");
  assert.equal(run("TTL", "reg"), -1);
  assert.equal(run("CAS", "absent", "1", "2"), 0);
  assert.equal(run("EXISTS", "absent"), 0);
});

test("LCS: the subsequence, LEN, IDX ranges as Redis walks them, MINMATCHLEN, WITHMATCHLEN", () => {
  const { h, run } = harness();
  run("MSET", "k1", "ohmytext", "k2", "mynewtext");
  assert.equal(run("LCS", "k1", "k2"), "mytext");
  assert.equal(run("LCS", "k1", "k2", "LEN"), 6);
  assert.deepEqual(run("LCS", "k1", "k2", "IDX"),
    [["matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]]], ["len", 6]]);
  assert.deepEqual(run("LCS", "k1", "k2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
    [["matches", [[[4, 7], [5, 8], 4]]], ["len", 6]]);
  assert.equal(run("LCS", "k1", "nokey"), "");
  assert.deepEqual(run("LCS", "k1", "k2", "LEN", "IDX"),
    { error: "ERR If you want both the length and indexes, please just use IDX." });
  assert.deepEqual(run("LCS", "k1", "k2", "MINMATCHLEN"), SYNTAX);
  putHash(h, "h");
  assert.deepEqual(run("LCS", "k1", "h"), { error: "ERR The specified keys must contain string values" });
  run("SET", "long", "x".repeat(6000));
  assert.deepEqual(run("LCS", "long", "long"),
    { error: "ERR Insufficient memory, failed allocating transient memory for LCS" });
});
