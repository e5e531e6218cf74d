/**
 * The fast path answers what the Fastify routes answer: every request below goes over real
 * sockets to two APIs over identical in-memory services, one with the fast path and one
 * without, and the status, headers (but Date) and body must match. A hook on the fast API
 * counts what Fastify saw, so the test also knows which requests the fast path took: the plain
 * GETs and PUTs, and nothing that must be refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { NotLeaderError, nodeId } from "../../core/index.js";
import { OutcomeUnknownError, RemovedFromClusterError } from "../../node/index.js";
import { ClientAuth, newToken, tokenHashOf } from "../auth/client_auth.js";
import { hashPassword } from "../auth/password_hash.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import type { FastifyInstance } from "fastify";
import { buildHttpApi } from "./server.js";

interface Sent {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

function send(port: number, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: "127.0.0.1", port, method: sent.method ?? "GET", path: sent.path,
      headers: sent.headers ?? {},
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const headers = { ...res.headers };
        delete headers.date;
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString() });
      });
    });
    req.on("error", reject);
    req.end(sent.body);
  });
}

const octets = (body: string | Buffer): Pick<Sent, "headers" | "body"> => ({
  headers: { "content-type": "application/octet-stream" }, body,
});

interface Api {
  readonly app: FastifyInstance;
  readonly port: number;
}

interface Pair {
  readonly fast: Api;
  readonly slow: Api;
  readonly services: readonly MemoryKvService[];
  /** Requests Fastify handled on the fast API so far. */
  fastifySaw(): number;
  close(): Promise<void>;
}

async function pair(auth: () => ClientAuth | undefined, removed = false): Promise<Pair> {
  const services = [new MemoryKvService(), new MemoryKvService()] as const;
  let saw = 0;
  const start = async (service: MemoryKvService, fastPath: boolean): Promise<Api> => {
    const a = auth();
    const app = buildHttpApi({
      service, ...(a === undefined ? {} : { auth: a }),
      ...(removed ? { removal: () => new RemovedFromClusterError("n1", 7) } : {}),
    }, { fastPath });
    if (fastPath) {
      app.addHook("onResponse", (_request, _reply, done) => {
        saw += 1;
        done();
      });
    }
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    assert.ok(address !== null && typeof address === "object");
    return { app, port: address.port };
  };
  const fast = await start(services[0], true);
  const slow = await start(services[1], false);
  return {
    fast, slow, services, fastifySaw: () => saw,
    close: async () => { await Promise.all([fast.app.close(), slow.app.close()]); },
  };
}

/** Sends `sent` to both; returns whether the fast path took it. */
async function same(p: Pair, sent: Sent, what: string): Promise<boolean> {
  const before = p.fastifySaw();
  const [fast, slow] = await Promise.all([send(p.fast.port, sent), send(p.slow.port, sent)]);
  assert.deepEqual(fast, slow, what);
  return p.fastifySaw() === before;
}

