import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildClientSecurity } from "./client_security_config.js";
import { overridesFromEnv, resolveConfig } from "./config.js";
import { hashPassword } from "../server/auth/password_hash.js";
import { rejection } from "./testing/config_rejection.js";

const member = (host: string) => ({
  id: "n1", peer: "127.0.0.1:9081", redis: `${host}:6381`, http: `${host}:8081`,
});
const base = {
  clusterId: "c1", nodeId: "n1", members: [member("127.0.0.1")], peerTls: false,
};

test("protected mode refuses a non-loopback client port with no users, saying what to set",
  () => {
  for (const host of ["0.0.0.0", "10.1.2.3", "[::]"]) {
    const message = rejection({ ...base, members: [member(host)] });
    assert.match(message, /Refusing to serve Redis clients on .*no users are configured/);
    assert.match(message, /requirepass/);
    assert.match(message, /protectedMode: false/);
  }
  // Any of: loopback, a user, or protected mode off, is accepted.
  assert.equal(resolveConfig(base, "f").clientSecurity.users.length, 0);
  const open = resolveConfig({ ...base, members: [member("0.0.0.0")], protectedMode: false }, "f");
  assert.equal(open.clientSecurity.protectedMode, false);
  const withPass = resolveConfig({ ...base, members: [member("0.0.0.0")], requirepass: "s" }, "f");
  assert.deepEqual(withPass.clientSecurity.users.map((u) => u.name), ["default"]);
});

test("requirepass comes from RAFTKV_REQUIREPASS or a file, users' passwords from files",
  async () => {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-secrets-"));
  writeFileSync(join(dir, "pass"), "from-file\n");
  writeFileSync(join(dir, "ops"), "ops-secret\n");
  const fromEnv = resolveConfig(base, "f", overridesFromEnv({}, { RAFTKV_REQUIREPASS: "env" }));
  const fromFile = resolveConfig({
    ...base, requirepassFile: join(dir, "pass"),
    users: [{ name: "ops", passwordFile: join(dir, "ops"), permissions: ["admin"] }],
  }, "f");
  const envAuth = (await buildClientSecurity(fromEnv.clientSecurity)).auth;
  assert.equal((await envAuth.verifyPassword("default", "env"))?.name, "default");
  const fileAuth = (await buildClientSecurity(fromFile.clientSecurity)).auth;
  assert.equal((await fileAuth.verifyPassword("default", "from-file"))?.name, "default");
  assert.equal((await fileAuth.verifyPassword("ops", "ops-secret"))?.name, "ops");
  assert.equal(await fileAuth.verifyPassword("ops", "ops-secret\n"), null);
  assert.match(rejection({ ...base, requirepassFile: join(dir, "missing") }),
    /requirepassFile: cannot read/);
});

test("bad user entries are refused naming the field", async () => {
  const hash = await hashPassword("x", { ln: 4, r: 8, p: 1 });
  assert.match(rejection({ ...base, users: [{ name: "a", permissions: ["read"] }] }),
    /users\[0\]: set exactly one of passwordHash and passwordFile/);
  assert.match(rejection({ ...base, users: [{ name: "a", passwordHash: hash, permissions: [] }] }),
    /users\[0\]\.permissions/);
  assert.match(rejection({ ...base, users: [{ name: "a", passwordHash: hash,
    permissions: ["root"] }] }), /users\[0\]\.permissions\[0\]/);
  assert.match(rejection({ ...base, requirepass: "x",
    users: [{ name: "default", passwordHash: hash, permissions: ["read"] }] }),
  /requirepass: the default user is also in users/);
  const badHash = resolveConfig({
    ...base, users: [{ name: "a", passwordHash: "md5:abc", permissions: ["read"] }],
  }, "f");
  await assert.rejects(buildClientSecurity(badHash.clientSecurity), /user a: bad passwordHash/);
});
