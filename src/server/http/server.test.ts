/**
 * The HTTP API with the in-memory service, through Fastify's `inject` (no sockets) and once over
 * a real socket with `fetch`.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { NotLeaderError, ProposalDroppedError, logIndex, nodeId, term } from "../../core/index.js";
import { OutcomeUnknownError, ValueTooLargeError } from "../errors.js";
import { createRaftMetrics } from "../metrics.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { buildHttpApi, startHttpApi } from "./server.js";

interface ErrorBody {
  error: { code: string; message: string; definite: boolean; leader?: string | null };
}

describe("HTTP API", { timeout: 20_000 }, () => {
  const service = new MemoryKvService();
  const registry = new Registry();
  createRaftMetrics(registry, { status: () => service.status() });
  let app: FastifyInstance;

  before(async () => {
    app = buildHttpApi({ service, registry }, { bodyBytesMax: 1024 });
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  function put(key: string, payload: object, query = "") {
    return app.inject({ method: "PUT", url: `/v1/kv/${key}${query}`, payload });
  }

  test("PUT then GET round-trips UTF-8 and binary values; missing keys are 404", async () => {
    assert.equal((await put("a%2Fb", { value: "héllo" })).statusCode, 200);
    const got = await app.inject({ method: "GET", url: "/v1/kv/a%2Fb" });
    assert.equal(got.statusCode, 200);
    assert.deepEqual(got.json(), { key: "a/b", value: "héllo", encoding: "utf8" });
    await put("bin", { value: "AP8=", encoding: "base64" });
    assert.deepEqual((await app.inject("/v1/kv/bin")).json(),
      { key: "bin", value: "AP8=", encoding: "base64" });
    assert.deepEqual((await app.inject("/v1/kv/a%2Fb?encoding=base64")).json(),
      { key: "a/b", value: Buffer.from("héllo").toString("base64"), encoding: "base64" });
    const missing = await app.inject("/v1/kv/nope");
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<ErrorBody>().error.code, "KEY_NOT_FOUND");
  });

  test("PUT accepts raw text and octet-stream bodies", async () => {
    const text = await app.inject({
      method: "PUT", url: "/v1/kv/t", payload: "plain text",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(text.statusCode, 200);
    assert.equal((await app.inject("/v1/kv/t")).json<{ value: string }>().value, "plain text");
    const raw = await app.inject({
      method: "PUT", url: "/v1/kv/r", payload: Buffer.from([1, 2, 255]),
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(raw.statusCode, 200);
    assert.equal((await app.inject("/v1/kv/r")).json<{ value: string }>().value, "AQL/");
  });

  test("?nx and ?xx write only when their condition holds, else 412", async () => {
    assert.equal((await put("c", { value: "1" }, "?nx")).statusCode, 200);
    const refused = await put("c", { value: "2" }, "?nx");
    assert.equal(refused.statusCode, 412);
    assert.equal(refused.json<ErrorBody>().error.code, "CONDITION_FAILED");
    assert.equal((await put("c-missing", { value: "2" }, "?xx")).statusCode, 412);
    assert.equal((await put("c", { value: "3" }, "?xx")).statusCode, 200);
    assert.equal((await put("c", { value: "3" }, "?nx&xx")).statusCode, 400);
  });

  test("DELETE reports whether the key existed", async () => {
    await put("d", { value: "x" });
    const del = async () =>
      (await app.inject({ method: "DELETE", url: "/v1/kv/d" })).json<unknown>();
    assert.deepEqual(await del(), { key: "d", deleted: true });
    assert.deepEqual(await del(), { key: "d", deleted: false });
  });

  test("POST cas swaps only on a match; expected null means absent", async () => {
    const cas = (key: string, payload: object) =>
      app.inject({ method: "POST", url: `/v1/kv/${key}/cas`, payload });
    const swapped = async (payload: object) => (await cas("reg", payload)).json<unknown>();
    assert.deepEqual(await swapped({ expected: null, value: "1" }), { key: "reg", swapped: true });
    assert.deepEqual(await swapped({ expected: "0", value: "2" }), { key: "reg", swapped: false });
    assert.deepEqual(await swapped({ expected: "1", value: "2" }), { key: "reg", swapped: true });
    assert.equal((await cas("reg", { value: "2" })).statusCode, 400);
  });

  test("malformed JSON, schema violations and bad base64 are 400; big bodies 413", async () => {
    const malformed = await app.inject({
      method: "PUT", url: "/v1/kv/x", payload: "{not json",
      headers: { "content-type": "application/json" },
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json<ErrorBody>().error.code, "BAD_REQUEST");
    assert.equal((await put("x", { value: 5 })).statusCode, 400);
    assert.equal((await put("x", { value: "x", extra: 1 })).statusCode, 400);
    assert.equal((await put("x", { value: "!!", encoding: "base64" })).statusCode, 400);
    const big = await put("x", { value: "x".repeat(2000) });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json<ErrorBody>().error.code, "BODY_TOO_LARGE");
    const xml = await app.inject({
      method: "PUT", url: "/v1/kv/x", payload: "<a/>",
      headers: { "content-type": "application/xml" },
    });
    assert.equal(xml.statusCode, 415);
    assert.match(xml.json<ErrorBody>().error.message,
      /"application\/xml"; accepted: application\/json, text\/plain, application\/octet-stream/);
    // What `curl -d` sends without -H: refused the same way, saying what to send instead.
    const form = await app.inject({
      method: "PUT", url: "/v1/kv/x", payload: "v=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(form.statusCode, 415);
    assert.equal(form.json<ErrorBody>().error.code, "UNSUPPORTED_MEDIA_TYPE");
    assert.match(form.json<ErrorBody>().error.message, /accepted: application\/json/);
  });

  test("service errors map to 421/503 + Retry-After, 504 unknown outcome, 413, 500",
    async () => {
    service.failures.push(new NotLeaderError(null));
    const noLeader = await app.inject("/v1/kv/k");
    assert.equal(noLeader.statusCode, 503);
    assert.equal(noLeader.headers["retry-after"], "1");
    assert.deepEqual(noLeader.json<ErrorBody>().error, {
      code: "NO_LEADER", message: "No leader is known; retry later", definite: true, leader: null,
    });
    service.failures.push(new NotLeaderError(nodeId("n3")));
    // The same NOT_LEADER answer as the admin routes (one error table): 421 with the leader.
    const notLeader = await put("k", { value: "v" });
    assert.equal(notLeader.statusCode, 421);
    assert.equal(notLeader.json<ErrorBody>().error.code, "NOT_LEADER");
    assert.equal(notLeader.json<ErrorBody>().error.leader, "n3");
    service.failures.push(new ProposalDroppedError("leadership transfer"));
    assert.equal((await put("k", { value: "v" })).statusCode, 503);
    service.failures.push(new OutcomeUnknownError("timed out"));
    const unknown = await put("k", { value: "v" });
    assert.equal(unknown.statusCode, 504);
    const { code, definite } = unknown.json<ErrorBody>().error;
    assert.deepEqual([code, definite], ["UNKNOWN_OUTCOME", false]);
    service.failures.push(new ValueTooLargeError("value", 10, 5));
    assert.equal((await put("k", { value: "v" })).statusCode, 413);
    service.failures.push(new Error("bug"));
    const internal = await put("k", { value: "v" });
    assert.equal(internal.statusCode, 500);
    assert.equal(internal.json<ErrorBody>().error.definite, false);
  });

  test("status, healthz and metrics", async () => {
    service.statusView = {
      ...service.statusView,
      term: term(7), commit: logIndex(10), applied: logIndex(9), lastIndex: logIndex(12),
      progress: new Map([[nodeId("n2"), {
        match: logIndex(11), next: logIndex(13), state: "replicate", recentActive: true,
      }]]),
    };
    type Status = { term: number; peers: { id: string; lag: number }[] };
    const status = (await app.inject("/v1/status")).json<Status>();
    assert.equal(status.term, 7);
    assert.deepEqual(status.peers.map((p) => [p.id, p.lag]), [["n2", 1]]);
    assert.deepEqual((await app.inject("/healthz")).json(), { status: "ok" });
    const metrics = await app.inject("/metrics");
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.headers["content-type"] as string, /^text\/plain/);
    for (const name of [
      "raft_term 7", "raft_elections_total", "raft_proposals_total", "raft_commit_latency_seconds",
      "raft_wal_fsync_seconds", "raft_peer_bytes_sent_total", 'raft_role{role="leader"} 1',
      "raft_commit_index 10", "raft_applied_index 9", "raft_apply_errors_total 0",
    ]) {
      assert.ok(metrics.body.includes(name), `metrics lack ${name}`);
    }
    assert.equal((await app.inject("/nope")).json<ErrorBody>().error.code, "NOT_FOUND");
  });
});

test("the HTTP API serves real requests over a socket", async () => {
  const running = await startHttpApi({ service: new MemoryKvService() }, { port: 0 });
  try {
    const base = `http://127.0.0.1:${running.port}`;
    const put = await fetch(`${base}/v1/kv/k`, {
      method: "PUT", body: JSON.stringify({ value: "v" }),
      headers: { "content-type": "application/json" },
    });
    assert.equal(put.status, 200);
    assert.deepEqual(await (await fetch(`${base}/v1/kv/k`)).json(),
      { key: "k", value: "v", encoding: "utf8" });
  } finally {
    await running.close();
  }
});
