/**
 * Redis's glob patterns at their odd corners; every expectation is what redis-server 7.0's KEYS
 * answered for the same keys and pattern.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { globMatch } from "./glob_match.js";

const KEYS = ["a\\", "a]", "a-", "ab", "a^", "a", "", "a*b", "aXb", "abc"];

const CASES: [pattern: string, matches: string[]][] = [
  ["a\\", ["a\\"]], // a trailing backslash is literal
  ["a\\\\", ["a\\"]],
  ["a[\\]]", ["a]"]],
  ["a[]", []],
  ["a[", []],
  ["a[^b]", ["a\\", "a]", "a-", "a^"]],
  ["a[b-]", ["a]", "ab", "a^"]], // the range b..']' reversed, then the class is unclosed
  ["a[-b]", ["a-", "ab"]],
  ["a[z-a]", ["ab"]],
  ["a\\*b", ["a*b"]],
  ["a*b", ["ab", "a*b", "aXb"]],
  ["?", ["a"]],
  ["a?*", ["a\\", "a]", "a-", "ab", "a^", "a*b", "aXb", "abc"]],
  ["[", []],
  ["a[\\\\]", ["a\\"]],
  ["a[^]", ["a\\", "a]", "a-", "ab", "a^"]],
  ["a[!b]", ["ab"]],
  ["**", ["a\\", "a]", "a-", "ab", "a^", "a", "a*b", "aXb", "abc"]], // "" matches no pattern but "*" (KEYS * skips matching)
];

test("globMatch agrees with Redis's stringmatchlen on escapes, classes, ranges and stars", () => {
  for (const [pattern, matches] of CASES) {
    assert.deepEqual(KEYS.filter((key) => globMatch(pattern, key)), matches, pattern);
  }
});

test("bytes above 0x7f compare as C's signed chars in ranges", () => {
  // [\x01-\xff]: 0xff is -1 as a signed char, so the range is -1..1 and 'a' is outside it.
  assert.equal(globMatch("[\x01-\xff]", "a"), false);
  assert.equal(globMatch("[\x01-\xff]", "\x00"), true);
  assert.equal(globMatch("[\x80-\xff]", "\xc0"), true);
});

test("a pattern of many stars fails fast instead of backtracking without end", () => {
  const pattern = `${"a*".repeat(40)}b`;
  assert.equal(globMatch(pattern, "a".repeat(60)), false);
});
