/**
 * A removed node stops serving clients: the HTTP API answers 410 Gone (health checks included,
 * so a load balancer takes it out) while /metrics keeps answering; RESP answers every command
 * (PING included) with -ERR.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { Registry } from "prom-client";
import { RemovedFromClusterError } from "../../node/index.js";
import { errorReply } from "../resp/error_replies.js";
import { RespServer } from "../resp/server.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { buildHttpApi } from "./server.js";

test("a removed node answers 410 on the API and its health checks, and still serves /metrics", async () => {
  let removal: Error | null = null;
  const app = buildHttpApi({
    service: new MemoryKvService(), registry: new Registry(), removal: () => removal,
  });
  try {
    // Known good first: a member serves.
    assert.equal((await app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
    assert.equal((await app.inject({ method: "PUT", url: "/v1/kv/a", payload: "1",
      headers: { "content-type": "text/plain" } })).statusCode, 200);
    removal = new RemovedFromClusterError("n3", 42);
    const put = await app.inject({ method: "PUT", url: "/v1/kv/a", payload: "2",
      headers: { "content-type": "text/plain" } });
    assert.equal(put.statusCode, 410);
    const body = put.json<{ error: { code: string; message: string; definite: boolean } }>();
    assert.equal(body.error.code, "REMOVED");
    assert.equal(body.error.definite, true);
    assert.match(body.error.message, /n3 was removed from the cluster \(configuration at index 42\)/);
    for (const url of ["/v1/kv/a", "/v1/status", "/v1/members"]) {
      assert.equal((await app.inject({ method: "GET", url })).statusCode, 410, url);
    }
    const health = await app.inject({ method: "GET", url: "/healthz" });
    assert.equal(health.statusCode, 410);
    assert.equal(health.json<{ status: string }>().status, "removed");
    assert.equal((await app.inject({ method: "GET", url: "/readyz" })).statusCode, 410);
    assert.equal((await app.inject({ method: "GET", url: "/metrics" })).statusCode, 200);
  } finally {
    await app.close();
  }
});

test("RESP answers a removed node's refusal with -ERR and the reason", () => {
  const reply = errorReply(new RemovedFromClusterError("n3", 42));
  assert.deepEqual(reply, errorReply(new RemovedFromClusterError("n3", 42)));
  const text = JSON.stringify(reply);
  assert.match(text, /ERR n3 was removed from the cluster \(configuration at index 42\)/);
});

test("a removed node answers every RESP command, PING included, with -ERR removed", async () => {
  let removal: Error | null = null;
  const server = await RespServer.start({ service: new MemoryKvService(), removal: () => removal },
    { host: "127.0.0.1", port: 0 });
  try {
    const ask = (command: string): Promise<string> => new Promise((resolve, reject) => {
      const socket = connect(server.port, "127.0.0.1");
      socket.on("data", (chunk: Buffer) => {
        socket.destroy();
        resolve(chunk.toString());
      });
      socket.on("error", reject);
      socket.write(`${command}\r\n`);
    });
    assert.equal(await ask("PING"), "+PONG\r\n");
    removal = new RemovedFromClusterError("n3", 42);
    for (const command of ["PING", "GET a", "SET a 1"]) {
      assert.match(await ask(command), /^-ERR n3 was removed from the cluster \(configuration at index 42\)/,
        command);
    }
  } finally {
    await server.close();
  }
});
