/**
 * `raftkv member|transfer-leader|snapshot` against real HTTP servers backed by a fake cluster
 * (src/server/http/routes_admin_testing.ts): the commands find the leader by following 421
 * redirects, wait out an election, print tables or JSON, and exit non-zero with a clear message
 * on refusals, timeouts and unreachable clusters.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:net";
import { ConfChangeRefusedError, RaftError } from "../core/index.js";
import { startHttpApi, type RunningHttpApi } from "../server/index.js";
import type { MembersJson } from "../server/http/routes_admin.js";
import { FakeCluster } from "../server/http/routes_admin_testing.js";
import { BufferedIo as CapturedIo } from "./admin_client.js";
import { memberAdd, memberChange, memberList } from "./member_command.js";
import { takeSnapshots } from "./snapshot_command.js";
import { transferLeader } from "./transfer_command.js";

class FakeTimeoutError extends RaftError {
  constructor(readonly code: string, readonly definite: boolean) {
    super(`not done in time (${code})`);
  }
}

const servers: RunningHttpApi[] = [];
after(async () => { await Promise.all(servers.map((s) => s.close())); });

/** Nodes n1..n<count> serving the admin routes over real sockets; n1 leads. */
async function fakeNodes(count: number): Promise<{ cluster: FakeCluster; endpoints: string[] }> {
  const ids = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const cluster = new FakeCluster(ids);
  const endpoints: string[] = [];
  for (const id of ids) {
    const api = await startHttpApi({ service: cluster.service(id) }, { port: 0 });
    servers.push(api);
    const member = cluster.members.get(id);
    assert.ok(member?.addresses != null);
    const http = `127.0.0.1:${api.port}`;
    cluster.members.set(id, { ...member, addresses: { ...member.addresses, http } });
    endpoints.push(`127.0.0.1:${api.port}`);
  }
  return { cluster, endpoints };
}

async function closedPort(): Promise<string> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  await new Promise((done) => server.close(done));
  return `127.0.0.1:${address.port}`;
}

