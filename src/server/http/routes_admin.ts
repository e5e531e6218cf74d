/**
 * The cluster-operation routes of the HTTP API, over the node's `ClusterAdmin` (src/node/admin.ts):
 *
 *   GET    /v1/members                  200 MembersJson (this node's view; lag on the leader)
 *   POST   /v1/members                  {id, peer, redis?, http?, role?: "voter"|"learner",
 *                                        lagMax?, catchUpTimeoutMs?}  200 MembersJson
 *                                        (voter: the safe add: learner, catch up, promote;
 *                                        for an existing learner only the promotion)
 *   POST   /v1/members/:id/promote      {lagMax?, catchUpTimeoutMs?}   200 MembersJson
 *   DELETE /v1/members/:id                                             200 MembersJson
 *   POST   /v1/transfer-leader          {to?, timeoutMs?}              200 TransferJson
 *   POST   /v1/snapshot                     (frees the log's disk)     200 SnapshotJson
 *
 * Mutations run on the leader only; elsewhere they answer 421 with the leader's id and HTTP
 * address (see `error_responses.ts` for every status). A snapshot is taken on the node asked.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { NODE_ID_PATTERN } from "../../core/types.js";
import type { CatchUpOptions, ClusterAdmin, MemberInfo } from "../../node/admin.js";
import { HOST_PORT_PATTERN, parseHostPort } from "../../node/host_port.js";
import type { KvService } from "../kv_service.js";
import { RequestRefusedError, errorResponseOf, sendError } from "./error_responses.js";

/** One member as the API shows it: addresses flattened, null when unknown. */
export interface MemberJson {
  readonly id: string;
  readonly role: "voter" | "learner";
  readonly outgoingVoter: boolean;
  readonly isLeader: boolean;
  readonly peer: string | null;
  readonly redis: string | null;
  readonly http: string | null;
  readonly match: number | null;
  readonly lag: number | null;
}

export interface MembersJson {
  /** The node that answered. */
  readonly node: string;
  readonly leader: string | null;
  readonly leaderHttp: string | null;
  readonly term: number;
  readonly members: readonly MemberJson[];
}

export interface TransferJson {
  readonly previousLeader: string;
  readonly leader: string;
  readonly tookMs: number;
}

export interface SnapshotJson {
  readonly node: string;
  readonly index: number;
  /** The data directory's size before and after (when the server knows its data directory). */
  readonly bytesBefore?: number;
  readonly bytesAfter?: number;
}

/** The one node-id and host:port definitions (core/types.ts, node/host_port.ts), as schemas. */
const ID_PATTERN = NODE_ID_PATTERN.source;
const hostPort = { type: "string", pattern: HOST_PORT_PATTERN.source, maxLength: 300 } as const;
const positiveInt = { type: "integer", minimum: 1 } as const;
const idParams = {
  type: "object", required: ["id"], properties: { id: { type: "string", pattern: ID_PATTERN } },
} as const;
const catchUpProperties = {
  lagMax: { type: "integer", minimum: 0 }, catchUpTimeoutMs: positiveInt,
} as const;

const addBody = {
  type: "object",
  required: ["id", "peer"],
  additionalProperties: false,
  properties: {
    id: { type: "string", pattern: ID_PATTERN },
    peer: hostPort, redis: hostPort, http: hostPort,
    role: { type: "string", enum: ["voter", "learner"] },
    ...catchUpProperties,
  },
} as const;
const promoteBody = {
  type: "object", additionalProperties: false, properties: catchUpProperties,
} as const;
const transferBody = {
  type: "object", additionalProperties: false,
  properties: { to: { type: "string", pattern: ID_PATTERN }, timeoutMs: positiveInt },
} as const;

interface IdParams { id: string }
interface CatchUpJson { lagMax?: number; catchUpTimeoutMs?: number }
interface AddJson extends CatchUpJson {
  id: string; peer: string; redis?: string; http?: string; role?: "voter" | "learner";
}
interface TransferBodyJson { to?: string; timeoutMs?: number }
type AddRequest = FastifyRequest<{ Body: AddJson }>;
type PromoteRequest = FastifyRequest<{ Params: IdParams; Body: CatchUpJson }>;
type RemoveRequest = FastifyRequest<{ Params: IdParams }>;
type TransferRequest = FastifyRequest<{ Body: TransferBodyJson }>;
/** absent: not a member; notVoter: absent or a learner; member: any role; voter: a voter. */
type Want = "absent" | "notVoter" | "member" | "voter";

/** Where the leader serves HTTP, from this node's membership view (null when unknown). */
export function leaderHttpOf(admin: ClusterAdmin, leaderId: string): string | null {
  try {
    const leader = admin.members().find((member) => member.id === leaderId);
    return leader?.addresses?.http ?? null;
  } catch {
    return null;
  }
}

export function memberJson(member: MemberInfo): MemberJson {
  return {
    id: member.id, role: member.role, outgoingVoter: member.outgoingVoter,
    isLeader: member.isLeader, peer: member.addresses?.peer ?? null,
    redis: member.addresses?.redis ?? null, http: member.addresses?.http ?? null,
    match: member.match, lag: member.lag,
  };
}

function membersJson(service: KvService, admin: ClusterAdmin): MembersJson {
  const status = service.status();
  const leader = status.leaderId;
  return {
    node: status.id, leader, leaderHttp: leader === null ? null : leaderHttpOf(admin, leader),
    term: status.term, members: admin.members().map(memberJson),
  };
}

