import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { once } from "node:events";
import {
  OutcomeUnknownError, UnavailableError, endpointUrl, parseEndpoints, requestCluster,
} from "./http_client.js";

const servers: Server[] = [];
after(() => { for (const server of servers) server.close(); });

/** A server answering each request with the next of `replies` (the last one repeats). */
interface Reply {
  readonly status: number;
  readonly body: unknown;
}

async function fakeNode(
  replies: readonly Reply[],
): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_request, response) => {
    const reply = replies[Math.min(hits, replies.length - 1)] ?? { status: 500, body: {} };
    hits++;
    response.writeHead(reply.status, { "content-type": "application/json" })
      .end(JSON.stringify(reply.body));
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return { url: `http://127.0.0.1:${address.port}`, hits: () => hits };
}

/** A port nothing listens on (connections are refused). */
async function closedPort(): Promise<string> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  await new Promise((done) => server.close(done));
  return `http://127.0.0.1:${address.port}`;
}

const noLeader = {
  status: 503, body: { error: { code: "NO_LEADER", message: "no leader", definite: true } },
};
const unknown = {
  status: 504,
  body: { error: { code: "UNKNOWN_OUTCOME", message: "timed out", definite: false } },
};

test("endpoints: host:port or URLs; defaults to the local cluster", () => {
  assert.equal(endpointUrl("127.0.0.1:8081/"), "http://127.0.0.1:8081");
  assert.equal(endpointUrl("https://kv.example:443"), "https://kv.example:443");
  assert.deepEqual(parseEndpoints(undefined, {}),
    ["http://127.0.0.1:8081", "http://127.0.0.1:8082", "http://127.0.0.1:8083"]);
  assert.deepEqual(parseEndpoints(undefined, { RAFTKV_ENDPOINTS: "a:1,b:2" }),
    ["http://a:1", "http://b:2"]);
  assert.throws(() => parseEndpoints(",", {}), /at least one/);
});

test("a refused connection and a definite 503 move on to the next endpoint", async () => {
  const refused = await closedPort();
  const busy = await fakeNode([noLeader]);
  const good = await fakeNode([{ status: 200, body: { key: "k", written: true } }]);
  const put = { method: "PUT", path: "/v1/kv/k", body: { value: "v" }, write: true } as const;
  const response = await requestCluster([refused, busy.url, good.url], put);
  assert.equal(response.status, 200);
  assert.equal(response.endpoint, good.url);
  assert.equal(busy.hits(), 1);
});

test("a write with an unknown outcome is reported as such and not retried", async () => {
  const node = await fakeNode([unknown]);
  const other = await fakeNode([{ status: 200, body: {} }]);
  const put = { method: "PUT", path: "/v1/kv/k", write: true } as const;
  await assert.rejects(requestCluster([node.url, other.url], put), OutcomeUnknownError);
  assert.equal(other.hits(), 0);
});

test("when nobody serves the request before the deadline it is unavailable", async () => {
  const node = await fakeNode([noLeader]);
  await assert.rejects(
    requestCluster([node.url], { method: "GET", path: "/v1/kv/k", write: false, deadlineMs: 300 }),
    (error: unknown) => error instanceof UnavailableError && /NO_LEADER/.test(error.message));
  assert.ok(node.hits() >= 2, "it retried until the deadline");
});
