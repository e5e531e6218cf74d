/**
 * Users, tokens and protected mode on the HTTP API (Fastify's inject, in-memory service):
 * 401 with WWW-Authenticate, 403 for a missing permission, open health and metrics routes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get as httpsGet } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { buildHttpApi, startHttpApi } from "../http/server.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { writeTestCerts } from "../testing/test_certs.js";
import { ClientAuth, newToken, tokenHashOf } from "./client_auth.js";
import { loadClientTls } from "./client_tls.js";
import { hashPassword } from "./password_hash.js";

const FAST = { ln: 4, r: 8, p: 1 } as const;
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

interface ErrorBody { error: { code: string; message: string; definite: boolean } }

async function api(openMetrics: boolean) {
  const token = newToken();
  const auth = new ClientAuth({
    users: [
      { name: "app", passwordHash: await hashPassword("a", FAST), permissions: ["read", "write"] },
      { name: "reader", passwordHash: await hashPassword("r", FAST), permissions: ["read"] },
      { name: "ops", passwordHash: await hashPassword("o", FAST), permissions: ["admin"] },
    ],
    tokens: [{ user: "app", tokenHash: tokenHashOf(token) }],
    openHttp: { healthz: true, metrics: openMetrics },
  });
  const app = buildHttpApi({ service: new MemoryKvService(), registry: new Registry(), auth });
  return { app, token };
}

test("no or wrong credentials: 401 with WWW-Authenticate; Basic and Bearer let users in",
  async () => {
  const { app, token } = await api(true);
  const anonymous = await app.inject({ method: "PUT", url: "/v1/kv/k", payload: { value: "v" } });
  assert.equal(anonymous.statusCode, 401);
  assert.match(String(anonymous.headers["www-authenticate"]), /^Basic realm="raftkv".*Bearer/);
  assert.equal(anonymous.json<ErrorBody>().error.code, "UNAUTHENTICATED");
  for (const authorization of [basic("app", "wrong"), basic("nobody", "a"), "Bearer rkv_nope",
    "Digest x", "Basic bm9jb2xvbg=="]) {
    const refused = await app.inject({ url: "/v1/kv/k", headers: { authorization } });
    assert.equal(refused.statusCode, 401, authorization);
  }
  const put = await app.inject({ method: "PUT", url: "/v1/kv/k", payload: { value: "v" },
    headers: { authorization: basic("app", "a") } });
  assert.equal(put.statusCode, 200);
  const get = await app.inject({ url: "/v1/kv/k", headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual([get.statusCode, get.json<{ value: string }>().value], [200, "v"]);
  assert.equal((await app.inject("/v1/status")).statusCode, 401);
  assert.equal((await app.inject({ url: "/v1/status",
    headers: { authorization: basic("reader", "r") } })).statusCode, 200);
});

test("a missing permission is 403: a reader writing, a non-admin removing a member", async () => {
  const { app } = await api(true);
  const reader = { authorization: basic("reader", "r") };
  const write = await app.inject({ method: "PUT", url: "/v1/kv/k", payload: { value: "v" },
    headers: reader });
  assert.equal(write.statusCode, 403);
  assert.equal(write.json<ErrorBody>().error.code, "PERMISSION_DENIED");
  assert.match(write.json<ErrorBody>().error.message, /User reader has no write permission/);
  // However the path is spelled, the route it reaches decides.
  for (const url of ["/v1/%6Bv/k", "/v1/kv/k?x=/healthz", "/v1/kv/%2Fhealthz"]) {
    const sneaky = await app.inject({ method: "PUT", url, payload: { value: "v" },
      headers: reader });
    assert.equal(sneaky.statusCode, 403, url);
  }
  const app2 = { authorization: basic("app", "a") };
  for (const [method, url] of [["DELETE", "/v1/members/n2"], ["POST", "/v1/snapshot"],
    ["POST", "/v1/transfer-leader"], ["GET", "/v1/members"]] as const) {
    const refused = await app.inject({ method, url, headers: app2 });
    assert.equal(refused.statusCode, 403, `${method} ${url}`);
  }
  // Admin passes the check (this in-memory service then has no cluster administration).
  const ops = await app.inject({ method: "DELETE", url: "/v1/members/n2",
    headers: { authorization: basic("ops", "o") } });
  assert.equal(ops.statusCode, 501);
  const opsReads = await app.inject({ url: "/v1/kv/k", headers: { authorization: basic("ops",
    "o") } });
  assert.equal(opsReads.statusCode, 403);
});

test("/healthz and /metrics are open by default and can be protected", async () => {
  const open = (await api(true)).app;
  assert.equal((await open.inject("/healthz")).statusCode, 200);
  assert.equal((await open.inject("/metrics")).statusCode, 200);
  const closed = (await api(false)).app;
  assert.equal((await closed.inject("/healthz")).statusCode, 200);
  assert.equal((await closed.inject("/metrics")).statusCode, 401);
  assert.equal((await closed.inject({ url: "/metrics",
    headers: { authorization: basic("reader", "r") } })).statusCode, 200);
});

test("protected mode: with no users, a non-loopback client gets 403 and the connection closes",
  async () => {
  const app = buildHttpApi({ service: new MemoryKvService(),
    auth: new ClientAuth({ users: [] }) });
  const remote = await app.inject({ url: "/v1/kv/k", remoteAddress: "10.1.2.3" });
  assert.equal(remote.statusCode, 403);
  assert.equal(remote.headers.connection, "close");
  assert.equal(remote.json<ErrorBody>().error.code, "PROTECTED_MODE");
  assert.equal((await app.inject({ url: "/healthz", remoteAddress: "10.1.2.3" })).statusCode, 403);
  assert.equal((await app.inject({ url: "/v1/kv/k", remoteAddress: "127.0.0.1" })).statusCode,
    404);
});

test("HTTPS: a verified client certificate logs in as the user its Common Name names",
  { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-https-"));
  try {
    const files = await writeTestCerts(dir, ["reader", "stranger"]);
    const auth = new ClientAuth({ users: [
      { name: "reader", passwordHash: await hashPassword("r", FAST), permissions: ["read"] },
    ] });
    const tls = loadClientTls({ cert: files.serverCert, key: files.serverKey, ca: files.caCert,
      clientAuth: "optional" });
    const running = await startHttpApi({ service: new MemoryKvService(), auth, tls }, { port: 0 });
    const ca = readFileSync(files.caCert);
    const status = (path: string, user?: string): Promise<number> => new Promise((resolve,
      reject) => {
      const client = user === undefined ? undefined : files.clients.get(user);
      const request = httpsGet(`https://127.0.0.1:${running.port}${path}`, {
        ca, ...(client === undefined ? {}
          : { cert: readFileSync(client.cert), key: readFileSync(client.key) }),
      }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
    });
    assert.equal(await status("/v1/status"), 401);
    assert.equal(await status("/v1/status", "reader"), 200);
    assert.equal(await status("/v1/kv/k", "reader"), 404);
    // A valid certificate for a name that is not a configured user is not a login.
    assert.equal(await status("/v1/status", "stranger"), 401);
    await running.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
