import { test } from "node:test";
import assert from "node:assert/strict";
import { ClientAuth, InvalidClientAuthError, newToken, tokenHashOf } from "./client_auth.js";
import {
  InvalidPasswordHashError, hashPassword, parsePasswordHash, verifyPassword,
} from "./password_hash.js";
import {
  ProtectedModeBindError, assertBindAllowed, isLoopbackAddress, isRefusedByProtectedMode,
} from "./protected_mode.js";

/** Cheap parameters: these tests are about the logic, not the cost. */
const FAST = { ln: 4, r: 8, p: 1 } as const;

test("password hashes are salted PHC scrypt strings that verify only their password", async () => {
  const one = await hashPassword("hunter2", FAST);
  const two = await hashPassword("hunter2", FAST);
  assert.match(one, /^\$scrypt\$ln=4,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.notEqual(one, two);
  assert.equal(await verifyPassword("hunter2", one), true);
  assert.equal(await verifyPassword("hunter3", one), false);
  assert.equal(await verifyPassword("", one), false);
  assert.deepEqual(parsePasswordHash(one).params, FAST);
});

test("malformed or hostile hash strings are refused before scrypt runs", () => {
  for (const bad of [
    "hunter2", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "$scrypt$ln=14,r=8$AAAA$AAAA",
    "$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$scrypt$ln=14,r=8,p=1$!!$AAAA", "$scrypt$ln=14,r=8,p=1$AA$AA",
  ]) {
    assert.throws(() => parsePasswordHash(bad), InvalidPasswordHashError, bad);
  }
});

test("users: right password, wrong password, unknown user; success is remembered", async () => {
  const auth = new ClientAuth({
    users: [
      { name: "app", passwordHash: await hashPassword("a-pass", FAST), permissions: ["read"] },
      { name: "ops", passwordHash: await hashPassword("o-pass", FAST), permissions: ["admin"] },
    ],
  });
  assert.equal(auth.enabled, true);
  const app = await auth.verifyPassword("app", "a-pass");
  assert.deepEqual([app?.name, [...(app?.permissions ?? [])]], ["app", ["read"]]);
  assert.equal(await auth.verifyPassword("app", "o-pass"), null);
  assert.equal(await auth.verifyPassword("nobody", "a-pass"), null);
  assert.equal(await auth.verifyPassword("app", "a-pass"), app);
  const concurrent = await Promise.all(Array.from({ length: 6 }, (_, i) =>
    auth.verifyPassword("ops", i % 2 === 0 ? "o-pass" : "nope")));
  assert.deepEqual(concurrent.map((u) => u?.name ?? null),
    ["ops", null, "ops", null, "ops", null]);
  assert.equal(auth.userForCertificate("ops")?.name, "ops");
  assert.equal(auth.userForCertificate("mallory"), null);
  assert.equal(new ClientAuth({ users: [] }).enabled, false);
});

test("tokens act as their user; unknown tokens and bad token config are refused", async () => {
  const hash = await hashPassword("x", FAST);
  const token = newToken();
  const auth = new ClientAuth({
    users: [{ name: "app", passwordHash: hash, permissions: ["read", "write"] }],
    tokens: [{ user: "app", tokenHash: tokenHashOf(token) }],
  });
  assert.equal(auth.verifyToken(token)?.name, "app");
  assert.equal(auth.verifyToken(newToken()), null);
  assert.equal(auth.verifyToken(""), null);
  const users = [{ name: "app", passwordHash: hash, permissions: ["read"] as const }];
  assert.throws(() => new ClientAuth({ users: [...users, ...users] }), InvalidClientAuthError);
  assert.throws(() => new ClientAuth({ users, tokens: [{ user: "ghost", tokenHash: "x" }] }),
    /user ghost, who is not configured/);
  assert.throws(() => new ClientAuth({ users, tokens: [{ user: "app", tokenHash: "md5:1" }] }),
    /tokenHash must be sha256/);
  assert.throws(() => new ClientAuth({
    users: [{ name: "a", passwordHash: "plain", permissions: ["read"] }],
  }), /user a: bad passwordHash/);
});

test("protected mode: loopback only, and only while no users are configured", () => {
  for (const good of ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"]) {
    assert.equal(isLoopbackAddress(good), true, good);
  }
  for (const bad of ["10.0.0.1", "::ffff:10.0.0.1", "0.0.0.0", "::", "fe80::1", undefined]) {
    assert.equal(isLoopbackAddress(bad), false, String(bad));
  }
  const open = { enabled: false, protectedMode: true };
  assert.equal(isRefusedByProtectedMode(open, "10.0.0.1"), true);
  assert.equal(isRefusedByProtectedMode(open, "127.0.0.1"), false);
  assert.equal(isRefusedByProtectedMode({ ...open, enabled: true }, "10.0.0.1"), false);
  assert.equal(isRefusedByProtectedMode({ ...open, protectedMode: false }, "10.0.0.1"), false);
  assert.throws(() => { assertBindAllowed(open, "Redis clients", "0.0.0.0"); },
    ProtectedModeBindError);
  assert.throws(() => { assertBindAllowed(open, "HTTP clients", "::"); }, /requirepass/);
  assertBindAllowed(open, "Redis clients", "127.0.0.1");
  assertBindAllowed(open, "Redis clients", "localhost");
  assertBindAllowed({ ...open, enabled: true }, "Redis clients", "0.0.0.0");
});
