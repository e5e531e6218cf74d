/** The public surface of the Raft core. */
export * from "./types.js";
export * from "./bounds.js";
export * from "./messages.js";
export * from "./errors.js";
export * from "./storage.js";
export * from "./ready.js";
export * from "./config.js";
export * from "./rng.js";
export { silentLogger, type Logger } from "./logger.js";
export {
  RaftNode, type AppendedResult, type ProposeResult, type RaftNodeOptions,
} from "./raft_node.js";
export { MajorityConfig, JointConfig, type VoteResult } from "./quorum.js";
export { maySendBeforePersist } from "./send_before_persist.js";
export {
  applyConfChange, decodeConfEntry, encodeConfEntry, isJoint, sameConfState, EMPTY_CONF_STATE,
  type ConfChange, type ConfChangeItem, type ConfChangeType, type ConfEntryPayload,
} from "./conf_change.js";
