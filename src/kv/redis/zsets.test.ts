/**
 * The sorted-set commands through the store machine (EngineHarness). Every expected reply is
 * what redis-server 7.0.15 answered for the same commands, in RESP2 and, where the types
 * differ, RESP3.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EngineHarness } from "./testing/engine_harness.js";
import { respText } from "./testing/resp_text.js";

const int = (n: number): string => `:${n}\r\n`;
const bulkText = (s: string): string => `$${s.length}\r\n${s}\r\n`;
const bulks = (...items: string[]): string => `*${items.length}\r\n${items.map(bulkText).join("")}`;
const err = (text: string): string => `-${text}\r\n`;
const NIL = "$-1\r\n";
const WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value");

function harness(): { h: EngineHarness; run: (...args: string[]) => string; run3: (...args: string[]) => string } {
  const h = new EngineHarness();
  return { h, run: (...args) => respText(h.run(...args)), run3: (...args) => respText(h.run(...args), 3) };
}

test("ZADD options: NX, XX, GT, LT, CH and INCR, with Redis's incompatibility errors", () => {
  const { run, run3 } = harness();
  assert.equal(run("ZADD", "z", "1", "a", "2", "b"), int(2));
  assert.equal(run("ZADD", "z", "NX", "5", "a", "3", "c"), int(1));
  assert.equal(run("ZADD", "z", "XX", "CH", "5", "a", "9", "new"), int(1));
  assert.equal(run("ZADD", "z", "GT", "CH", "4", "a", "3", "b", "7", "d"), int(2));
  assert.equal(run("ZADD", "z", "LT", "CH", "6", "a", "0", "b"), int(1));
  assert.equal(run("ZADD", "z", "INCR", "1.5", "b"), bulkText("1.5"));
  assert.equal(run3("ZADD", "z", "INCR", "1", "b"), ",2.5\r\n");
  assert.equal(run("ZADD", "z", "NX", "INCR", "1", "b"), NIL);
  assert.equal(run("ZADD", "z", "GT", "INCR", "-1", "b"), NIL);
  assert.equal(run("ZADD", "z", "XX", "INCR", "1", "zz"), NIL);
  assert.equal(run("ZADD", "nokey", "XX", "1", "a"), int(0));
  assert.equal(run("ZADD", "z", "NX", "XX", "1", "a"), err("ERR XX and NX options at the same time are not compatible"));
  assert.equal(run("ZADD", "z", "GT", "LT", "1", "a"), err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  assert.equal(run("ZADD", "z", "GT", "NX", "1", "a"), err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  assert.equal(run("ZADD", "z", "INCR", "1", "a", "2", "b"), err("ERR INCR option supports a single increment-element pair"));
  assert.equal(run("ZADD", "z", "XX", "NX", "1", "a", "2"), err("ERR syntax error"));
  assert.equal(run("ZADD", "z", "NX", "1"), err("ERR syntax error"));
  for (const bad of ["nan", "1e400", " 1", "abc", ""]) {
    assert.equal(run("ZADD", "z", bad, "x"), err("ERR value is not a valid float"), bad);
  }
  assert.equal(run("ZRANGE", "z", "0", "-1", "WITHSCORES"), bulks("b", "2.5", "c", "3", "a", "5", "d", "7"));
});

test("ZINCRBY, ZSCORE and ZMSCORE answer doubles in RESP3 and %.17g text in RESP2", () => {
  const { run, run3 } = harness();
  assert.equal(run("ZINCRBY", "z", "1.1", "a"), bulkText("1.1000000000000001"));
  assert.equal(run3("ZSCORE", "z", "a"), ",1.1000000000000001\r\n");
  assert.equal(run("ZINCRBY", "z", "+inf", "a"), bulkText("inf"));
  assert.equal(run("ZINCRBY", "z", "-inf", "a"), err("ERR resulting score is not a number (NaN)"));
  assert.equal(run("ZINCRBY", "z", "x", "a"), err("ERR value is not a valid float"));
  assert.equal(run("ZSCORE", "z", "nope"), NIL);
  assert.equal(run3("ZSCORE", "z", "nope"), "_\r\n");
  assert.equal(run("ZMSCORE", "z", "a", "nope"), "*2\r\n$3\r\ninf\r\n$-1\r\n");
  assert.equal(run3("ZMSCORE", "z", "a", "nope"), "*2\r\n,inf\r\n_\r\n");
  assert.equal(run("ZADD", "z", "-0", "zero"), int(1));
  assert.equal(run("ZSCORE", "z", "zero"), bulkText("0"));
});

test("ZRANGE by rank, score and lex, reversed, limited, with scores as RESP3 pairs", () => {
  const { run, run3 } = harness();
  run("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d");
  assert.equal(run("ZRANGE", "z", "1", "-2"), bulks("b", "c"));
  assert.equal(run("ZRANGE", "z", "0", "1", "REV", "WITHSCORES"), bulks("d", "4", "c", "3"));
  assert.equal(run3("ZRANGE", "z", "0", "1", "REV", "WITHSCORES"), "*2\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\nc\r\n,3\r\n");
  assert.equal(run("ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", "1", "2"), bulks("c", "d"));
  assert.equal(run("ZRANGE", "z", "+inf", "(1", "BYSCORE", "REV", "LIMIT", "0", "1"), bulks("d"));
  assert.equal(run("ZRANGEBYSCORE", "z", "-inf", "2", "WITHSCORES"), bulks("a", "1", "b", "2"));
  assert.equal(run("ZREVRANGEBYSCORE", "z", "3", "(1"), bulks("c", "b"));
  assert.equal(run("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"), "*0\r\n");
  assert.equal(run("ZREVRANGE", "z", "0", "0"), bulks("d"));
  assert.equal(run("ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"),
    err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"));
  assert.equal(run("ZRANGE", "z", "0", "-1", "LIMIT", "0", "-1"), bulks("a", "b", "c", "d"));
  assert.equal(run("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"),
    err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  assert.equal(run("ZRANGE", "z", "x", "y", "BYSCORE"), err("ERR min or max is not a float"));
  assert.equal(run("ZRANGE", "z", "a", "b", "BYLEX"), err("ERR min or max not valid string range item"));
  assert.equal(run("ZRANGE", "z", "0", "-1", "BYSCORE", "BYLEX"), err("ERR syntax error"));
  assert.equal(run("ZREVRANGE", "z", "0", "2", "BYSCORE"), err("ERR syntax error"));
  assert.equal(run("ZRANGE", "nokey", "0", "-1"), "*0\r\n");
  run("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d");
  assert.equal(run("ZRANGEBYLEX", "l", "[b", "(d"), bulks("b", "c"));
  assert.equal(run("ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", "1", "2"), bulks("c", "b"));
  assert.equal(run("ZLEXCOUNT", "l", "(a", "+"), int(3));
  assert.equal(run("ZCOUNT", "z", "(1", "3"), int(2));
  assert.equal(run("ZCOUNT", "z", "", ""), int(0));
  assert.equal(run("ZCOUNT", "z", "x", "1"), err("ERR min or max is not a float"));
});

test("ZRANK, ZREVRANK (with 7.2's WITHSCORE), ZCARD and ZREM; the emptied set is gone", () => {
  const { h, run, run3 } = harness();
  run("ZADD", "z", "1", "a", "2", "b");
  assert.equal(run("ZRANK", "z", "b"), int(1));
  assert.equal(run("ZREVRANK", "z", "b"), int(0));
  assert.equal(run3("ZRANK", "z", "b", "WITHSCORE"), "*2\r\n:1\r\n,2\r\n");
  assert.equal(run("ZRANK", "z", "nope", "WITHSCORE"), "*-1\r\n");
  assert.equal(run("ZRANK", "z", "nope"), NIL);
  assert.equal(run("ZCARD", "z"), int(2));
  assert.equal(run("ZREM", "z", "a", "nope", "b"), int(2));
  assert.equal(h.machine.engine.keyspace.db(0).size, 0);
  assert.equal(h.machine.engine.keyspace.usedBytes, 0);
});

test("ZPOPMIN/ZPOPMAX: a flat pair without a count, RESP3 pairs with one; ZMPOP; ZREMRANGEBY*", () => {
  const { run, run3 } = harness();
  run("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
  assert.equal(run3("ZPOPMIN", "z"), "*2\r\n$1\r\na\r\n,1\r\n");
  assert.equal(run3("ZPOPMAX", "z", "1"), "*1\r\n*2\r\n$1\r\ne\r\n,5\r\n");
  assert.equal(run("ZPOPMAX", "z", "-1"), err("ERR value is out of range, must be positive"));
  assert.equal(run("ZPOPMIN", "nokey", "3"), "*0\r\n");
  assert.equal(run("ZMPOP", "2", "nokey", "z", "MIN", "COUNT", "1"), "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  assert.equal(run("ZMPOP", "1", "nokey", "MIN"), "*-1\r\n");
  assert.equal(run("ZMPOP", "0", "nokey", "MIN"), err("ERR numkeys should be greater than 0"));
  run("ZADD", "z", "10", "x", "20", "y");
  assert.equal(run("ZREMRANGEBYSCORE", "z", "(3", "10"), int(2));
  assert.equal(run("ZREMRANGEBYRANK", "z", "-1", "-1"), int(1));
  assert.equal(run("ZREMRANGEBYLEX", "z", "-", "+"), int(1));
  assert.equal(run("ZCARD", "z"), int(0));
  run("SET", "s", "v");
  assert.equal(run("ZPOPMIN", "s", "0"), WRONGTYPE);
});

test("ZUNIONSTORE, ZINTERSTORE (WEIGHTS, AGGREGATE), ZRANGESTORE, ZDIFF and plain-set inputs", () => {
  const { h, run } = harness();
  run("ZADD", "u1", "1", "a", "2", "b", "3", "c");
  run("ZADD", "u2", "10", "b", "20", "c", "30", "d");
  assert.equal(run("ZUNIONSTORE", "out", "2", "u1", "u2"), int(4));
  assert.equal(run("ZRANGE", "out", "0", "-1", "WITHSCORES"), bulks("a", "1", "b", "12", "c", "23", "d", "30"));
  assert.equal(run("ZUNIONSTORE", "out", "2", "u1", "u2", "WEIGHTS", "2", "0.5", "AGGREGATE", "MAX"), int(4));
  assert.equal(run("ZRANGE", "out", "0", "-1", "WITHSCORES"), bulks("a", "2", "b", "5", "c", "10", "d", "15"));
  assert.equal(run("ZINTERSTORE", "out", "2", "u1", "u2", "AGGREGATE", "MIN"), int(2));
  assert.equal(run("ZRANGE", "out", "0", "-1", "WITHSCORES"), bulks("b", "2", "c", "3"));
  assert.equal(run("ZINTERSTORE", "out", "2", "u1", "nokey"), int(0));
  assert.equal(run("ZCARD", "out"), int(0));
  assert.equal(run("ZUNIONSTORE", "out", "0", "u1"), err("ERR at least 1 input key is needed for 'zunionstore' command"));
  assert.equal(run("ZUNIONSTORE", "out", "3", "u1", "u2"), err("ERR syntax error"));
  assert.equal(run("ZUNIONSTORE", "out", "2", "u1", "u2", "WEIGHTS", "1", "x"), err("ERR weight value is not a float"));
  assert.equal(run("ZUNIONSTORE", "out", "2", "u1", "u2", "AGGREGATE", "AVG"), err("ERR syntax error"));
  assert.equal(run("ZUNIONSTORE", "out", "2", "u1", "u2", "WITHSCORES"), err("ERR syntax error"));
  assert.equal(run("ZDIFF", "2", "u1", "u2", "WITHSCORES"), bulks("a", "1"));
  assert.equal(run("ZINTERCARD", "2", "u1", "u2", "LIMIT", "1"), int(1));
  run("ZADD", "i1", "+inf", "a");
  run("ZADD", "i2", "-inf", "a");
  assert.equal(run("ZUNIONSTORE", "out", "2", "i1", "i2"), int(1));
  assert.equal(run("ZSCORE", "out", "a"), bulkText("0"));
  assert.equal(run("ZRANGESTORE", "dst", "u2", "(10", "+inf", "BYSCORE"), int(2));
  assert.equal(run("ZRANGE", "dst", "0", "-1"), bulks("c", "d"));
  assert.equal(run("ZRANGESTORE", "dst", "nokey", "0", "-1"), int(0));
  assert.equal(run("ZCARD", "dst"), int(0));
  // A plain set counts as a sorted set whose members all score 1 (no SADD needed here).
  h.machine.engine.keyspace.db(0).put("st", { type: "set", value: new Set(["a", "x"]) }, h.index, null);
  assert.equal(run("ZUNIONSTORE", "out", "2", "u1", "st"), int(4));
  assert.equal(run("ZRANGE", "out", "0", "-1", "WITHSCORES"), bulks("x", "1", "a", "2", "b", "2", "c", "3"));
  run("SET", "s", "v");
  assert.equal(run("ZUNIONSTORE", "out", "2", "u1", "s"), WRONGTYPE);
});

test("ZRANDMEMBER and ZSCAN: whole small sets as Redis returns them; errors as Redis's", () => {
  const { run, run3 } = harness();
  run("ZADD", "z", "1", "a", "2", "b", "3", "c");
  assert.equal(run("ZRANDMEMBER", "z", "10"), bulks("c", "b", "a"));
  assert.equal(run3("ZRANDMEMBER", "z", "10", "WITHSCORES"),
    "*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n");
  assert.equal(run("ZRANDMEMBER", "z", "-5").split("\r\n")[0], "*5");
  assert.equal(run("ZRANDMEMBER", "z", "2").split("\r\n")[0], "*2");
  assert.equal(run("ZRANDMEMBER", "nokey"), NIL);
  assert.equal(run("ZRANDMEMBER", "z", "1", "WITHSCORE"), err("ERR syntax error"));
  assert.equal(run("ZRANDMEMBER", "z", "-9223372036854775808"),
    err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"));
  assert.equal(run("ZRANDMEMBER", "z", "9223372036854775807"), bulks("c", "b", "a"));
  // raftkv's own bound (Redis would try to send them all).
  assert.match(run("ZRANDMEMBER", "z", "-1000001"), /^-ERR count is out of range/);
  assert.equal(run("ZSCAN", "z", "0"), "*2\r\n$1\r\n0\r\n" + bulks("a", "1", "b", "2", "c", "3"));
  assert.equal(run("ZSCAN", "z", "0", "MATCH", "[ab]"), "*2\r\n$1\r\n0\r\n" + bulks("a", "1", "b", "2"));
  assert.equal(run("ZSCAN", "z", "x"), err("ERR invalid cursor"));
  assert.equal(run("ZSCAN", "z", "0", "COUNT", "0"), err("ERR syntax error"));
  assert.equal(run("ZSCAN", "nokey", "0", "COUNT", "0"), "*2\r\n$1\r\n0\r\n*0\r\n");
});

function scanAll(run: (...args: string[]) => string, between: (page: number) => void): { seen: Set<string>; pages: number } {
  const seen = new Set<string>();
  let cursor = "0";
  let pages = 0;
  do {
    const reply = run("ZSCAN", "big", cursor, "COUNT", "50").split("\r\n");
    cursor = reply[2] ?? "0";
    for (let i = 5; i < reply.length; i += 4) if (reply[i] !== undefined && reply[i] !== "") seen.add(reply[i] as string);
    between(++pages);
  } while (cursor !== "0" && pages < 100);
  return { seen, pages };
}

test("ZSCAN walks a large set in pages, and returns every member present throughout the walk", () => {
  const { run } = harness();
  const members: string[] = [];
  for (let i = 0; i < 300; i++) members.push(String(i), `m${i}`);
  run("ZADD", "big", ...members);
  const whole = scanAll(run, () => undefined);
  assert.equal(whole.pages, 6);
  assert.equal(whole.seen.size, 300);
  // Members m0..m99 are deleted and n0..n99 added while the walk runs: m100..m299 must all come back.
  const changing = scanAll(run, (page) => {
    for (let i = (page - 1) * 20; i < page * 20 && i < 100; i++) {
      run("ZREM", "big", `m${i}`);
      run("ZADD", "big", "1", `n${i}`);
    }
  });
  for (let i = 100; i < 300; i++) assert.ok(changing.seen.has(`m${i}`), `m${i}`);
});

test("every sorted-set command answers WRONGTYPE for another type; a set survives a snapshot", () => {
  const { h, run } = harness();
  run("SET", "s", "str");
  for (const args of [
    ["ZADD", "s", "1", "a"], ["ZINCRBY", "s", "1", "a"], ["ZREM", "s", "a"], ["ZCARD", "s"], ["ZSCORE", "s", "a"],
    ["ZMSCORE", "s", "a"], ["ZRANK", "s", "a"], ["ZCOUNT", "s", "0", "1"], ["ZRANGE", "s", "0", "1"],
    ["ZRANGESTORE", "d", "s", "0", "1"], ["ZREMRANGEBYRANK", "s", "0", "1"], ["ZPOPMIN", "s"],
    ["ZRANDMEMBER", "s"], ["ZSCAN", "s", "0"], ["ZLEXCOUNT", "s", "-", "+"],
  ]) assert.equal(run(...args), WRONGTYPE, args.join(" "));
  run("ZADD", "z", "-inf", "low", "1.5", "mid", "+inf", "high");
  const copy = h.restarted();
  assert.equal(respText(copy.run("ZRANGE", "z", "0", "-1", "WITHSCORES")), bulks("low", "-inf", "mid", "1.5", "high", "inf"));
  assert.equal(copy.machine.engine.keyspace.usedBytes, h.machine.engine.keyspace.usedBytes);
});

test("lex ranges over members of different scores answer what Redis's listpack walk finds", () => {
  // Unspecified by Redis's documentation, but a replica must not answer otherwise than Redis:
  // members in score order e, 10, a, f, b (redis-server 7.0.15's answers below).
  const { run } = harness();
  assert.equal(run("ZADD", "z", "1", "e", "2", "10", "3", "a", "4", "f", "5", "b"), int(5));
  assert.equal(run("ZRANGEBYLEX", "z", "[a", "+"), bulks("e", "10", "a", "f", "b"));
  assert.equal(run("ZREVRANGEBYLEX", "z", "+", "[a"), bulks("b", "f", "a"));
  assert.equal(run("ZLEXCOUNT", "z", "[a", "+"), int(5));
  assert.equal(run("ZRANGEBYLEX", "z", "(b", "(e"), bulks());
  assert.equal(run("ZRANGEBYLEX", "z", "-", "(e"), bulks());
  assert.equal(run("ZRANGEBYLEX", "z", "[c", "[z"), bulks());
});
