/** The public surface of the linearizability checker and the client history format. */
export {
  type CompletionType,
  type HistoryEvent,
  HistoryFormatError,
  parseHistory,
  formatHistory,
} from "./history.js";
export {
  type CheckOptions,
  type CheckResult,
  type CheckedOp,
  type Counterexample,
  checkHistory,
  defaultBudgetSteps,
} from "./linearizability.js";
export { HistoryRecorder, type EventExtras, type RecordedOp } from "./history_recorder.js";
export {
  combinedShapes,
  completeGrudge,
  describeGrudge,
  type Grudge,
  grudgeToJson,
  isBlocked,
  partitionGrudge,
  type PartitionShape,
  partitionShapes,
} from "./partitions.js";
