/**
 * A short version of the Maelstrom ladder (docs/maelstrom.md §5) against raftkv's node, a
 * few seconds per rung, with partitions far more frequent than Maelstrom's: every rung must be
 * valid. The full-length ladder is `npm run test:maelstrom`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_TEST_OPTIONS, type TestOptions } from "../runner/options.js";
import { runTest } from "../runner/run_test.js";

const store = mkdtempSync(join(tmpdir(), "raftkv-maelstrom-ladder-"));
const entry = fileURLToPath(new URL("./entry.js", import.meta.url));

test.after(() => {
  rmSync(store, { recursive: true, force: true });
});

const rungs: [string, Partial<TestOptions>][] = [
  ["3 nodes, 10n, rate 100", { nodeCount: 3, concurrency: 30 }],
  ["5 nodes, 4n, rate 100", { nodeCount: 5, concurrency: 20 }],
  ["5 nodes, 4n, rate 100, latency 10 exponential", { nodeCount: 5, concurrency: 20, latencyMs: 10, latencyDist: "exponential" }],
];

for (const [name, overrides] of rungs) {
  test(`raftkv-maelstrom is linearizable under partitions: ${name}`, async () => {
    const { results, summary } = await runTest({
      ...DEFAULT_TEST_OPTIONS,
      bin: process.execPath,
      binArgs: [entry],
      nodeCount: 3,
      concurrency: 12,
      rate: 100,
      timeLimitS: 6,
      nemesis: ["partition"],
      nemesisIntervalS: 1,
      seed: 20240601,
      storeDir: store,
      nodeEnv: { LOG_LEVEL: "warn" },
      ...overrides,
    });
    assert.equal(results.error, null, summary);
    assert.equal(results.workload.verdict, "linearizable", summary);
    assert.equal(results["valid?"], true, summary);
    assert.ok(results.availability["ok-fraction"] > 0.2, summary);
  });
}
