/**
 * Score text as Redis 7.0.15 writes and reads it (every expected string below is what
 * redis-server answered).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CommandError } from "./command.js";
import { formatScore, scoreArg, scoreRangeArg, scoreText } from "./score.js";

const b = (s: string): Uint8Array => Buffer.from(s, "latin1");

test("scores are written as addReplyDouble's %.17g", () => {
  const cases: [number, string][] = [
    [1.1, "1.1000000000000001"], [2, "2"], [0, "0"], [Infinity, "inf"], [-Infinity, "-inf"],
    [1e300, "1.0000000000000001e+300"], [Number("123456789012345678"), "1.2345678901234568e+17"],
    [1.5e-7, "1.4999999999999999e-07"], [0.000123, "0.00012300000000000001"], [12345678.9, "12345678.9"],
    [-2.5e-300, "-2.5e-300"], [1e16, "10000000000000000"], [1e17, "1e+17"], [0.1, "0.10000000000000001"],
  ];
  for (const [score, text] of cases) assert.equal(formatScore(score), text, String(score));
});

test("ZSCAN's score text is d2string: integers up to 2^62 in integer form", () => {
  assert.equal(scoreText(1e17), "100000000000000000");
  assert.equal(scoreText(Number("9007199254740993")), "9007199254740992");
  assert.equal(scoreText(2 ** 63), "9.2233720368547758e+18");
  assert.equal(scoreText(1.1), "1.1000000000000001");
  assert.equal(scoreText(0), "0");
});

test("score arguments read as Redis's strtod checks: whole text, no NaN, no overflow", () => {
  assert.equal(scoreArg(b("1.5")), 1.5);
  assert.equal(scoreArg(b("+inf")), Infinity);
  assert.equal(scoreArg(b("-Infinity")), -Infinity);
  assert.equal(scoreArg(b("0x10")), 16);
  assert.equal(scoreArg(b(".5e1")), 5);
  assert.ok(Object.is(scoreArg(b("-0")), 0));
  for (const bad of ["", " 1", "1 ", "abc", "nan", "1e400", "1e-400", "1.2.3", "inf1"]) {
    assert.throws(() => scoreArg(b(bad)), CommandError, bad);
  }
});

test("range items: '(' is exclusive, an empty item reads as 0, a bad one is 'min or max is not a float'", () => {
  assert.deepEqual(scoreRangeArg(b("(1"), b("+inf")), { min: 1, max: Infinity, minExclusive: true, maxExclusive: false });
  assert.deepEqual(scoreRangeArg(b(""), b("")), { min: 0, max: 0, minExclusive: false, maxExclusive: false });
  assert.throws(() => scoreRangeArg(b("x"), b("1")), /min or max is not a float/);
  assert.throws(() => scoreRangeArg(b("1"), b("(nan")), /min or max is not a float/);
});
