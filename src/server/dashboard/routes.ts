/**
 * The dashboard's routes on the HTTP API:
 *
 *   GET  /                              302 to /dashboard
 *   GET  /dashboard, /dashboard/app.js, /dashboard/style.css   the page (static, no CDN)
 *   GET  /v1/dashboard/local            this node's LocalView (what peers' dashboards fetch)
 *   GET  /v1/dashboard/cluster          the ClusterView once (curl, tests)
 *   GET  /v1/dashboard/events           the ClusterView as server-sent events
 *   POST /v1/dashboard/control/transfer {to}            (only with controls: a local cluster)
 *   POST /v1/dashboard/control/stop|restart {node}
 *   POST /v1/dashboard/control/partition {node, isolated}
 *
 * Reading needs the `read` permission like `GET /v1/status`, so a browser asks for a user's
 * name and password once (HTTP Basic) and sends them with every request, the event stream
 * included. The controls need `admin` (auth/http_auth.ts) and a custom header, which a page from
 * another origin cannot send without a CORS preflight that this server never grants.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { NODE_ID_PATTERN } from "../../core/types.js";
import type { KvService } from "../kv_service.js";
import { RequestRefusedError } from "../http/error_responses.js";
import { leaderHttpOf } from "../http/routes_admin.js";
import { DASHBOARD_CSS } from "./assets/page_css.js";
import { DASHBOARD_HTML } from "./assets/page_html.js";
import { DASHBOARD_JS } from "./assets/page_js.js";
import { ClusterViewSource } from "./cluster_view.js";
import { DashboardEventStream } from "./event_stream.js";
import type { DashboardRecorder } from "./recorder.js";

/** What a local cluster's parent process can do for the dashboard (app/dashboard_controls.ts). */
export interface DashboardControls {
  stop(node: string): Promise<void>;
  restart(node: string): Promise<void>;
  partition(node: string, isolated: boolean): Promise<void>;
}

export interface DashboardDeps {
  readonly recorder: DashboardRecorder;
  /** Present only on a local cluster started with `--dashboard-controls`. */
  readonly controls?: DashboardControls;
}

/** Control requests must carry it: a cross-origin page cannot without a preflight. */
export const CONTROL_HEADER = "x-raftkv-dashboard";
const TRANSFER_TIMEOUT_MS = 5000;

const idSchema = { type: "string", pattern: NODE_ID_PATTERN.source } as const;
const nodeBody = {
  type: "object", required: ["node"], additionalProperties: false, properties: { node: idSchema },
} as const;
const partitionBody = {
  type: "object", required: ["node", "isolated"], additionalProperties: false,
  properties: { node: idSchema, isolated: { type: "boolean" } },
} as const;
const transferBody = {
  type: "object", additionalProperties: false, properties: { to: idSchema },
} as const;

function asset(type: string, body: string) {
  return (_request: FastifyRequest, reply: FastifyReply): FastifyReply =>
    reply.header("content-type", type).header("cache-control", "no-cache")
      .header("x-content-type-options", "nosniff").send(body);
}

function requireControlHeader(request: FastifyRequest): void {
  if (request.headers[CONTROL_HEADER] !== "1") {
    throw new RequestRefusedError(400, "BAD_REQUEST",
      `dashboard controls need the header ${CONTROL_HEADER}: 1`);
  }
}

export function registerDashboardRoutes(
  app: FastifyInstance,
  service: KvService,
  deps: DashboardDeps & { readonly tls: boolean },
): void {
  const { recorder, controls } = deps;
  const source = new ClusterViewSource({
    local: () => recorder.localView(), controls: controls !== undefined, tls: deps.tls,
  });
  const stream = new DashboardEventStream((authorization) => source.build(authorization));
  app.addHook("preClose", (done) => {
    stream.close();
    recorder.close();
    done();
  });

  app.get("/", (_request, reply) => reply.redirect("/dashboard", 302));
  app.get("/dashboard", asset("text/html; charset=utf-8", DASHBOARD_HTML));
  app.get("/dashboard/app.js", asset("text/javascript; charset=utf-8", DASHBOARD_JS));
  app.get("/dashboard/style.css", asset("text/css; charset=utf-8", DASHBOARD_CSS));
  app.get("/v1/dashboard/local", () => recorder.localView());
  app.get("/v1/dashboard/cluster", (request) => source.build(request.headers.authorization));
  app.get("/v1/dashboard/events", (request, reply) => {
    if (!stream.hasRoom) {
      throw new RequestRefusedError(503, "TOO_MANY_STREAMS",
        "too many dashboards are watching this node; close one and retry");
    }
    void reply.hijack();
    stream.open(reply.raw, request.headers.authorization);
  });
  if (controls === undefined) return;

  app.post<{ Body: { to?: string } }>("/v1/dashboard/control/transfer",
    { schema: { body: transferBody } }, async (request) => {
      requireControlHeader(request);
      return transfer(service, request.body.to ?? null, request.headers.authorization, deps.tls);
    });
  app.post<{ Body: { node: string } }>("/v1/dashboard/control/stop",
    { schema: { body: nodeBody } }, async (request) => {
      requireControlHeader(request);
      await refusedOnFailure(() => controls.stop(request.body.node));
      return { ok: true };
    });
  app.post<{ Body: { node: string } }>("/v1/dashboard/control/restart",
    { schema: { body: nodeBody } }, async (request) => {
      requireControlHeader(request);
      await refusedOnFailure(() => controls.restart(request.body.node));
      return { ok: true };
    });
  app.post<{ Body: { node: string; isolated: boolean } }>("/v1/dashboard/control/partition",
    { schema: { body: partitionBody } }, async (request) => {
      requireControlHeader(request);
      await refusedOnFailure(() => controls.partition(request.body.node, request.body.isolated));
      return { ok: true };
    });
}

/** The parent's refusal ("n2 is not running") as a 409 rather than an internal error. */
async function refusedOnFailure(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    throw new RequestRefusedError(409, "CONTROL_FAILED", (error as Error).message);
  }
}

/** Transfers leadership here if this node leads, else asks the leader it knows to. */
async function transfer(
  service: KvService, to: string | null, authorization: string | undefined, tls: boolean,
): Promise<unknown> {
  const admin = service.admin;
  if (admin === undefined) {
    throw new RequestRefusedError(501, "NOT_SUPPORTED",
      "This server has no cluster administration");
  }
  const status = service.status();
  if (status.role === "leader") {
    const leader = await admin.transferLeader(to, { timeoutMs: TRANSFER_TIMEOUT_MS });
    return { previousLeader: status.id, leader };
  }
  const leaderHttp = status.leaderId === null ? null : leaderHttpOf(admin, status.leaderId);
  if (leaderHttp === null) {
    throw new RequestRefusedError(503, "NO_LEADER",
      `${status.id} knows no leader to ask for the transfer; try another node's dashboard`);
  }
  const response = await fetch(`${tls ? "https" : "http"}://${leaderHttp}/v1/transfer-leader`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: JSON.stringify(to === null ? {} : { to }),
    signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS + 1000),
  });
  const body = await response.json() as { error?: { code?: string; message?: string } };
  if (!response.ok) {
    throw new RequestRefusedError(response.status, body.error?.code ?? "TRANSFER_FAILED",
      `the leader ${status.leaderId ?? "?"} refused: ${body.error?.message ?? response.status}`);
  }
  return body;
}
