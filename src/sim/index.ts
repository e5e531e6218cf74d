/** The public surface of the deterministic simulator. */
export { FAULT_NAMES, FaultSpecError, formatFaults, parseFaults, planFaults } from "./faults.js";
export type { FaultName, FaultPlan, FaultSelection } from "./faults.js";
export { InvariantChecker, SimViolation, type ViolationKind } from "./invariants.js";
export { runSimulation, Simulation, type SimOptions, type SimResult } from "./simulation.js";
export type { SimRuntimeBugs } from "./sim_types.js";
export {
  parseSeeds, reproduceCommand, runSeed, runSweep,
  type SeedReport, type SweepOptions, type SweepSummary,
} from "./sweep.js";
