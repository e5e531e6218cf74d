/** The public surface of raftkv's Maelstrom support: the local runner and the protocol table. */
export { runTest, type TestResults, type TestRun } from "./runner/run_test.js";
export {
  DEFAULT_TEST_OPTIONS,
  TestOptionsError,
  clientTimeoutMs,
  nodeIds,
  parseConcurrency,
  validateTestOptions,
  type TestOptions,
} from "./runner/options.js";
export { isLatencyDist, latencyDists, type LatencyDist } from "./runner/latency.js";
export { exitCodeOf, mergeValidity, verdictLine, type Validity } from "./runner/results.js";
export { ERROR_CODES, ErrorCode, ProtocolError, errorName, isDefiniteError } from "./protocol.js";
