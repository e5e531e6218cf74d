/**
 * Authentication and TLS with the real clients (Done means #2 of issue 11), against one node
 * started in process with users, a bearer token and TLS on both client ports: redis-cli
 * (`--user/--pass`, `--tls --cacert`), ioredis and node-redis (`rediss://user:pass@...`), curl
 * (`--cacert`, Basic, Bearer) and the raftkv CLI (`--user/--password/--cacert`, `--token`).
 * Each refusal is Redis's text or the HTTP status: wrong password, no password, a read-only
 * user writing, a non-admin removing a member. And a real `raftkv node` process refuses to
 * start on a non-loopback address with no users configured.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { stringify as stringifyYaml } from "yaml";
import { resolveConfig } from "../app/config.js";
import { createLogger } from "../app/logger.js";
import { startNodeServer, type RunningNodeServer } from "../app/node_server.js";
import { newToken, tokenHashOf } from "../server/auth/client_auth.js";
import { hashPassword } from "../server/auth/password_hash.js";
import { writeTestCerts, type TestCertFiles } from "../server/testing/test_certs.js";
import { ENTRY_PATH } from "../cli/entry.js";
import { freePortBase } from "./testing/testing_cluster.js";
import { installed } from "./testing/testing_clients.js";

const run = promisify(execFile);


const noRedisCli = installed("redis-cli") ? false
  : "redis-cli missing (apt-get install redis-tools)";
const noCurl = installed("curl") ? false : "curl missing";

const dir = mkdtempSync(join(tmpdir(), "raftkv-client-security-"));
const token = newToken();
let certs: TestCertFiles;
let node: RunningNodeServer | null = null;
let redisPort = 0;
let httpUrl = "";

before(async () => {
  certs = await writeTestCerts(dir, []);
  const base = await freePortBase(1);
  redisPort = base + 1;
  httpUrl = `https://127.0.0.1:${base + 11}`;
  const passwordFile = join(dir, "ops-password");
  writeFileSync(passwordFile, "ops-secret\n");
  const config = resolveConfig({
    clusterId: "auth-test", nodeId: "n1", dataDir: join(dir, "{id}"), peerTls: false,
    members: [{ id: "n1", peer: `127.0.0.1:${base + 21}`, redis: `127.0.0.1:${redisPort}`,
      http: `127.0.0.1:${base + 11}` }],
    tickMs: 10, electionTimeoutMs: { min: 100, max: 200 }, heartbeatIntervalMs: 20,
    logLevel: "warn",
    users: [
      { name: "app", passwordHash: await hashPassword("app-secret"),
        permissions: ["read", "write"] },
      { name: "reader", passwordHash: await hashPassword("r-secret"), permissions: ["read"] },
      { name: "ops", passwordFile, permissions: ["read", "write", "admin"] },
    ],
    tokens: [{ user: "app", tokenHash: tokenHashOf(token) }],
    tls: { cert: certs.serverCert, key: certs.serverKey },
  }, "test");
  node = await startNodeServer(config, createLogger({ level: "warn", format: "json" }));
  const kv = node.kv;
  // A single voter elects itself; wait for that event rather than polling.
  if (kv.status().role !== "leader") {
    await new Promise<void>((resolve) => {
      kv.node.on("leaderChange", ({ leaderId }) => { if (leaderId !== null) resolve(); });
    });
  }
});
after(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function redisCli(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run("redis-cli", ["--no-auth-warning", "-p",
    String(redisPort), "--tls", "--cacert", certs.caCert, ...args], { timeout: 10_000 });
  return `${stderr}${stdout}`.trim();
}

test("redis-cli over TLS: --user/--pass, wrong and missing passwords, a reader writing, CONFIG",
  { skip: noRedisCli, timeout: 30_000 }, async () => {
  assert.equal(await redisCli("--user", "app", "--pass", "app-secret", "SET", "k", "v1"), "OK");
  assert.equal(await redisCli("--user", "reader", "--pass", "r-secret", "GET", "k"), "v1");
  assert.equal(await redisCli("--user", "reader", "--pass", "r-secret", "SET", "k", "x"),
    "NOPERM User reader has no permissions to run the 'set' command");
  // As with Redis: the failed AUTH is reported, then the command is refused.
  assert.equal(await redisCli("--user", "app", "--pass", "wrong", "GET", "k"),
    "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n" +
    "NOAUTH Authentication required.");
  assert.equal(await redisCli("GET", "k"), "NOAUTH Authentication required.");
  assert.equal(await redisCli("--user", "app", "--pass", "app-secret", "CONFIG", "GET", "x"),
    "NOPERM User app has no permissions to run the 'config|get' command");
});

test("ioredis and node-redis with rediss://user:pass@ URLs", { timeout: 30_000 }, async () => {
  const ca = readFileSync(certs.caCert);
  const io = new Redis(`rediss://app:app-secret@127.0.0.1:${redisPort}`,
    { tls: { ca }, lazyConnect: true, maxRetriesPerRequest: 1 });
  await io.connect();
  assert.equal(await io.set("io", "1"), "OK");
  assert.equal(await io.incr("io"), 2);
  io.disconnect();
  const nr = createClient({ url: `rediss://reader:r-secret@127.0.0.1:${redisPort}`,
    socket: { tls: true, ca, reconnectStrategy: false } });
  nr.on("error", () => undefined);
  await nr.connect();
  assert.equal(await nr.get("io"), "2");
  await assert.rejects(nr.set("io", "3"), /NOPERM User reader has no permissions/);
  await nr.close();
  const wrong = createClient({ url: `rediss://reader:nope@127.0.0.1:${redisPort}`,
    socket: { tls: true, ca, reconnectStrategy: false } });
  wrong.on("error", () => undefined);
  await assert.rejects(wrong.connect(), /WRONGPASS/);
  const untrusted = new Redis(`rediss://app:app-secret@127.0.0.1:${redisPort}`,
    { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const errors: Error[] = [];
  untrusted.on("error", (error: Error) => { errors.push(error); });
  await assert.rejects(untrusted.connect());
  assert.match(errors.map((e) => e.message).join("\n"), /certificate/);
});

async function curl(...args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run("curl", ["-s", "--cacert", certs.caCert, "-w", "\n%{http_code}",
    ...args], { timeout: 10_000 });
  const split = stdout.lastIndexOf("\n");
  return { status: Number(stdout.slice(split + 1)), body: stdout.slice(0, split) };
}

test("curl --cacert: Basic and Bearer; 401 without or with wrong credentials; 403 for a " +
  "reader writing and a non-admin removing a member", { skip: noCurl, timeout: 30_000 },
async () => {
  const put = await curl("-X", "PUT", "-u", "app:app-secret", "-H", "content-type: text/plain",
    "--data-binary", "hello", `${httpUrl}/v1/kv/greeting`);
  assert.equal(put.status, 200, put.body);
  const bearer = await curl("-H", `Authorization: Bearer ${token}`, `${httpUrl}/v1/kv/greeting`);
  assert.equal((JSON.parse(bearer.body) as { value: string }).value, "hello");
  const anonymous = await curl("-i", `${httpUrl}/v1/kv/greeting`);
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.body, /www-authenticate: Basic realm="raftkv"/i);
  assert.equal((await curl("-u", "app:wrong", `${httpUrl}/v1/kv/greeting`)).status, 401);
  assert.equal((await curl("-H", "Authorization: Bearer rkv_forged",
    `${httpUrl}/v1/kv/greeting`)).status, 401);
  const readerWrites = await curl("-X", "DELETE", "-u", "reader:r-secret",
    `${httpUrl}/v1/kv/greeting`);
  assert.equal(readerWrites.status, 403);
  const removal = await curl("-X", "DELETE", "-u", "app:app-secret", `${httpUrl}/v1/members/n2`);
  assert.equal(removal.status, 403);
  assert.match(removal.body, /"code":"PERMISSION_DENIED"/);
  const admin = await curl("-X", "DELETE", "-u", "ops:ops-secret", `${httpUrl}/v1/members/n2`);
  assert.equal(admin.status, 404, admin.body);
  assert.equal((await curl(`${httpUrl}/healthz`)).status, 200);
});

test("the raftkv CLI takes --user/--password/--cacert, --token and RAFTKV_* variables",
  { timeout: 60_000 }, async () => {
  const endpoint = httpUrl.replace("https://", "");
  const cli = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [ENTRY_PATH, ...args], { timeout: 20_000,
      env: { ...process.env, ...env } }).then(({ stdout }) => stdout.trim(),
      (error: unknown) => {
        const failed = error as { stderr: string; code: number };
        return `exit ${failed.code}: ${failed.stderr.trim()}`;
      });
  const flags = ["-e", endpoint, "--cacert", certs.caCert];
  assert.equal(await cli(["put", "cli", "v", ...flags, "--user", "app", "--password",
    "app-secret"]), "OK");
  assert.equal(await cli(["get", "cli", ...flags, "--token", token]), "v");
  assert.equal(await cli(["get", "cli", "-e", endpoint],
    { RAFTKV_CACERT: certs.caCert, RAFTKV_USER: "reader", RAFTKV_PASSWORD: "r-secret" }), "v");
  assert.match(await cli(["get", "cli", ...flags]), /^exit 1: Error UNAUTHENTICATED/);
  assert.match(await cli(["del", "cli", ...flags, "--user", "reader", "--password", "r-secret"]),
    /^exit 1: Error PERMISSION_DENIED: User reader has no write permission/);
  assert.match(await cli(["member", "remove", "n2", ...flags, "--token", token]),
    /^exit 1: Error PERMISSION_DENIED/);
  assert.match(await cli(["status", ...flags, "--user", "ops", "--password", "ops-secret"]),
    /n1 +leader/);
});

test("a node with no users refuses to listen for clients on a non-loopback address",
  { timeout: 30_000 }, async () => {
  const configPath = join(dir, "open.yaml");
  writeFileSync(configPath, stringifyYaml({
    clusterId: "open", nodeId: "n1", dataDir: join(dir, "open"), peerTls: false,
    members: [{ id: "n1", peer: "127.0.0.1:1", redis: "0.0.0.0:2", http: "127.0.0.1:3" }],
  }));
  const failed = await run(process.execPath, [ENTRY_PATH, "node", "--config", configPath],
    { timeout: 20_000 })
    .then(() => null, (error: unknown) => error as { code: number; stderr: string });
  assert.ok(failed !== null, "the node started");
  assert.equal(failed.code, 78);
  assert.match(failed.stderr, /Refusing to serve Redis clients on 0\.0\.0\.0: no users are /);
  assert.match(failed.stderr, /requirepass/);
});
