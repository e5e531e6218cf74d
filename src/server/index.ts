/**
 * The public surface of raftkv's client front ends: the `KvService` seam they call (implemented
 * by the node runtime), their typed errors, the RESP server, the HTTP API and the Prometheus
 * metrics, and the live dashboard (`DashboardRecorder`, passed as `HttpApiDeps.dashboard`).
 * The test-only in-memory service lives in `testing/` and is not exported here.
 */
export type { Bytes, KvService, RaftStatusView, SetCondition, SetOptions } from "./kv_service.js";
export {
  IntegerOverflowError,
  KvServiceError,
  NotIntegerError,
  OutcomeUnknownError,
  ValueTooLargeError,
  classifyError,
  type KnownError,
  type KnownErrorCode,
} from "./errors.js";
export { silentLogger, type Logger } from "../core/logger.js";
export {
  createClientMetrics,
  createRaftMetrics,
  createRespMetrics,
  recordProposal,
  recordStatus,
  type ClientMetrics,
  type ClientMetricsSources,
  type ProposalResult,
  type RaftMetrics,
  type RaftMetricsOptions,
  type RespMetrics,
} from "./metrics.js";
export {
  createNodeMetrics,
  nodeObserver,
  type MessageCounts,
  type NodeMetrics,
  type NodeMetricsSources,
} from "./node_metrics.js";
export { RespServer, type RespServerDeps } from "./resp/server.js";
export {
  DEFAULT_CLIENT_LIMITS,
  createClientResources,
  resolveClientLimits,
  type ClientLimits,
  type ClientResources,
} from "./client_resources.js";
export type { DisconnectReason } from "./client_memory.js";
export { LoopDelay } from "./loop_delay.js";
export {
  DEFAULT_RESP_SERVER_OPTIONS,
  resolveRespServerOptions,
  type RespServerOptions,
} from "./resp/options.js";
export {
  DashboardRecorder, type DashboardNodeSource, type LocalView,
} from "./dashboard/recorder.js";
export type { DashboardControls, DashboardDeps } from "./dashboard/routes.js";
export type { ClusterView, NodeCard } from "./dashboard/cluster_view.js";
export {
  DEFAULT_HTTP_API_OPTIONS,
  buildHttpApi,
  startHttpApi,
  type HttpApiDeps,
  type HttpApiOptions,
  type RunningHttpApi,
} from "./http/server.js";
