/**
 * The cluster-operation routes over a fake ClusterAdmin (routes_admin_testing.ts), through
 * Fastify's `inject`: each route calls the contract with the right arguments, answers in the
 * documented shape, and maps every failure (NOT_LEADER with redirect, refusals, timeouts, bad
 * bodies) to its status.
 */
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { ConfChangeRefusedError, NotLeaderError, RaftError } from "../../core/index.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import type { MembersJson, SnapshotJson, TransferJson } from "./routes_admin.js";
import { FakeCluster } from "./routes_admin_testing.js";
import { buildHttpApi } from "./server.js";

interface ErrorBody {
  error: {
    code: string; message: string; definite: boolean; leader?: string | null; leaderHttp?: string;
  };
}

/** What the node runtime throws when a learner does not catch up in time (by code only). */
class FakeTimeoutError extends RaftError {
  readonly definite = false;
  constructor(readonly code: string) {
    super(`timed out (${code})`);
  }
}

const httpOf = (id: string): string => `127.0.0.1:${8080 + Number(id.slice(1))}`;

describe("admin routes", { timeout: 20_000 }, () => {
  let apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
  });

  async function apiOf(cluster: FakeCluster, self: string): Promise<FastifyInstance> {
    const app = buildHttpApi({ service: cluster.service(self) });
    await app.ready();
    apps.push(app);
    return app;
  }

  test("GET /v1/members lists the configuration with addresses and the leader", async () => {
    const cluster = new FakeCluster(["n1", "n2", "n3"], httpOf);
    const app = await apiOf(cluster, "n2");
    const response = await app.inject("/v1/members");
    assert.equal(response.statusCode, 200);
    const body = response.json<MembersJson>();
    assert.equal(body.node, "n2");
    assert.equal(body.leader, "n1");
    assert.equal(body.leaderHttp, "127.0.0.1:8081");
    assert.deepEqual(body.members.map((m) => [m.id, m.role, m.isLeader]),
      [["n1", "voter", true], ["n2", "voter", false], ["n3", "voter", false]]);
    const n1 = body.members.find((m) => m.id === "n1");
    assert.ok(n1 !== undefined);
    assert.equal(n1.http, "127.0.0.1:8081");
    assert.equal(n1.lag, null, "lag is known only on the leader");
  });

  test("POST /v1/members adds a voter through the safe add, or a learner", async () => {
    const cluster = new FakeCluster(["n1", "n2", "n3"], httpOf);
    const app = await apiOf(cluster, "n1");
    const voter = await app.inject({
      method: "POST", url: "/v1/members",
      payload: { id: "n4", peer: "10.0.0.4:7004", http: "10.0.0.4:8084", catchUpTimeoutMs: 5000 },
    });
    assert.equal(voter.statusCode, 200, voter.body);
    assert.deepEqual(cluster.calls.at(-1), {
      node: "n1", method: "addVoter",
      args: ["n4", { peer: "10.0.0.4:7004", http: "10.0.0.4:8084" }, { timeoutMs: 5000 }],
    });
    const learner = await app.inject({
      method: "POST", url: "/v1/members", payload: { id: "n5", peer: "h5:7005", role: "learner" },
    });
    assert.equal(learner.statusCode, 200, learner.body);
    const roles = learner.json<MembersJson>().members.map((m) => `${m.id}:${m.role}`);
    assert.deepEqual(roles, ["n1:voter", "n2:voter", "n3:voter", "n4:voter", "n5:learner"]);
  });

  test("promote, remove, transfer and snapshot call the contract and answer JSON", async () => {
    const cluster = new FakeCluster(["n1", "n2", "n3"], httpOf);
    cluster.members.set("n4", { role: "learner", addresses: { peer: "h4:7004" } });
    const app = await apiOf(cluster, "n1");
    const promoted = await app.inject({
      method: "POST", url: "/v1/members/n4/promote", payload: { lagMax: 5 },
    });
    assert.equal(promoted.statusCode, 200, promoted.body);
    assert.deepEqual(cluster.calls.at(-1)?.args, ["n4", { lagMax: 5 }]);
    const removed = await app.inject({ method: "DELETE", url: "/v1/members/n3" });
    assert.equal(removed.statusCode, 200, removed.body);
    assert.deepEqual(removed.json<MembersJson>().members.map((m) => m.id), ["n1", "n2", "n4"]);

    const snapshot = await app.inject({ method: "POST", url: "/v1/snapshot" });
    assert.deepEqual(snapshot.json<SnapshotJson>(), { node: "n1", index: 42 });

    const transfer = await app.inject({
      method: "POST", url: "/v1/transfer-leader", payload: { to: "n2", timeoutMs: 3000 },
    });
    assert.equal(transfer.statusCode, 200, transfer.body);
    const moved = transfer.json<TransferJson>();
    assert.equal(moved.previousLeader, "n1");
    assert.equal(moved.leader, "n2");
    assert.deepEqual(cluster.calls.at(-1)?.args, ["n2", { timeoutMs: 3000 }]);
  });

  test("transfer-leader without a body picks the most caught-up voter", async () => {
    const cluster = new FakeCluster(["n1", "n2"], httpOf);
    const app = await apiOf(cluster, "n1");
    const transfer = await app.inject({ method: "POST", url: "/v1/transfer-leader" });
    assert.equal(transfer.statusCode, 200, transfer.body);
    assert.deepEqual(cluster.calls.at(-1)?.args, [null, {}]);
    assert.equal(transfer.json<TransferJson>().leader, "n2");
  });

  test("a follower answers 421 with the leader's id and HTTP address; 503 with none",
    async () => {
      const cluster = new FakeCluster(["n1", "n2", "n3"], httpOf);
      const app = await apiOf(cluster, "n3");
      const response = await app.inject({ method: "DELETE", url: "/v1/members/n2" });
      assert.equal(response.statusCode, 421);
      const { error } = response.json<ErrorBody>();
      assert.deepEqual([error.code, error.leader, error.leaderHttp, error.definite],
        ["NOT_LEADER", "n1", "127.0.0.1:8081", true]);
      assert.equal(response.headers.location, "http://127.0.0.1:8081/v1/members/n2");

      cluster.leader = null;
      const none = await app.inject({ method: "POST", url: "/v1/transfer-leader", payload: {} });
      assert.equal(none.statusCode, 503);
      assert.equal(none.json<ErrorBody>().error.code, "NO_LEADER");
      assert.equal(none.headers["retry-after"], "1");
    });

  test("refusals are 409, timeouts 504 (outcome unknown), unknown members 404", async () => {
    const cluster = new FakeCluster(["n1", "n2", "n3"], httpOf);
    const app = await apiOf(cluster, "n1");
    const add = (id: string) => app.inject({
      method: "POST", url: "/v1/members", payload: { id, peer: "h:1" },
    });
    cluster.failures.push(new ConfChangeRefusedError("another change is in flight"));
    const refused = await add("n4");
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json<ErrorBody>().error.code, "CONF_CHANGE_REFUSED");
    assert.equal((await add("n2")).statusCode, 409, "adding an existing voter is refused");
    cluster.members.set("l2", { role: "learner", addresses: null });
    assert.equal((await add("l2")).statusCode, 200, "adding a learner as voter promotes it");
    const learnerAgain = await app.inject({
      method: "POST", url: "/v1/members", payload: { id: "l2", peer: "h:1", role: "learner" },
    });
    assert.equal(learnerAgain.statusCode, 409);

    cluster.failures.push(new FakeTimeoutError("CATCH_UP_TIMEOUT"));
    const slow = await add("n5");
    assert.equal(slow.statusCode, 504);
    assert.deepEqual(slow.json<ErrorBody>().error.code, "CATCH_UP_TIMEOUT");
    assert.equal(slow.json<ErrorBody>().error.definite, false);

    cluster.failures.push(new FakeTimeoutError("TRANSFER_TIMEOUT"));
    const transfer = await app.inject({
      method: "POST", url: "/v1/transfer-leader", payload: { to: "n2" },
    });
    assert.equal(transfer.statusCode, 504);
    assert.equal(transfer.json<ErrorBody>().error.code, "TRANSFER_TIMEOUT");

    const missing = await app.inject({ method: "DELETE", url: "/v1/members/n9" });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<ErrorBody>().error.code, "MEMBER_NOT_FOUND");
    cluster.members.set("l1", { role: "learner", addresses: null });
    const toLearner = await app.inject({
      method: "POST", url: "/v1/transfer-leader", payload: { to: "l1" },
    });
    assert.equal(toLearner.statusCode, 400);
  });

  test("bad bodies are 400 BAD_REQUEST and reach no admin call", async () => {
    const cluster = new FakeCluster(["n1"], httpOf);
    const app = await apiOf(cluster, "n1");
    const bad: object[] = [
      { peer: "h:1" },
      { id: "n4" },
      { id: "n 4", peer: "h:1" },
      { id: "n4", peer: "no-port" },
      { id: "n4", peer: "h:99999" },
      { id: "n4", peer: "h:1", role: "witness" },
      { id: "n4", peer: "h:1", extra: true },
      { id: "n4", peer: "h:1", catchUpTimeoutMs: -1 },
    ];
    for (const payload of bad) {
      const response = await app.inject({ method: "POST", url: "/v1/members", payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.equal(response.json<ErrorBody>().error.code, "BAD_REQUEST");
    }
    const transfer = await app.inject({
      method: "POST", url: "/v1/transfer-leader", payload: { to: 7 },
    });
    assert.equal(transfer.statusCode, 400);
    assert.deepEqual(cluster.calls, []);
  });

  test("a service without a node answers 501 NOT_SUPPORTED", async () => {
    const app = buildHttpApi({ service: new MemoryKvService() });
    apps.push(app);
    const response = await app.inject("/v1/members");
    assert.equal(response.statusCode, 501);
    assert.equal(response.json<ErrorBody>().error.code, "NOT_SUPPORTED");
  });

  test("NotLeaderError thrown by the contract itself maps the same way", async () => {
    const cluster = new FakeCluster(["n1", "n2"], httpOf);
    const app = await apiOf(cluster, "n1");
    cluster.failures.push(new NotLeaderError(null));
    const response = await app.inject({ method: "POST", url: "/v1/members/n2/promote" });
    assert.equal(response.statusCode, 503);
    assert.equal(response.json<ErrorBody>().error.code, "NO_LEADER");
  });
});
