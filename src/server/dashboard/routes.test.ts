/**
 * The dashboard's routes on the HTTP API (in-memory service, a fake node): the redirect, the
 * static assets, this node's view, the cluster view with a member that does not answer, the
 * server-sent event stream, the controls (absent unless given, a required header, admin only
 * under authentication) and the credentials the page needs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { Registry } from "prom-client";
import { nodeId, term } from "../../core/index.js";
import { buildHttpApi, startHttpApi } from "../http/server.js";
import { ClientAuth } from "../auth/client_auth.js";
import { hashPassword } from "../auth/password_hash.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { FakeDashboardNode, member } from "../testing/fake_dashboard_node.js";
import type { ClusterView } from "./cluster_view.js";
import { DashboardRecorder, type LocalView } from "./recorder.js";
import { CONTROL_HEADER, type DashboardControls } from "./routes.js";

interface ErrorBody { error: { code: string; message: string } }

function dashboardFor(node: FakeDashboardNode): DashboardRecorder {
  const recorder = new DashboardRecorder(node.id);
  recorder.attach(node, null);
  return recorder;
}

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  assert.ok(address !== null && typeof address === "object");
  return address.port;
}
const deadPort = await closedPort();

/** A node n1 whose peer n2 listens nowhere. */
function lonelyNode(): FakeDashboardNode {
  const node = new FakeDashboardNode("n1");
  node.membersNow = [member("n1", "127.0.0.1:1"), member("n2", `127.0.0.1:${deadPort}`)];
  return node;
}

test("/ redirects to /dashboard; the page, script and style are served without a CDN",
  async () => {
    const app = buildHttpApi({
      service: new MemoryKvService(), dashboard: { recorder: dashboardFor(lonelyNode()) },
    });
    try {
      const root = await app.inject("/");
      assert.equal(root.statusCode, 302);
      assert.equal(root.headers.location, "/dashboard");
      const page = await app.inject("/dashboard");
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers["content-type"]), /^text\/html/);
      assert.doesNotMatch(page.body, /https?:\/\/(?!www\.w3\.org)/, "nothing from the network");
      for (const [path, type] of [["/dashboard/app.js", /javascript/], ["/dashboard/style.css",
        /css/]] as const) {
        const asset = await app.inject(path);
        assert.equal(asset.statusCode, 200, path);
        assert.match(String(asset.headers["content-type"]), type);
      }
      // No controls unless the node was started with them.
      const control = await app.inject({ method: "POST", url: "/v1/dashboard/control/stop",
        headers: { [CONTROL_HEADER]: "1" }, payload: { node: "n2" } });
      assert.equal(control.statusCode, 404);
    } finally {
      await app.close();
    }
  });

test("the cluster view lists every member and shows one that does not answer as down",
  async () => {
    const node = lonelyNode();
    const app = buildHttpApi({ service: new MemoryKvService(), dashboard: {
      recorder: dashboardFor(node) } });
    try {
      const local = (await app.inject("/v1/dashboard/local")).json<LocalView>();
      assert.equal(local.id, "n1");
      assert.deepEqual(local.members.map((m) => m.id), ["n1", "n2"]);
      const view = (await app.inject("/v1/dashboard/cluster")).json<ClusterView>();
      assert.equal(view.servedBy, "n1");
      assert.equal(view.controls, false);
      const self = view.nodes.find((n) => n.id === "n1");
      const peer = view.nodes.find((n) => n.id === "n2");
      assert.ok(self !== undefined && peer !== undefined);
      assert.equal(self.up, true);
      assert.equal(self.self, true);
      assert.equal(peer.up, false);
      assert.equal(peer.view, null, "no stale numbers for a node that does not answer");
      assert.equal(peer.error, "connection refused (not running?)");
    } finally {
      await app.close();
    }
  });

test("the event stream pushes the cluster view; closing the server ends it", async () => {
  const api = await startHttpApi({ service: new MemoryKvService(), dashboard: {
    recorder: dashboardFor(lonelyNode()) } }, { port: 0 });
  try {
    const response = await fetch(`http://127.0.0.1:${api.port}/v1/dashboard/events`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.ok(response.body !== null);
    const reader = response.body.getReader();
    let text = "";
    while (!text.includes("event: cluster\ndata: ")) {
      const { value, done } = await reader.read() as { value?: Uint8Array; done: boolean };
      assert.equal(done, false, `stream ended early: ${text}`);
      text += Buffer.from(value ?? new Uint8Array()).toString("utf8");
    }
    const data = text.slice(text.indexOf("data: ") + 6).split("\n", 1)[0] ?? "";
    assert.equal((JSON.parse(data) as ClusterView).servedBy, "n1");
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })();
    await api.close();
    assert.equal(await ended, true);
  } finally {
    await api.close();
  }
});

