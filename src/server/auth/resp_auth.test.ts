/**
 * Users and permissions on the Redis protocol, in process over TCP (and TLS) with the in-memory
 * service: the exact error texts with a raw client, and ioredis authenticating as it does by
 * default (AUTH or HELLO pipelined ahead of its first commands).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { RespServer } from "../resp/server.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { RawRespClient } from "../testing/raw_resp_client.js";
import { writeTestCerts } from "../testing/test_certs.js";
import { ClientAuth } from "./client_auth.js";
import { loadClientTls } from "./client_tls.js";
import { hashPassword } from "./password_hash.js";
import { PROTECTED_MODE_TEXT } from "./protected_mode.js";

const FAST = { ln: 4, r: 8, p: 1 } as const;
const cmd = (...args: string[]): string =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;

async function usersAuth(): Promise<ClientAuth> {
  return new ClientAuth({
    users: [
      { name: "default", passwordHash: await hashPassword("secret", FAST),
        permissions: ["read", "write", "admin"] },
      { name: "reader", passwordHash: await hashPassword("rpass", FAST), permissions: ["read"] },
    ],
  });
}

describe("RESP with users", { timeout: 30_000 }, () => {
  let server: RespServer;
  before(async () => {
    server = await RespServer.start({ service: new MemoryKvService(), auth: await usersAuth() },
      { port: 0 });
  });
  after(async () => { await server.close(); });

  /** The replies to `requests`, read until the QUIT sent after them closes the connection. */
  async function replies(requests: string[]): Promise<string> {
    const client = await RawRespClient.connect(server.port);
    client.send(requests.join("") + cmd("QUIT"));
    const text = await client.untilClosed();
    assert.ok(text.endsWith("+OK\r\n"), text);
    return text.slice(0, -"+OK\r\n".length);
  }

  test("Redis's texts: NOAUTH, WRONGPASS, unknown command first, HELLO before auth", async () => {
    assert.equal(await replies([
      cmd("GET", "k"), cmd("AUTH", "wrong"), cmd("AUTH", "nobody", "secret"),
      cmd("AUTH", "a", "b", "c"), cmd("FOO", "bar"), cmd("PING"),
    ]), "-NOAUTH Authentication required.\r\n" +
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n" +
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n" +
      "-ERR syntax error\r\n" +
      "-ERR unknown command 'FOO', with args beginning with: 'bar' \r\n" +
      "-NOAUTH Authentication required.\r\n");
    const hello = await replies([cmd("HELLO", "3")]);
    assert.match(hello, /^-NOAUTH HELLO must be called with the client already authenticated, /);
    assert.equal(await replies([cmd("HELLO", "3", "AUTH", "reader", "bad")]),
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  });

  test("AUTH pipelined ahead of commands applies to them; NOPERM for a read-only user",
    async () => {
    assert.equal(await replies([cmd("AUTH", "secret"), cmd("SET", "k", "v"), cmd("GET", "k")]),
      "+OK\r\n+OK\r\n$1\r\nv\r\n");
    const readerSession = await replies([
      cmd("AUTH", "reader", "rpass"), cmd("GET", "k"), cmd("SET", "k", "x"),
      cmd("CONFIG", "GET", "x"), cmd("DEL", "k"), cmd("CLIENT", "LIST"), cmd("CLIENT", "ID"),
    ]);
    assert.equal(readerSession.replace(/:[0-9]+\r\n$/, ":ID\r\n"), "+OK\r\n$1\r\nv\r\n" +
      "-NOPERM User reader has no permissions to run the 'set' command\r\n" +
      "-NOPERM User reader has no permissions to run the 'config|get' command\r\n" +
      "-NOPERM User reader has no permissions to run the 'del' command\r\n" +
      "-NOPERM User reader has no permissions to run the 'client|list' command\r\n:ID\r\n");
    // A failed AUTH keeps the identity the client had.
    assert.equal(await replies([cmd("AUTH", "reader", "rpass"), cmd("AUTH", "reader", "x"),
      cmd("GET", "k")]), "+OK\r\n-WRONGPASS invalid username-password pair or user is " +
      "disabled.\r\n$1\r\nv\r\n");
  });

  test("HELLO 3 AUTH answers in RESP3 once authenticated", async () => {
    const text = await replies([cmd("HELLO", "3", "AUTH", "reader", "rpass"), cmd("GET", "k")]);
    assert.match(text, /^%7\r\n\$6\r\nserver\r\n\$6\r\nraftkv\r\n/);
    assert.match(text, /\$1\r\nv\r\n$/);
  });

  test("ioredis with username and password, RESP2 and RESP3; a wrong password is refused",
    async () => {
    for (const protocol of [2, 3] as const) {
      const redis = new Redis({ port: server.port, host: "127.0.0.1", protocol,
        username: "reader", password: "rpass", lazyConnect: true, maxRetriesPerRequest: 0 });
      await redis.connect();
      assert.equal(await redis.get("k"), "v");
      await assert.rejects(redis.set("k", "w"), /NOPERM User reader has no permissions/);
      redis.disconnect();
    }
    const wrong = new Redis({ port: server.port, host: "127.0.0.1", password: "nope",
      lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const errors: Error[] = [];
    wrong.on("error", (error: Error) => { errors.push(error); });
    await assert.rejects(wrong.connect());
    assert.match(errors.map((e) => e.message).join("\n"), /WRONGPASS invalid username-password/);
    wrong.disconnect();
  });
});

test("with no users: no AUTH needed, AUTH <password> gets Redis's no-password text",
  { timeout: 10_000 }, async () => {
  const server = await RespServer.start(
    { service: new MemoryKvService(), auth: new ClientAuth({ users: [] }) }, { port: 0 });
  const client = await RawRespClient.connect(server.port);
  client.send(cmd("SET", "k", "v") + cmd("AUTH", "x") + cmd("AUTH", "default", "any") +
    cmd("AUTH", "bob", "any"));
  const text = await client.until((t) => t.split("\r\n").length > 4);
  assert.equal(text, "+OK\r\n-ERR AUTH <password> called without any password configured " +
    "for the default user. Are you sure your configuration is correct?\r\n+OK\r\n" +
    "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  client.destroy();
  await server.close();
});

/** This machine's first non-loopback IPv4 address, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat()
    .find((info) => info?.family === "IPv4" && !info.internal)?.address;
}

test("protected mode: with no users, a client from a non-loopback address gets DENIED and is " +
  "closed", { timeout: 10_000, skip: externalAddress() === undefined && "no external address" },
async () => {
  const server = await RespServer.start(
    { service: new MemoryKvService(), auth: new ClientAuth({ users: [] }) },
    { port: 0, host: "0.0.0.0" });
  const local = await RawRespClient.connect(server.port);
  assert.equal(await local.exchange(cmd("PING"), "+PONG\r\n"), "+PONG\r\n");
  local.destroy();
  const { connect } = await import("node:net");
  const socket = connect(server.port, externalAddress());
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => { chunks.push(chunk); });
  socket.write(cmd("PING"));
  await new Promise((resolve) => socket.on("close", resolve));
  assert.equal(Buffer.concat(chunks).toString(), `-${PROTECTED_MODE_TEXT}\r\n`);
  await server.close();
});

test("TLS: ioredis over TLS with the CA; a client certificate authenticates as its CN user",
  { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-tls-"));
  try {
    const files = await writeTestCerts(dir, ["reader"]);
    const tls = loadClientTls({ cert: files.serverCert, key: files.serverKey,
      ca: files.caCert, clientAuth: "optional" });
    const server = await RespServer.start(
      { service: new MemoryKvService(), auth: await usersAuth(), tls }, { port: 0 });
    const ca = readFileSync(files.caCert);
    const plainTls = new Redis({ port: server.port, host: "127.0.0.1", password: "secret",
      tls: { ca, servername: "localhost" }, lazyConnect: true, maxRetriesPerRequest: 0 });
    await plainTls.connect();
    assert.equal(await plainTls.set("k", "v"), "OK");
    plainTls.disconnect();
    const reader = files.clients.get("reader");
    assert.ok(reader);
    const withCert = new Redis({ port: server.port, host: "127.0.0.1", lazyConnect: true,
      maxRetriesPerRequest: 0, tls: { ca, cert: readFileSync(reader.cert),
        key: readFileSync(reader.key), servername: "localhost" } });
    await withCert.connect();
    assert.equal(await withCert.get("k"), "v");
    await assert.rejects(withCert.set("k", "w"), /NOPERM User reader/);
    withCert.disconnect();
    await server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
