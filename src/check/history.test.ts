import { test } from "node:test";
import assert from "node:assert/strict";
import { formatHistory, HistoryFormatError, parseHistory, type HistoryEvent } from "./history.js";

const sample = [
  `{"process": 0, "type": "invoke", "f": "write", "key": "x", "value": 17, "time": 1000}`,
  `{"process": 0, "type": "ok", "f": "write", "key": "x", "value": 17, "time": 2500, "node": "n1"}`,
  `{"process": "nemesis", "type": "info", "f": "start-partition", "value": "all", "time": 2600}`,
  `{"process": 1, "type": "invoke", "f": "read",  "key": "x", "value": null, "time": 3000}`,
  `{"process": 1, "type": "ok",     "f": "read",  "key": "x", "value": 17, "time": 3900}`,
  `{"process": 2, "type": "invoke", "f": "cas",   "key": "x", "value": [17, 18], "time": 4000}`,
  `{"process": 2, "type": "info",   "f": "cas",   "key": "x", "value": [17, 18], "time": 9000}`,
].join("\n");

function parseError(text: string): HistoryFormatError {
  try {
    parseHistory(text);
  } catch (error: unknown) {
    if (error instanceof HistoryFormatError) return error;
    throw error;
  }
  assert.fail(`expected a HistoryFormatError for ${text}`);
}

test("parses the documented example and keeps extra fields", () => {
  const events = parseHistory(sample + "\n");
  assert.equal(events.length, 7);
  const expected = { process: 0, type: "ok", f: "write", key: "x", value: 17, time: 2500 };
  assert.deepEqual(events[1], { ...expected, node: "n1" });
  assert.equal(events[2]?.process, "nemesis");
});

test("formatHistory writes one line per event and parses back to the same events", () => {
  const events = parseHistory(sample);
  const text = formatHistory(events);
  assert.ok(text.endsWith("}\n"));
  assert.equal(text.split("\n").length, events.length + 1);
  assert.deepEqual(parseHistory(text), events);
  assert.equal(formatHistory([]), "");
});

test("names the 1-based line of a malformed event, counting blank lines", () => {
  const error = parseError(`${sample}\n\n{"process": 3, "type": "invoke"`);
  assert.equal(error.code, "HISTORY_FORMAT");
  assert.equal(error.line, 9);
  assert.match(error.message, /^History line 9: not valid JSON/);
});

test("rejects missing or mistyped fields", () => {
  const cases: readonly (readonly [string, RegExp])[] = [
    [`[1, 2]`, /expected a JSON object/],
    [`{"process": "p1", "type": "invoke", "f": "read", "key": "x", "time": 1}`, /"process" must/],
    [`{"process": 1, "type": "done", "f": "read", "key": "x", "time": 1}`, /"type" must be invoke/],
    [`{"process": 1, "type": "invoke", "f": "read", "key": "x"}`, /"time" must be a finite number/],
    [`{"process": 1, "type": "invoke", "f": "read", "key": 3, "time": 1}`, /"key" must be/],
    [`{"process": 1, "type": "invoke", "f": "read", "time": 1}`, /needs a string "key"/],
    [`{"process": 1, "type": "invoke", "f": "cas", "key": "x", "value": 3, "time": 1}`, /from, to/],
    [`{"process": 1, "type": "invoke", "f": "write", "key": "x", "time": 1}`, /needs a "value"/],
  ];
  for (const [line, pattern] of cases) {
    const error = parseError(line);
    assert.equal(error.line, 1);
    assert.match(error.reason, pattern);
  }
});

test("rejects a process with two invocations open, naming both lines", () => {
  const text = `${sample}\n` +
    `{"process": 1, "type": "invoke", "f": "read", "key": "x", "time": 9100}\n` +
    `{"process": 1, "type": "invoke", "f": "write", "key": "x", "value": 3, "time": 9200}`;
  const error = parseError(text);
  assert.equal(error.line, 9);
  assert.match(error.reason, /process 1 invoked write while its read from line 8 is still open/);
});

test("rejects a completion with no invocation, or one that does not match it", () => {
  const orphan = `{"process": 4, "type": "ok", "f": "read", "key": "x", "value": 1, "time": 1}`;
  assert.match(parseError(orphan).reason, /has no open invocation/);
  const mismatched = `{"process": 4, "type": "invoke", "f": "read", "key": "x", "time": 1}\n` +
    `{"process": 4, "type": "ok", "f": "write", "key": "x", "value": 1, "time": 2}`;
  assert.equal(parseError(mismatched).line, 2);
  const early = `{"process": 4, "type": "invoke", "f": "read", "key": "x", "time": 5}\n` +
    `{"process": 4, "type": "ok", "f": "read", "key": "x", "value": 1, "time": 2}`;
  assert.match(parseError(early).reason, /before its invocation/);
});

test("an info completion closes the op: the process may invoke again", () => {
  const events: HistoryEvent[] = parseHistory(`${sample}\n` +
    `{"process": 2, "type": "invoke", "f": "read", "key": "x", "time": 9500}`);
  assert.equal(events.length, 8);
});
