/**
 * Operational routes: `GET /v1/status` (this node's Raft view, for dashboards and tools),
 * `GET /healthz` (liveness: the process serves HTTP) and `GET /metrics` (Prometheus text).
 */
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { KvService, RaftStatusView } from "../kv_service.js";

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
    id: status.id, role: status.role, term: status.term, leaderId: status.leaderId,
    commit: status.commit, applied: status.applied, lastIndex: status.lastIndex, peers,
  };
}

export function registerStatusRoutes(
  app: FastifyInstance,
  service: KvService,
  registry: Registry | null,
): void {
  app.get("/v1/status", () => statusJson(service.status()));
  app.get("/healthz", () => ({ status: "ok" }));
  if (registry === null) return;
  app.get("/metrics", async (_request, reply) => {
    const text = await registry.metrics();
    return reply.header("content-type", registry.contentType).send(text);
  });
}