describe("raftkv member / transfer-leader / snapshot", { timeout: 30_000 }, () => {
  test("member list follows the leader and shows lag; --json is the API's shape", async () => {
    const { endpoints } = await fakeNodes(3);
    const io = new CapturedIo();
    const follower = endpoints[2] ?? "";
    assert.equal(await memberList({ endpoints: follower }, io), 0);
    assert.match(io.text, /^id\s+role\s+leader\s+peer\s+http\s+redis\s+match\s+lag/);
    assert.match(io.text, /n1\s+voter\s+yes/);
    assert.match(io.text, /answered by n1/, "asked the leader, which knows the lag");
    const json = new CapturedIo();
    assert.equal(await memberList({ endpoints: follower, json: true }, json), 0);
    const view = JSON.parse(json.text) as MembersJson;
    assert.deepEqual(view.members.map((m) => m.id), ["n1", "n2", "n3"]);
    assert.equal(view.members[0]?.lag, 0);
  });

  test("member add from a follower endpoint is redirected to the leader", async () => {
    const { cluster, endpoints } = await fakeNodes(3);
    const io = new CapturedIo();
    const code = await memberAdd("n4", {
      endpoints: `${endpoints[1] ?? ""},${endpoints[2] ?? ""}`, peer: "127.0.0.1:7999",
      http: "127.0.0.1:8999", catchUpTimeout: "4000", lagMax: "10",
    }, io);
    assert.equal(code, 0, io.stderr.join("\n"));
    assert.match(io.text, /^Added n4 as a voter/);
    // Followers refuse (undici itself retries a 421 once, harmlessly: NOT_LEADER is definite).
    const added = cluster.calls.filter((c) => c.method === "addVoter" && c.node === "n1");
    assert.equal(added.length, 1, "the leader ran the change once");
    assert.deepEqual(added[0]?.args[2], { lagMax: 10, timeoutMs: 4000 });

    const learner = new CapturedIo();
    assert.equal(await memberAdd("n5", {
      endpoints: endpoints.join(","), peer: "127.0.0.1:7998", learner: true,
    }, learner), 0);
    assert.match(learner.text, /n5\s+learner/);
    assert.equal(await memberChange("n5", "promote", { endpoints: endpoints.join(",") },
      new CapturedIo()), 0);
    assert.equal(cluster.members.get("n5")?.role, "voter");
    assert.equal(await memberChange("n5", "remove", { endpoints: endpoints.join(",") },
      new CapturedIo()), 0);
    assert.equal(cluster.members.has("n5"), false);
  });

  test("refusals and definite timeouts exit 1 with the code; unknown outcomes exit 3", async () => {
    const { cluster, endpoints } = await fakeNodes(2);
    const list = endpoints.join(",");
    cluster.failures.push(new ConfChangeRefusedError("another change is still uncommitted"));
    const refused = new CapturedIo();
    assert.equal(await memberChange("n2", "remove", { endpoints: list }, refused), 1);
    assert.match(refused.stderr.join(), /CONF_CHANGE_REFUSED.*another change/);
    const missing = new CapturedIo();
    assert.equal(await memberChange("n9", "remove", { endpoints: list }, missing), 1);
    assert.match(missing.stderr.join(), /MEMBER_NOT_FOUND/);

    cluster.failures.push(new FakeTimeoutError("CATCH_UP_TIMEOUT", true));
    const slow = new CapturedIo();
    assert.equal(await memberAdd("n3", { endpoints: list, peer: "h:1" }, slow), 1);
    assert.match(slow.stderr.join(), /^Error CATCH_UP_TIMEOUT: not done in time/);
    cluster.failures.push(new FakeTimeoutError("TRANSFER_TIMEOUT", false));
    const unsure = new CapturedIo();
    assert.equal(await transferLeader({ endpoints: list, to: "n2" }, unsure), 3);
    assert.match(unsure.stderr.join(), /^Unknown outcome/);
  });

  test("transfer-leader moves leadership and reports it; no leader reachable exits 2",
    async () => {
      const { cluster, endpoints } = await fakeNodes(3);
      const io = new CapturedIo();
      assert.equal(await transferLeader({ endpoints: endpoints[2] ?? "", to: "n2" }, io), 0);
      assert.match(io.text, /^Leadership moved from n1 to n2 in \d+ ms$/);
      assert.equal(cluster.leader, "n2");

      const dead = new CapturedIo();
      const code = await transferLeader({ endpoints: await closedPort(), timeout: "300" }, dead);
      assert.equal(code, 2);
      assert.match(dead.stderr.join(), /^Unavailable/);
    });

  test("while no leader is known the command waits (503) until one is elected", async () => {
    const { cluster, endpoints } = await fakeNodes(2);
    cluster.leader = null;
    const electLater = setTimeout(() => { cluster.leader = "n2"; }, 300);
    const io = new CapturedIo();
    assert.equal(await transferLeader({ endpoints: endpoints.join(","), to: "n1" }, io), 0,
      io.stderr.join());
    clearTimeout(electLater);
    assert.match(io.text, /from n2 to n1/);
  });

  test("snapshot asks every endpoint; an unreachable one is named and exits 1", async () => {
    const { cluster, endpoints } = await fakeNodes(2);
    const io = new CapturedIo();
    assert.equal(await takeSnapshots({ endpoints: endpoints.join(",") }, io), 0);
    assert.match(io.text, /n1\s+42/);
    assert.match(io.text, /n2\s+42/);
    assert.equal(cluster.calls.filter((c) => c.method === "snapshotNow").length, 2);
    const partial = new CapturedIo();
    const down = await closedPort();
    const code = await takeSnapshots({ endpoints: `${endpoints[0] ?? ""},${down}`,
      timeout: "300" }, partial);
    assert.equal(code, 1);
    assert.match(partial.stderr.join(), new RegExp(`No snapshot on http://${down}`));
  });
});
