/** Node limits: defaults, the one ms->ticks conversion, and errors that name the field. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, nodeId } from "../core/index.js";
import { DEFAULT_NODE_LIMITS, resolveNodeLimits, toRaftConfig, type NodeLimitsInput } from "./config.js";
import { decodeEnvelope, encodeEnvelope } from "./envelope.js";

test("defaults are valid and convert to ticks rounding up", () => {
  assert.deepEqual(resolveNodeLimits(), DEFAULT_NODE_LIMITS);
  const limits = resolveNodeLimits({ tickMs: 20, heartbeatIntervalMs: 50, electionTimeoutMs: { min: 301, max: 600 } });
  const config = toRaftConfig(nodeId("n1"), limits);
  assert.equal(config.heartbeatIntervalTicks, 3);
  assert.equal(config.electionTimeoutTicksMin, 16);
  assert.equal(config.electionTimeoutTicksMax, 30);
  assert.equal(config.pendingReadsMax, limits.pendingReadsMax);
});

const bad: [NodeLimitsInput, string][] = [
  [{ tickMs: 0 }, "tickMs"],
  [{ proposalTimeoutMs: 1.5 }, "proposalTimeoutMs"],
  [{ pendingProposalsMax: -1 }, "pendingProposalsMax"],
  [{ proposalBytesMax: 0 }, "proposalBytesMax"],
  [{ heartbeatIntervalMs: 5, tickMs: 10 }, "heartbeatIntervalMs"],
  [{ heartbeatIntervalMs: 500 }, "electionTimeoutMs.min"],
  [{ electionTimeoutMs: { min: 1000, max: 1000 } }, "electionTimeoutMs.max"],
  [{ electionTimeoutMs: { max: 0 } }, "electionTimeoutMs.max"],
  [{ snapshotCatchUpEntries: -1 }, "snapshotCatchUpEntries"],
  [{ readTimeoutMs: 1 }, "readTimeoutMs"],
  [{ diskStallMs: 500 }, "diskStallMs"],
  [{ diskStallMs: 5, tickMs: 10 }, "diskStallMs"],
  [{ diskStallMs: -1 }, "diskStallMs"],
  [{ diskHealthyMs: 0 }, "diskHealthyMs"],
  [{ replicationStallMs: 999 }, "replicationStallMs"],
  [{ replicationStallMs: 0.5 }, "replicationStallMs"],
];

test("the stall watches' defaults follow the election timeout; 0 turns them off", () => {
  const limits = resolveNodeLimits({ electionTimeoutMs: { min: 300, max: 600 } });
  assert.equal(limits.diskStallMs, 150);
  assert.equal(limits.diskHealthyMs, 2400);
  assert.equal(limits.replicationStallMs, 1200);
  const off = resolveNodeLimits({ diskStallMs: 0, replicationStallMs: 0 });
  assert.deepEqual([off.diskStallMs, off.replicationStallMs], [0, 0]);
  // A tick coarser than half the timeout: the default is one tick, still below the timeout.
  assert.equal(resolveNodeLimits({ tickMs: 150, heartbeatIntervalMs: 150,
    electionTimeoutMs: { min: 301, max: 600 } }).diskStallMs, 150);
  // Test-sized timeouts: off by default (fsync jitter would trip it), on when asked.
  assert.equal(resolveNodeLimits({ tickMs: 5, heartbeatIntervalMs: 10,
    electionTimeoutMs: { min: 60, max: 120 } }).diskStallMs, 0);
  assert.equal(resolveNodeLimits({ tickMs: 5, heartbeatIntervalMs: 10,
    electionTimeoutMs: { min: 60, max: 120 }, diskStallMs: 30 }).diskStallMs, 30);
});
for (const [input, field] of bad) {
  test(`an invalid ${field} is refused with a ConfigError naming it (${JSON.stringify(input)})`, () => {
    assert.throws(() => resolveNodeLimits(input), (e: unknown) => e instanceof ConfigError && e.field === field);
  });
}

test("proposal envelopes round-trip; foreign bytes are refused", () => {
  const tag = { proposer: nodeId("node-7"), incarnation: 2 ** 47 + 3, seq: 2 ** 40 + 1 };
  const command = Uint8Array.of(0, 1, 255);
  const decoded = decodeEnvelope(encodeEnvelope(tag, command));
  assert.deepEqual(decoded.tag, tag);
  assert.deepEqual([...decoded.command], [0, 1, 255]);
  assert.throws(() => decodeEnvelope(new TextEncoder().encode("x")));
  assert.throws(() => decodeEnvelope(Uint8Array.of(1, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
});
