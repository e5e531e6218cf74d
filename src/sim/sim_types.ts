/**
 * The options and result of one simulation run, and the events on its agenda (simulation.ts).
 */
import type { ReadMode, TestingBugs } from "../core/config.js";
import type { Message } from "../core/messages.js";
import type { CheckResult, HistoryEvent } from "../check/index.js";
import type { RaftTunables } from "../node/config.js";
import type { RuntimeBugs } from "../node/runtime_bugs.js";
import type { FaultPlan, FaultSelection } from "./faults.js";
import type { SimViolation } from "./invariants.js";
import type { MembershipCounts } from "./membership_ops.js";
import type { NemesisEvent } from "./nemesis.js";
import type { HostTask } from "./sim_host.js";
import type { ClientReply, ClientRequest } from "./workload.js";

export interface SimOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly opsMax: number;
  readonly faults: FaultSelection;
  readonly clientsPerNode?: number;
  readonly keys?: number;
  /** Virtual time per tick (default 50 ms, see above). */
  readonly tickNs?: number;
  /** A client waits uniformly below this between operations (default 200 ms). */
  readonly thinkMaxNs?: number;
  /**
   * The share of register operations that carry a command of the wider Redis mix
   * (aux_commands.ts; default 0.5). 0 leaves the clients' random draws as they were without it.
   */
  readonly auxShare?: number;
  readonly clientTimeoutNs?: number;
  readonly livenessTicksMax?: number;
  readonly testingBugs?: TestingBugs;
  /** Receives every rare trace event (faults, roles, membership) as text, for debugging. */
  readonly onTrace?: (atNs: number, line: string) => void;
  /** Deliberate bugs in the runtime (not the core) or the operator, for tests of the checkers. */
  readonly runtimeBugs?: SimRuntimeBugs;
  /** Replaces parts of the seeded fault plan (tests aim a fault mix at one bug). */
  readonly planOverrides?: Partial<FaultPlan>;
  /** Replaces parts of the core's configuration. */
  readonly configOverrides?: RaftTunables;
  /** How linearizable reads are served; drawn from the seed (half "lease") by default. */
  readonly readMode?: ReadMode;
  /** Budget for the linearizability search, per key. */
  readonly checkBudget?: number;
  /** Safety net against a run that never ends (virtual time). */
  readonly virtualTimeMaxNs?: number;
  /**
   * Safety net against a message storm (virtual time crawls while events pile up): about 25
   * times the events a healthy run needs per operation. Exceeding it is reported as liveness.
   */
  readonly eventsMax?: number;
}

/**
 * Deliberate bugs, switched on only by tests to prove the checkers catch them (STYLE.md rule
 * 14): the runtime's (node/runtime_bugs.ts) and the operator's.
 */
export interface SimRuntimeBugs extends RuntimeBugs {
  /** A wiped node rejoins under its old id rather than a new one (node_faults.ts `wipe`). */
  readonly wipedNodeKeepsId?: boolean;
}

export interface SimResult {
  readonly seed: number;
  readonly plan: FaultPlan;
  readonly ops: number;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  readonly elections: number;
  readonly crashes: number;
  readonly virtualNs: number;
  readonly traceHash: string;
  readonly events: number;
  readonly violation: SimViolation | null;
  /** What the membership nemesis did (all zero when the fault is off). */
  readonly membership: MembershipCounts;
  /** "linearizable", "not-linearizable", "unknown", or "skipped" when a violation stopped it. */
  readonly verdict: CheckResult["verdict"] | "skipped";
  readonly unknownReason: string | null;
  readonly history: readonly HistoryEvent[];
}

export type SimEvent =
  | { readonly kind: "host"; readonly node: number; readonly task: HostTask }
  | {
    readonly kind: "deliver";
    readonly from: number;
    readonly node: number;
    readonly message: Message;
  }
  | { readonly kind: "request"; readonly node: number; readonly request: ClientRequest }
  | { readonly kind: "reply"; readonly reply: ClientReply }
  | { readonly kind: "client"; readonly client: number; readonly opId: number | null }
  | NemesisEvent
  | { readonly kind: "restart"; readonly node: number; readonly incarnation: number }
  | { readonly kind: "resume"; readonly node: number; readonly incarnation: number }
  | { readonly kind: "halted"; readonly node: number; readonly incarnation: number };

/** Events a node processes; they queue up while the node is paused. */
export type NodeEvent = Extract<SimEvent, { kind: "host" | "deliver" | "request" }>;
