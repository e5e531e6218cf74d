import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../core/index.js";
import { DEFAULT_TRANSPORT_LIMITS, validateTransportLimits } from "./limits.js";

function refusedField(field: string): (error: unknown) => boolean {
  return (error) => error instanceof ConfigError && error.field === field;
}

test("the defaults are valid", () => {
  assert.deepEqual(validateTransportLimits(DEFAULT_TRANSPORT_LIMITS), DEFAULT_TRANSPORT_LIMITS);
});

test("bad limits and combinations are refused, naming the field", () => {
  const d = DEFAULT_TRANSPORT_LIMITS;
  const refuses = (limits: typeof d | Record<string, number>, field: string): void => {
    assert.throws(() => validateTransportLimits({ ...d, ...limits }), refusedField(field));
  };
  refuses({ batchBytesMax: 0 }, "batchBytesMax");
  refuses({ sendQueueMessagesMax: 1.5 }, "sendQueueMessagesMax");
  refuses({ frameBytesMax: 2 ** 32 }, "frameBytesMax");
  assert.throws(
    () => validateTransportLimits({ ...d, frameBytesMax: 1024, sendQueueBytesMax: 1023 }),
    refusedField("frameBytesMax"),
  );
});