function catchUpOptions(body: CatchUpJson | undefined): CatchUpOptions {
  return {
    ...(body?.lagMax === undefined ? {} : { lagMax: body.lagMax }),
    ...(body?.catchUpTimeoutMs === undefined ? {} : { timeoutMs: body.catchUpTimeoutMs }),
  };
}

/** Ports are 1-65535; the schema's pattern checks only the shape. */
function checkPorts(body: AddJson): void {
  for (const field of ["peer", "redis", "http"] as const) {
    const value = body[field];
    if (value !== undefined && parseHostPort(value) === null) {
      throw new RequestRefusedError(400, "BAD_REQUEST", `${field}: port out of range in ${value}`);
    }
  }
}

/**
 * Refusals that need the configuration, checked only on the leader (whose view is the one the
 * change applies to); elsewhere the admin call itself answers NOT_LEADER.
 */
function checkMember(service: KvService, admin: ClusterAdmin, id: string, want: Want): void {
  const status = service.status();
  if (status.role !== "leader") return;
  const member = admin.members().find((m) => m.id === id);
  const present = want === "absent" ? member : member?.role === "voter" ? member : undefined;
  if ((want === "absent" || want === "notVoter") && present !== undefined) {
    throw new RequestRefusedError(409, "CONF_CHANGE_REFUSED", `${id} is already a ${present.role}`);
  }
  if ((want === "member" || want === "voter") && member === undefined) {
    throw new RequestRefusedError(404, "MEMBER_NOT_FOUND", `${id} is not a member of the cluster`);
  }
  if (want === "voter" && member?.role !== "voter") {
    throw new RequestRefusedError(400, "BAD_REQUEST", `${id} is not a voter; cannot lead`);
  }
}

/** An empty POST (`curl -X POST`) means "no options": validate it as `{}`. */
function emptyBodyAsObject(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  request.body ??= {};
  done();
}

type Handler<R> = (request: R, reply: FastifyReply, admin: ClusterAdmin) => Promise<unknown>;

/** Runs `handler` with the admin, mapping what it throws by the admin error table. */
function withAdmin<R extends FastifyRequest>(service: KvService, handler: Handler<R>) {
  return async (request: R, reply: FastifyReply): Promise<unknown> => {
    const admin = service.admin;
    if (admin === undefined) {
      return sendError(reply, {
        status: 501, code: "NOT_SUPPORTED", definite: true,
        message: "This server has no cluster administration (in-memory or test service)",
      }, request.url);
    }
    try {
      return await handler(request, reply, admin);
    } catch (error) {
      const response = errorResponseOf(error, (id) => leaderHttpOf(admin, id));
      return sendError(reply, response, request.url);
    }
  };
}

/**
 * @param diskUsage the node's data directory size in bytes, reported around a snapshot.
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  service: KvService,
  diskUsage?: () => Promise<number>,
): void {
  app.get("/v1/members", withAdmin(service, (_request, _reply, admin) =>
    Promise.resolve(membersJson(service, admin))));

  app.post<{ Body: AddJson }>("/v1/members", { schema: { body: addBody } },
    withAdmin(service, async (request: AddRequest, _reply, admin) => {
      const body = request.body;
      checkPorts(body);
      // Adding a voter that is already a learner (a catch-up that timed out) only promotes it.
      checkMember(service, admin, body.id, body.role === "learner" ? "absent" : "notVoter");
      const addresses = {
        peer: body.peer,
        ...(body.redis === undefined ? {} : { redis: body.redis }),
        ...(body.http === undefined ? {} : { http: body.http }),
      };
      if (body.role === "learner") await admin.addLearner(body.id, addresses);
      else await admin.addVoter(body.id, addresses, catchUpOptions(body));
      return membersJson(service, admin);
    }));

  app.post<{ Params: IdParams; Body: CatchUpJson }>("/v1/members/:id/promote",
    { schema: { params: idParams, body: promoteBody }, preValidation: emptyBodyAsObject },
    withAdmin(service, async (request: PromoteRequest, _reply, admin) => {
      checkMember(service, admin, request.params.id, "member");
      await admin.promote(request.params.id, catchUpOptions(request.body));
      return membersJson(service, admin);
    }));

  app.delete<{ Params: IdParams }>("/v1/members/:id", { schema: { params: idParams } },
    withAdmin(service, async (request: RemoveRequest, _reply, admin) => {
      checkMember(service, admin, request.params.id, "member");
      await admin.removeNode(request.params.id);
      return membersJson(service, admin);
    }));

  app.post<{ Body: TransferBodyJson }>("/v1/transfer-leader",
    { schema: { body: transferBody }, preValidation: emptyBodyAsObject },
    withAdmin(service, async (request: TransferRequest, _reply, admin) => {
      const to = request.body.to ?? null;
      if (to !== null) checkMember(service, admin, to, "voter");
      const previousLeader = service.status().id;
      const started = performance.now();
      const timeoutMs = request.body.timeoutMs;
      const leader = await admin.transferLeader(to, timeoutMs === undefined ? {} : { timeoutMs });
      const tookMs = Math.round(performance.now() - started);
      return { previousLeader, leader, tookMs } satisfies TransferJson;
    }));

  app.post("/v1/snapshot", withAdmin(service, async (_request, _reply, admin) => {
    const bytesBefore = await diskUsage?.();
    const { index } = await admin.snapshotNow();
    const bytesAfter = await diskUsage?.();
    return {
      node: service.status().id, index,
      ...(bytesBefore === undefined || bytesAfter === undefined ? {} : { bytesBefore, bytesAfter }),
    } satisfies SnapshotJson;
  }));
}
