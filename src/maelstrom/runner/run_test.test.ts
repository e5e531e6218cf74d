/**
 * The runner end to end against small node programs (src/maelstrom/testing/): a correct
 * primary-proxy node must be judged valid; nodes that answer from local state or acknowledge
 * writes early must be judged invalid; nodes that break the protocol must fail the run, quoting
 * the offending line. Each run lasts a few seconds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseHistory } from "../../check/index.js";
import { DEFAULT_TEST_OPTIONS, type TestOptions } from "./options.js";
import { runTest, type TestRun } from "./run_test.js";

const store = mkdtempSync(join(tmpdir(), "raftkv-maelstrom-test-"));

function testingNode(name: string): string {
  return fileURLToPath(new URL(`../testing/${name}.js`, import.meta.url));
}

async function run(node: string, overrides: Partial<TestOptions> = {}): Promise<TestRun> {
  return runTest({
    ...DEFAULT_TEST_OPTIONS,
    bin: process.execPath,
    binArgs: [testingNode(node)],
    nodeCount: 3,
    concurrency: 6,
    rate: 50,
    timeLimitS: 4,
    nemesis: ["partition"],
    nemesisIntervalS: 1,
    latencyMs: 20,
    latencyDist: "uniform",
    seed: 7,
    storeDir: store,
    ...overrides,
  });
}

test.after(() => {
  rmSync(store, { recursive: true, force: true });
});

test("a correct primary-proxy node is valid, and the store holds the run", async () => {
  const { results, dir, exitCode, summary } = await run("primary_node");
  assert.equal(results["valid?"], true, summary);
  assert.equal(exitCode, 0);
  assert.ok(results.stats.count > 50, summary);
  const history = parseHistory(readFileSync(join(dir, "history.jsonl"), "utf8"));
  assert.ok(history.some((event) => event.process === "nemesis" && event.f === "start-partition"));
  assert.ok(history.some((event) => event.type === "ok" && event.f === "read"));
  const saved = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { "valid?": unknown };
  assert.equal(saved["valid?"], true);
  assert.match(readFileSync(join(dir, "summary.txt"), "utf8"), /Everything looks good/);
  assert.ok(readFileSync(join(dir, "node-logs", "n0.log"), "utf8").length >= 0);
});

test("a node answering from local state, without consensus, is invalid", async () => {
  const { results, exitCode, summary } = await run("local_state_node", { nemesis: [] });
  assert.equal(results["valid?"], false, summary);
  assert.equal(results.workload.verdict, "not-linearizable");
  assert.equal(exitCode, 1);
});

test("a node acknowledging writes before they are applied at the primary is invalid", async () => {
  const { results, summary } = await run("early_ack_node");
  assert.equal(results["valid?"], false, summary);
  assert.equal(results.workload.verdict, "not-linearizable");
});

test("a node printing a non-JSON line to stdout fails the run with that line", async () => {
  const { results, exitCode, summary } = await run("garbage_node");
  assert.equal(results["valid?"], false);
  assert.equal(exitCode, 1);
  assert.equal(results.error?.type, "ProtocolError");
  assert.match(summary, /not valid JSON/);
  assert.match(summary, /offending line: n\d: got a \w+, working on it/);
});

test("a node sending to an unknown id fails the run naming it", async () => {
  const { results } = await run("unknown_dest_node");
  assert.equal(results["valid?"], false);
  assert.match(results.error?.message ?? "", /unknown node "n99"/);
});
