/**
 * The list commands through the store machine (EngineHarness). Every expected reply is what
 * redis-server 7.0.15 answered for the same commands (RESP2 unless marked RESP3).
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
const OK = "+OK\r\n";
const WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value");

function harness(): { h: EngineHarness; run: (...args: string[]) => string } {
  const h = new EngineHarness();
  return { h, run: (...args) => respText(h.run(...args)) };
}

test("pushes return the length, pops take from either end, and the emptied list is gone", () => {
  const { h, run } = harness();
  assert.equal(run("RPUSH", "l", "a", "b", "c"), int(3));
  assert.equal(run("LPUSH", "l", "x", "y"), int(5));
  assert.equal(run("LRANGE", "l", "0", "-1"), bulks("y", "x", "a", "b", "c"));
  assert.equal(run("LPOP", "l"), bulkText("y"));
  assert.equal(run("RPOP", "l", "2"), bulks("c", "b"));
  assert.equal(run("LPOP", "l", "0"), "*0\r\n");
  assert.equal(run("LPOP", "l", "10"), bulks("x", "a"));
  assert.equal(h.machine.engine.keyspace.db(0).size, 0);
  assert.equal(h.machine.engine.keyspace.usedBytes, 0);
  assert.equal(run("LPOP", "l"), NIL);
  assert.equal(run("LPOP", "l", "2"), "*-1\r\n");
  assert.equal(respText(h.run("LPOP", "l", "2"), 3), "_\r\n");
  assert.equal(run("LPUSHX", "l", "a"), int(0));
  assert.equal(run("RPUSH", "l", "a"), int(1));
  assert.equal(run("RPUSHX", "l", "b", "c"), int(3));
});

test("pop counts: negative or not a number is out of range, a third argument is an arity error", () => {
  const { run } = harness();
  run("RPUSH", "l", "a");
  assert.equal(run("RPOP", "l", "-1"), err("ERR value is out of range, must be positive"));
  assert.equal(run("RPOP", "l", "x"), err("ERR value is out of range, must be positive"));
  assert.equal(run("LPOP", "l", "1", "2"), err("ERR wrong number of arguments for 'lpop' command"));
});

test("LRANGE, LINDEX and LSET take negative indexes; out of range is empty, nil or an error", () => {
  const { run } = harness();
  run("RPUSH", "l", "a", "b", "c", "d");
  assert.equal(run("LRANGE", "l", "-3", "100"), bulks("b", "c", "d"));
  assert.equal(run("LRANGE", "l", "3", "1"), "*0\r\n");
  assert.equal(run("LRANGE", "l", "x", "1"), err("ERR value is not an integer or out of range"));
  assert.equal(run("LINDEX", "l", "-1"), bulkText("d"));
  assert.equal(run("LINDEX", "l", "9"), NIL);
  assert.equal(run("LINDEX", "nokey", "x"), NIL);
  assert.equal(run("LSET", "l", "-4", "A"), OK);
  assert.equal(run("LINDEX", "l", "0"), bulkText("A"));
  assert.equal(run("LSET", "l", "4", "A"), err("ERR index out of range"));
  assert.equal(run("LSET", "nokey", "0", "A"), err("ERR no such key"));
  assert.equal(run("LSET", "nokey", "x", "A"), err("ERR no such key"));
});

test("LREM counts from the head, the tail or all; LTRIM keeps a range; LINSERT finds its pivot", () => {
  const { h, run } = harness();
  run("RPUSH", "l", "a", "b", "a", "c", "a");
  assert.equal(run("LREM", "l", "-1", "a"), int(1));
  assert.equal(run("LREM", "l", "1", "a"), int(1));
  assert.equal(run("LRANGE", "l", "0", "-1"), bulks("b", "a", "c"));
  assert.equal(run("LINSERT", "l", "BEFORE", "a", "new"), int(4));
  assert.equal(run("LINSERT", "l", "after", "c", "end"), int(5));
  assert.equal(run("LINSERT", "l", "after", "zz", "x"), int(-1));
  assert.equal(run("LINSERT", "l", "middle", "a", "x"), err("ERR syntax error"));
  assert.equal(run("LINSERT", "nokey", "before", "a", "x"), int(0));
  assert.equal(run("LTRIM", "l", "1", "-2"), OK);
  assert.equal(run("LRANGE", "l", "0", "-1"), bulks("new", "a", "c"));
  assert.equal(run("LREM", "l", "0", "zz"), int(0));
  assert.equal(run("LTRIM", "l", "5", "10"), OK);
  assert.equal(h.machine.engine.keyspace.db(0).size, 0);
});

test("LPOS: RANK, COUNT and MAXLEN with Redis's errors", () => {
  const { run } = harness();
  run("RPUSH", "l", "a", "b", "c", "b", "b");
  assert.equal(run("LPOS", "l", "b"), int(1));
  assert.equal(run("LPOS", "l", "b", "RANK", "-1"), int(4));
  assert.equal(run("LPOS", "l", "b", "RANK", "2", "COUNT", "0"), "*2\r\n:3\r\n:4\r\n");
  assert.equal(run("LPOS", "l", "b", "COUNT", "0", "MAXLEN", "4"), "*2\r\n:1\r\n:3\r\n");
  assert.equal(run("LPOS", "l", "z"), NIL);
  assert.equal(run("LPOS", "nokey", "z", "COUNT", "1"), "*0\r\n");
  assert.equal(run("LPOS", "l", "b", "RANK", "-9223372036854775808"), int(4));
  assert.equal(run("LPOS", "l", "b", "RANK", "0"), err("ERR RANK can't be zero: use 1 to start from the first match, "
    + "2 from the second ... or use negative to start from the end of the list"));
  assert.equal(run("LPOS", "l", "b", "COUNT", "-1"), err("ERR COUNT can't be negative"));
  assert.equal(run("LPOS", "l", "b", "MAXLEN", "x"), err("ERR MAXLEN can't be negative"));
  assert.equal(run("LPOS", "l", "b", "RANK"), err("ERR syntax error"));
});

test("LMOVE, RPOPLPUSH and LMPOP move between lists, rotate one list, and check types first", () => {
  const { run } = harness();
  run("RPUSH", "l", "1", "2", "3");
  assert.equal(run("LMOVE", "l", "d", "LEFT", "RIGHT"), bulkText("1"));
  assert.equal(run("LMOVE", "l", "l", "LEFT", "RIGHT"), bulkText("2"));
  assert.equal(run("LRANGE", "l", "0", "-1"), bulks("3", "2"));
  assert.equal(run("RPOPLPUSH", "l", "d"), bulkText("2"));
  assert.equal(run("LRANGE", "d", "0", "-1"), bulks("2", "1"));
  assert.equal(run("LMOVE", "l", "d", "UP", "LEFT"), err("ERR syntax error"));
  assert.equal(run("LMOVE", "nokey", "d", "LEFT", "LEFT"), NIL);
  run("SET", "s", "str");
  assert.equal(run("LMOVE", "d", "s", "LEFT", "LEFT"), WRONGTYPE);
  assert.equal(run("LRANGE", "d", "0", "-1"), bulks("2", "1"));
  assert.equal(run("LMOVE", "nokey", "s", "LEFT", "LEFT"), NIL);
  assert.equal(run("LMPOP", "2", "nokey", "d", "RIGHT", "COUNT", "5"), "*2\r\n$1\r\nd\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  assert.equal(run("LMPOP", "1", "d", "LEFT"), "*-1\r\n");
  assert.equal(run("LMPOP", "0", "d", "LEFT"), err("ERR numkeys should be greater than 0"));
  assert.equal(run("LMPOP", "3", "d", "LEFT"), err("ERR syntax error"));
  assert.equal(run("LMPOP", "1", "d", "LEFT", "COUNT", "0"), err("ERR count should be greater than 0"));
  assert.equal(run("LMPOP", "1", "s", "LEFT"), WRONGTYPE);
});

test("every list command answers WRONGTYPE for another type", () => {
  const { run } = harness();
  run("SET", "s", "str");
  for (const args of [
    ["LPUSH", "s", "a"], ["RPUSHX", "s", "a"], ["LPOP", "s"], ["LLEN", "s"], ["LRANGE", "s", "0", "1"],
    ["LINDEX", "s", "0"], ["LSET", "s", "0", "a"], ["LREM", "s", "0", "a"], ["LTRIM", "s", "0", "1"],
    ["LINSERT", "s", "before", "a", "b"], ["LPOS", "s", "a"], ["RPOPLPUSH", "s", "d"],
  ]) assert.equal(run(...args), WRONGTYPE, args.join(" "));
});

test("a list survives a snapshot round trip with its order, and memory is accounted", () => {
  const { h, run } = harness();
  run("RPUSH", "l", "a", "b");
  run("LPUSH", "l", "z");
  const before = h.machine.engine.keyspace.usedBytes;
  assert.ok(before > 0);
  run("RPUSH", "l", "0123456789");
  assert.equal(h.machine.engine.keyspace.usedBytes, before + 10 + 16);
  const copy = h.restarted();
  assert.equal(respText(copy.run("LRANGE", "l", "0", "-1")), bulks("z", "a", "b", "0123456789"));
  assert.equal(copy.machine.engine.keyspace.usedBytes, h.machine.engine.keyspace.usedBytes);
});
