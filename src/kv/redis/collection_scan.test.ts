/**
 * HSCAN/SSCAN's pieces: Redis's cursor parsing and glob matcher (each case checked against
 * redis-server 7.0.15), and pages that cover every element exactly once for any COUNT.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CommandError } from "./command.js";
import { globMatch, parseCursor, scanPage } from "./collection_scan.js";

test("cursors read as strtoul: sign, wrap-around, empty is 0; anything else is invalid", () => {
  const cursor = (text: string): bigint => parseCursor(Buffer.from(text));
  assert.equal(cursor(""), 0n);
  assert.equal(cursor("+7"), 7n);
  assert.equal(cursor("-1"), 2n ** 64n - 1n);
  assert.equal(cursor("18446744073709551615"), 2n ** 64n - 1n);
  for (const bad of ["x", " 0", "0 ", "18446744073709551616", "+", "1.5"]) {
    assert.throws(() => cursor(bad), CommandError, bad);
  }
});

test("glob patterns match as Redis's stringmatchlen (MATCH \"*\" itself is no pattern)", () => {
  const cases: [string, string, boolean][] = [
    ["a*", "abc", true], ["a*", "b", false], ["*", "", false], ["a?c", "abc", true], ["a\\*c", "a*c", true],
    ["a\\*c", "abc", false], ["[ab]", "b", true], ["[^ab]", "b", false], ["[c-a]*", "b", true],
    ["[", "[", false], ["[a", "a", true], ["[]]", "]", false], ["[\\]]", "]", true], ["a\\", "a\\", true],
    ["h*llo", "heeello", true], ["h[^e]llo", "hallo", true], ["[a-]", "-", false], ["[a-]", "a", true],
    ["[^]", "^", true], ["[^]", "x", true], ["**", "", false], ["[]", "]", false], ["a[", "a[", false],
    // Ranges compare C's signed chars: 0x80 is -128.
    ["[\x80-~]", "a", true], ["[~-\x80]", "a", true], ["[\x80-~]", "\x81", true], ["[a-~]", "\x80", false],
    ["*?", "", false], ["??", "ab", true],
    ["[a-c", "b", true],
  ];
  for (const [pattern, text, expected] of cases) {
    assert.equal(globMatch(pattern, text), expected, `${pattern} ~ ${text}`);
  }
});

test("pages cover every element once, whatever COUNT, and a small collection answers at once", () => {
  const elements = Array.from({ length: 1000 }, (_, i) => `e${i}`);
  for (const count of [1, 7, 100, 999]) {
    const seen: string[] = [];
    let cursor = 0n;
    let calls = 0;
    do {
      const page = scanPage({ values: elements, size: elements.length }, { cursor, count, compact: false });
      assert.equal(page.visited.length >= 1 && page.visited.length <= count + 2, true, `count ${count}`);
      seen.push(...page.visited);
      cursor = BigInt(page.next);
      calls++;
    } while (cursor !== 0n && calls <= 2000);
    assert.deepEqual([...seen].sort(), [...elements].sort(), `count ${count}`);
  }
  assert.deepEqual(scanPage({ values: ["b", "a"], size: 2 }, { cursor: 0n, count: 10, compact: false }), { next: "0", visited: ["b", "a"] });
  assert.deepEqual(scanPage({ values: elements, size: 1000 }, { cursor: 0n, count: 1, compact: true }).visited.length, 1000);
});
