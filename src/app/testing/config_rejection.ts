/** Test support: the message with which `resolveConfig` refuses `raw` (fails if it accepts it). */
import assert from "node:assert/strict";
import { InvalidConfigError, resolveConfig } from "../config.js";

export function rejection(raw: unknown): string {
  try {
    resolveConfig(raw, "raftkv.yaml");
  } catch (error) {
    assert.ok(error instanceof InvalidConfigError);
    return error.message;
  }
  return assert.fail("accepted an invalid config");
}
