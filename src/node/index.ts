/**
 * The public library API: `ClusterNode.start(options)` runs a Raft node that replicates your
 * state machine; see README.md, "Library API".
 */
export { ClusterNode } from "./cluster_node.js";
export type { ClusterNodeOptions, NodeLogger } from "./options.js";
export type { NodeObserver, ProposalOutcome } from "./observer.js";
export type { StateMachine } from "./state_machine.js";
export {
  DEFAULT_NODE_LIMITS, resolveNodeLimits, toRaftConfig, type ElectionTimeoutMs, type NodeLimits,
  type NodeLimitsInput, type RaftTunables,
} from "./config.js";
export { NodeStoppedError, OutcomeUnknownError, ProposalTimeoutError, ReadTimeoutError } from "./errors.js";
export type { NodeEventListener, NodeEventName, NodeEvents } from "./events.js";
export type { NodeRunState, NodeStatus, PeerStatus } from "./status.js";
export {
  NotLeaderError, ProposalDroppedError, UncommittedBytesExceededError, ConfigError,
} from "../core/index.js";
