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