test("plain GETs and PUTs take the fast path and answer as Fastify does; the rest fall through",
  async () => {
  const p = await pair(() => undefined);
  try {
    const cases: readonly [string, Sent, boolean][] = [
      ["GET of a missing key", { path: "/v1/kv/k1" }, true],
      ["PUT of raw bytes", { method: "PUT", path: "/v1/kv/k1", ...octets("hello") }, true],
      ["GET of it", { path: "/v1/kv/k1" }, true],
      ["GET ?encoding=base64", { path: "/v1/kv/k1?encoding=base64" }, true],
      ["GET ?encoding=utf8", { path: "/v1/kv/k1?encoding=utf8" }, true],
      ["PUT of bytes that are not UTF-8",
        { method: "PUT", path: "/v1/kv/bin", ...octets(Buffer.from([0xff, 0, 0xfe])) }, true],
      ["GET of them (base64)", { path: "/v1/kv/bin" }, true],
      ["a key of every plain character",
        { method: "PUT", path: "/v1/kv/aZ09._~:@!$*+,=-", ...octets("x") }, true],
      ["GET ?encoding=bogus", { path: "/v1/kv/k1?encoding=bogus" }, false],
      ["GET with another query", { path: "/v1/kv/k1?x=1" }, false],
      ["a percent-escaped key", { path: "/v1/kv/k%31" }, false],
      ["a key with a slash after it", { path: "/v1/kv/k1/" }, false],
      ["HEAD", { method: "HEAD", path: "/v1/kv/k1" }, false],
      ["PUT as JSON", { method: "PUT", path: "/v1/kv/k2", headers: {
        "content-type": "application/json" }, body: JSON.stringify({ value: "v" }) }, false],
      ["PUT as text", { method: "PUT", path: "/v1/kv/k3", headers: {
        "content-type": "text/plain" }, body: "t" }, false],
      ["PUT ?nx of an existing key", { method: "PUT", path: "/v1/kv/k1?nx", ...octets("n") }, false],
      ["PUT of an empty body", { method: "PUT", path: "/v1/kv/k4", ...octets("") }, false],
      ["PUT of a body over 64 KiB",
        { method: "PUT", path: "/v1/kv/k5", ...octets(Buffer.alloc(65 * 1024, 0x61)) }, false],
      ["PUT without a Content-Type", { method: "PUT", path: "/v1/kv/k6", body: "b" }, false],
      ["a key over keyBytesMax", { path: `/v1/kv/${"k".repeat(64 * 1024 + 1)}` }, false],
      ["GET of the base64url route", { path: "/v1/kv-b64/azE" }, false],
      ["GET with a body", { path: "/v1/kv/k1", body: "b", headers: {
        "content-type": "application/octet-stream", "content-length": "1" } }, false],
    ];
    for (const [what, sent, takesFastPath] of cases) {
      assert.equal(await same(p, sent, what), takesFastPath, `${what}: fast path`);
    }
    const [fastStore, slowStore] = p.services as [MemoryKvService, MemoryKvService];
    assert.deepEqual(await fastStore.get(Buffer.from("bin")), await slowStore.get(Buffer.from("bin")));
  } finally {
    await p.close();
  }
});

test("a failed read or write answers with the same error as through Fastify", async () => {
  const p = await pair(() => undefined);
  try {
    const failures: readonly [string, () => unknown][] = [
      ["not the leader, leader known", () => new NotLeaderError(nodeId("n2"))],
      ["no leader", () => new NotLeaderError(null)],
      ["outcome unknown", () => new OutcomeUnknownError("the leader changed")],
      ["a bug", () => new Error("boom")],
    ];
    for (const [what, failure] of failures) {
      const sends: readonly Sent[] = [{ path: "/v1/kv/k" }, { method: "PUT", path: "/v1/kv/k", ...octets("v") }];
      for (const sent of sends) {
        for (const service of p.services) service.failures.push(failure());
        assert.equal(await same(p, sent, `${what}: ${sent.method ?? "GET"}`), true);
      }
    }
  } finally {
    await p.close();
  }
});

test("with authentication, only requests that pass it take the fast path", async () => {
  const token = newToken();
  const readerToken = newToken();
  const hash = await hashPassword("a", { ln: 4, r: 8, p: 1 });
  const p = await pair(() => new ClientAuth({
    users: [
      { name: "app", passwordHash: hash, permissions: ["read", "write"] },
      { name: "reader", passwordHash: hash, permissions: ["read"] },
    ],
    tokens: [{ user: "app", tokenHash: tokenHashOf(token) },
      { user: "reader", tokenHash: tokenHashOf(readerToken) }],
    openHttp: { healthz: true, metrics: true },
  }));
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const basic = `Basic ${Buffer.from("app:a").toString("base64")}`;
  try {
    const put = (headers: Record<string, string>): Sent =>
      ({ method: "PUT", path: "/v1/kv/k", ...octets("v"),
        headers: { "content-type": "application/octet-stream", ...headers } });
    const cases: readonly [string, Sent, boolean][] = [
      ["no credentials", { path: "/v1/kv/k" }, false],
      ["a wrong token", { path: "/v1/kv/k", headers: bearer("rkv_wrong") }, false],
      ["a writer's token", put(bearer(token)), true],
      ["a writer's password", put({ authorization: basic }), true],
      ["a reader writing", put(bearer(readerToken)), false],
      ["a reader reading", { path: "/v1/kv/k", headers: bearer(readerToken) }, true],
    ];
    for (const [what, sent, takesFastPath] of cases) {
      assert.equal(await same(p, sent, what), takesFastPath, `${what}: fast path`);
    }
  } finally {
    await p.close();
  }
});

test("a removed node's key routes answer 410 through Fastify", async () => {
  const p = await pair(() => undefined, true);
  try {
    assert.equal(await same(p, { path: "/v1/kv/k" }, "GET"), false);
    assert.equal((await send(p.fast.port, { path: "/v1/kv/k" })).status, 410);
  } finally {
    await p.close();
  }
});
