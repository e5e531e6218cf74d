import { test } from "node:test";
import assert from "node:assert/strict";
import { authorizationOf, credentialsOf } from "./client_credentials.js";

test("credentials: flags over RAFTKV_* variables; Basic for a user, Bearer for a token", () => {
  const env = { RAFTKV_USER: "env-user", RAFTKV_PASSWORD: "env-pass" };
  const fromEnv = credentialsOf({}, env);
  assert.equal(authorizationOf(fromEnv),
    `Basic ${Buffer.from("env-user:env-pass").toString("base64")}`);
  const fromFlags = credentialsOf({ user: "u", password: "p" }, env);
  assert.equal(authorizationOf(fromFlags), `Basic ${Buffer.from("u:p").toString("base64")}`);
  assert.equal(authorizationOf(credentialsOf({ token: "rkv_t" }, env)), "Bearer rkv_t");
  // As redis-cli: a password alone is the default user's.
  assert.equal(credentialsOf({ password: "p" }, {}).user, "default");
  assert.equal(authorizationOf(credentialsOf({}, {})), undefined);
});

test("credentials: a user without a password and an unreadable CA are refused", () => {
  assert.throws(() => credentialsOf({ user: "u" }, {}), /--user needs --password/);
  assert.throws(() => credentialsOf({ cacert: "/nonexistent/ca.crt" }, {}),
    /cannot read --cacert \/nonexistent\/ca\.crt/);
});
