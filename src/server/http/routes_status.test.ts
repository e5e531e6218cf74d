/** `/readyz` and the role `/v1/status` reports, with the in-memory service. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { logIndex, nodeId } from "../../core/index.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { READY_APPLY_LAG_MAX } from "./routes_status.js";
import { buildHttpApi } from "./server.js";

interface ReadyBody {
  status: string;
  reason?: string;
  leaderId: string | null;
}

describe("status routes", () => {
  const service = new MemoryKvService();
  const initial = service.statusView;
  let app: FastifyInstance;

  before(async () => {
    app = buildHttpApi({ service });
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  test("/readyz: 200 with a leader and applied close to commit, 503 with a reason otherwise",
    async () => {
      service.statusView = { ...initial, commit: logIndex(10), applied: logIndex(9) };
      const ready = await app.inject("/readyz");
      assert.equal(ready.statusCode, 200);
      assert.equal(ready.json<ReadyBody>().status, "ready");

      service.statusView = { ...initial, role: "follower", leaderId: null };
      const noLeader = await app.inject("/readyz");
      assert.equal(noLeader.statusCode, 503);
      assert.equal(noLeader.json<ReadyBody>().status, "not_ready");
      assert.match(noLeader.json<ReadyBody>().reason ?? "", /no leader is known/);
      // Liveness is not readiness: the process still serves.
      assert.equal((await app.inject("/healthz")).statusCode, 200);

      const behind = READY_APPLY_LAG_MAX + 1;
      service.statusView = { ...initial, commit: logIndex(behind + 5), applied: logIndex(5) };
      const lagging = await app.inject("/readyz");
      assert.equal(lagging.statusCode, 503);
      assert.match(lagging.json<ReadyBody>().reason ?? "", new RegExp(`^${behind} committed`));

      service.statusView = {
        ...initial, commit: logIndex(READY_APPLY_LAG_MAX + 5), applied: logIndex(5),
      };
      assert.equal((await app.inject("/readyz")).statusCode, 200); // exactly at the bound
    });

  test("a learner reports role learner; a voting follower reports follower", async () => {
    const learnerConf = { voters: [nodeId("n2")], learners: [nodeId("n1")], votersOutgoing: [] };
    service.statusView = {
      ...initial, role: "follower", leaderId: nodeId("n2"), confState: learnerConf,
    };
    assert.equal((await app.inject("/v1/status")).json<{ role: string }>().role, "learner");
    const voterConf = { voters: [nodeId("n1"), nodeId("n2")], learners: [], votersOutgoing: [] };
    service.statusView = { ...service.statusView, confState: voterConf };
    assert.equal((await app.inject("/v1/status")).json<{ role: string }>().role, "follower");
  });
});
