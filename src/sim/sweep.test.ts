/** The sweep driver behind `raftkv sim`: seed ranges, replay commands and the summary line. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFaults } from "./faults.js";
import { parseSeeds, reproduceCommand, runSweep } from "./sweep.js";

test("seed ranges parse; malformed and reversed ones are refused", () => {
  assert.deepEqual(parseSeeds("42"), [42]);
  assert.deepEqual(parseSeeds("3-6"), [3, 4, 5, 6]);
  assert.throws(() => parseSeeds("6-3"), RangeError);
  assert.throws(() => parseSeeds("1..5"), RangeError);
});

test("a replay command carries every setting that shapes the run", () => {
  const command = reproduceCommand(9, {
    nodes: 5, opsMax: 300, faults: parseFaults("crash,chase"),
    testingBugs: { skipPersistVote: true }, thinkMaxNs: 400_000_000,
  });
  assert.equal(
    command,
    "bin/raftkv sim --seed 9 --nodes 5 --ops 300 --faults crash,chase --bug skipPersistVote " +
      "--think-max-ms 400",
  );
});

test("the summary states the speed with the rate it was measured at, and the seeds' hash", async () => {
  let clock = 0;
  const lines: string[] = [];
  const summary = await runSweep(
    {
      seeds: [1, 2], nodes: 3, opsMax: 40, faults: parseFaults("none"),
      wallMs: () => (clock += 5),
    },
    (report) => lines.push(report.line),
  );
  assert.equal(lines.length, 2);
  assert.equal(summary.failedSeeds.length, 0);
  assert.equal(summary.ops, 80);
  assert.match(summary.line, /speed \d+x at \d+ ops\/s trace [0-9a-f]{16}$/);
});
