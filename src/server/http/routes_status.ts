/**
 * Operational routes: `GET /v1/status` (this node's Raft view, for dashboards and tools),
 * `GET /healthz` (liveness: the process serves HTTP), `GET /readyz` (readiness: a leader is
 * known and this node has applied nearly all it knows committed) and `GET /metrics`.
 */
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { displayRole, type KvService, type RaftStatusView } from "../kv_service.js";
import { errorResponseOf, sendError } from "./error_responses.js";

export interface PeerStatusJson {
  readonly id: string;
  readonly match: number;
  readonly next: number;
  readonly state: string;
  readonly recentActive: boolean;
  /** Entries the peer is behind this leader's last index. */
  readonly lag: number;
}

export interface StatusJson {
  readonly id: string;
  /** The Raft role, or "learner" for a non-voting member (which the core runs as a follower). */
  readonly role: string;
  readonly term: number;
  readonly leaderId: string | null;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  /** Present only on the leader, which tracks its followers' progress. */
  readonly peers: readonly PeerStatusJson[] | null;
}

export function statusJson(status: RaftStatusView): StatusJson {
  const peers = status.progress === null ? null : [...status.progress].map(([id, p]) => ({
    id, match: p.match, next: p.next, state: p.state, recentActive: p.recentActive,
    lag: Math.max(0, status.lastIndex - p.match),
  }));
  return {
    id: status.id, role: displayRole(status), term: status.term, leaderId: status.leaderId,
    commit: status.commit, applied: status.applied, lastIndex: status.lastIndex, peers,
  };
}

/** How many committed entries a node may have left to apply and still be ready. */
export const READY_APPLY_LAG_MAX = 1000;

/** Why a node is not ready, or null when it is (see `GET /readyz`). */
export function notReadyReason(status: RaftStatusView, applyLagMax: number): string | null {
  if (status.leaderId === null) return "no leader is known";
  const behind = status.commit - status.applied;
  if (behind > applyLagMax) {
    return `${behind} committed entries are not applied yet (ready within ${applyLagMax})`;
  }
  return null;
}

/**
 * A node removed from the cluster stops serving: `/v1/*`, `/healthz` and `/readyz` answer 410
 * Gone with the reason (a load balancer's health check fails), while `/metrics` and pages
 * outside the API keep answering so the node can still be observed until it exits.
 * @param removal the error to answer with once this node was removed, else null.
 */
export function registerRemovedGate(app: FastifyInstance, removal: () => Error | null): void {
  app.addHook("onRequest", async (request, reply) => {
    const error = removal();
    if (error === null) return;
    const path = request.url;
    if (path.startsWith("/healthz") || path.startsWith("/readyz")) {
      return reply.code(410).send({ status: "removed", reason: error.message });
    }
    if (path.startsWith("/v1/")) return sendError(reply, errorResponseOf(error));
  });
}

export function registerStatusRoutes(
  app: FastifyInstance,
  service: KvService,
  registry: Registry | null,
  applyLagMax = READY_APPLY_LAG_MAX,
): void {
  app.get("/v1/status", () => statusJson(service.status()));
  app.get("/healthz", () => ({ status: "ok" }));
  app.get("/readyz", (_request, reply) => {
    const status = service.status();
    const reason = notReadyReason(status, applyLagMax);
    const body = { leaderId: status.leaderId, commit: status.commit, applied: status.applied };
    if (reason === null) return { status: "ready", ...body };
    return reply.code(503).send({ status: "not_ready", reason, ...body });
  });
  if (registry === null) return;
  app.get("/metrics", async (_request, reply) => {
    const text = await registry.metrics();
    return reply.header("content-type", registry.contentType).send(text);
  });
}
