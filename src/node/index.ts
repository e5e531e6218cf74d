/**
 * The public library API: `ClusterNode.start(options)` runs a Raft node that replicates your
 * state machine; see README.md, "Library API".
 */
export { ClusterNode, type ProposeOptions } from "./cluster_node.js";
export type { ClusterNodeOptions } from "./options.js";
export type { Logger } from "../core/logger.js";
export { realHost, type RuntimeHost, type TimerHandle } from "./host.js";
export type { NodeTestingBugs, RuntimeBugs } from "./runtime_bugs.js";
export type { ChangeOptions } from "./membership_admin.js";
export type { NodeObserver, ProposalOutcome } from "./observer.js";
export type { StateMachine, ValidationStage } from "./state_machine.js";
export type { NodeTestingHooks } from "./proposal_validation.js";
export {
  DEFAULT_NODE_LIMITS, resolveNodeLimits, toRaftConfig, type ElectionTimeoutMs, type NodeLimits,
  type NodeLimitsInput, type RaftTunables,
} from "./config.js";
export {
  CatchUpTimeoutError, InvalidProposalError, LeaderWaitTimeoutError, NodeStoppedError,
  OutcomeUnknownError, ProposalTimeoutError, ReadTimeoutError, RemovedFromClusterError,
  TransferTimeoutError, UnavailableError,
} from "./errors.js";
export {
  LEADER_WAIT_TIMEOUT_MS_DEFAULT, type LeaderWaitOptions,
} from "./leader_wait.js";
export type {
  CatchUpOptions, ClusterAdmin, MemberAddresses, MemberInfo, MemberRole, TransferOptions,
} from "./admin.js";
export { parsePeerAddress, toMemberAddresses } from "./address_book.js";
export { HOST_PORT_PATTERN, parseHostPort, type HostPort } from "./host_port.js";
export { CATCH_UP_LAG_MAX_DEFAULT, CATCH_UP_TIMEOUT_MS_DEFAULT } from "./membership_admin.js";
export type { NodeEventListener, NodeEventName, NodeEvents } from "./events.js";
export type { NodeRunState, NodeStatus, PeerStatus } from "./status.js";
export {
  NotLeaderError, ProposalDroppedError, UncommittedBytesExceededError, ConfigError,
  ConfChangeRefusedError,
} from "../core/index.js";
/** The peer transport contract a node runs over, and the counters it reports (metrics). */
export type { Transport, TransportStats } from "../transport/index.js";
