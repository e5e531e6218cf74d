import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../core/index.js";
import { DEFAULT_TRANSPORT_LIMITS } from "./limits.js";
import { resolveSnapshotStreamLimits, SNAPSHOT_CHUNK_OVERHEAD_BYTES } from "./snapshot_limits.js";

const d = DEFAULT_TRANSPORT_LIMITS;

function refusedField(field: string): (error: unknown) => boolean {
  return (error) => error instanceof ConfigError && error.field === field;
}

test("by default chunks are 1 MiB, smaller when frames or the send queue could not hold them",
  () => {
  assert.equal(resolveSnapshotStreamLimits({}, d).chunkBytes, 1024 * 1024);
  const smallFrames = { ...d, frameBytesMax: 32 * 1024 };
  assert.equal(resolveSnapshotStreamLimits({}, smallFrames).chunkBytes,
    32 * 1024 - SNAPSHOT_CHUNK_OVERHEAD_BYTES);
  const smallQueue = { ...d, frameBytesMax: 32 * 1024, sendQueueBytesMax: 50_000 };
  assert.equal(resolveSnapshotStreamLimits({}, smallQueue).chunkBytes, 10_000);
});

test("bad snapshot limits and combinations are refused, naming the field", () => {
  const refuses = (input: Record<string, number>, field: string): void => {
    assert.throws(() => resolveSnapshotStreamLimits(input, d), refusedField(field));
  };
  refuses({ chunkBytes: 0 }, "snapshot.chunkBytes");
  refuses({ chunkBytes: d.frameBytesMax }, "snapshot.chunkBytes");
  refuses({ chunksInflightMax: 1.5 }, "snapshot.chunksInflightMax");
  refuses({ snapshotBytesMax: 2 ** 60 }, "snapshot.snapshotBytesMax");
  refuses({ idleTimeoutMs: 5000, partialTtlMs: 4000 }, "snapshot.partialTtlMs");
});
