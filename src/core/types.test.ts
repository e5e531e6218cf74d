/** Branded numbers and the one node-id check (types.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isNodeId, nodeId } from "./types.js";

test("node ids: 1-64 letters, digits, '_', '.', ':' or '-'; anything else is refused", () => {
  for (const good of ["n1", "a", "node_2.east-1", "10.0.0.1:7000", "x".repeat(64)]) {
    assert.equal(isNodeId(good), true, good);
    assert.equal(nodeId(good), good);
  }
  for (const bad of ["", "x".repeat(65), "n 1", "n/1", "nü", "n1\n", "[::1]"]) {
    assert.equal(isNodeId(bad), false, JSON.stringify(bad));
    assert.throws(() => nodeId(bad), /NodeId must match/);
  }
  assert.equal(isNodeId(1), false);
  assert.equal(isNodeId(null), false);
});