test("controls: need the dashboard header, report the parent's refusal, and are admin-only",
  async () => {
    const calls: string[] = [];
    const controls: DashboardControls = {
      stop: (node) => { calls.push(`stop ${node}`); return Promise.resolve(); },
      restart: (node) => Promise.reject(new Error(`${node} is already running`)),
      partition: (node, isolated) => {
        calls.push(`partition ${node} ${isolated}`);
        return Promise.resolve();
      },
    };
    const FAST = { ln: 4, r: 8, p: 1 } as const;
    const auth = new ClientAuth({
      users: [
        { name: "reader", passwordHash: await hashPassword("r", FAST), permissions: ["read"] },
        { name: "ops", passwordHash: await hashPassword("o", FAST), permissions: ["admin"] },
      ],
      tokens: [], openHttp: { healthz: true, metrics: true },
    });
    const basic = (user: string, password: string): string =>
      `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    const app = buildHttpApi({ service: new MemoryKvService(), registry: new Registry(), auth,
      dashboard: { recorder: dashboardFor(lonelyNode()), controls } });
    const post = (path: string, payload: object, headers: Record<string, string>) =>
      app.inject({ method: "POST", url: `/v1/dashboard/control/${path}`, payload, headers });
    const ops = { authorization: basic("ops", "o") };
    try {
      const anonymous = await app.inject("/dashboard");
      assert.equal(anonymous.statusCode, 401, "the page needs credentials when users exist");
      assert.match(String(anonymous.headers["www-authenticate"]), /^Basic/);
      const reader = { authorization: basic("reader", "r") };
      assert.equal((await app.inject({ url: "/dashboard", headers: reader })).statusCode, 200);
      assert.equal((await app.inject({ url: "/v1/dashboard/cluster", headers: reader }))
        .statusCode, 200);
      const denied = await post("stop", { node: "n2" }, { ...reader, [CONTROL_HEADER]: "1" });
      assert.equal(denied.statusCode, 403);
      const noHeader = await post("stop", { node: "n2" }, ops);
      assert.equal(noHeader.statusCode, 400);
      assert.match(noHeader.json<ErrorBody>().error.message, new RegExp(CONTROL_HEADER));
      const withHeader = { ...ops, [CONTROL_HEADER]: "1" };
      assert.equal((await post("stop", { node: "n2" }, withHeader)).statusCode, 200);
      assert.equal((await post("partition", { node: "n3", isolated: true }, withHeader))
        .statusCode, 200);
      const refused = await post("restart", { node: "n2" }, withHeader);
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json<ErrorBody>().error.code, "CONTROL_FAILED");
      const bad = await post("stop", { node: "../etc" }, withHeader);
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(calls, ["stop n2", "partition n3 true"], "bad requests changed nothing");
    } finally {
      await app.close();
    }
  });

test("the cluster view takes each peer's own view; of two claimed leaders the higher term wins",
  async () => {
    const node = new FakeDashboardNode("n1");
    node.statusNow = { ...node.statusNow, role: "leader", term: term(3), leaderId: nodeId("n1") };
    const recorder = dashboardFor(node);
    const peerView: LocalView = {
      ...recorder.localView(), id: "n2", role: "leader", term: 5, leaderId: "n2", commit: 42,
      members: [], events: [],
    };
    const peer = createHttpServer((request, response) => {
      response.writeHead(request.url === "/v1/dashboard/local" ? 200 : 404,
        { "content-type": "application/json" });
      response.end(JSON.stringify(peerView));
    });
    await new Promise<void>((done) => peer.listen(0, "127.0.0.1", done));
    const address = peer.address();
    assert.ok(address !== null && typeof address === "object");
    node.membersNow = [member("n1", "127.0.0.1:1"), member("n2", `127.0.0.1:${address.port}`)];
    const app = buildHttpApi({ service: new MemoryKvService(), dashboard: { recorder } });
    try {
      const view = (await app.inject("/v1/dashboard/cluster")).json<ClusterView>();
      assert.equal(view.leaderId, "n2");
      const card = view.nodes.find((n) => n.id === "n2");
      assert.equal(card?.up, true);
      assert.equal(card.view?.commit, 42);
    } finally {
      await app.close();
      await new Promise((done) => peer.close(done));
    }
  });
