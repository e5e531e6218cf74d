import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigFile, overridesFromEnv, resolveConfig } from "./config.js";
import { rejection } from "./testing/config_rejection.js";

const valid = {
  clusterId: "c1",
  nodeId: "n1",
  peerTls: false,
  members: [
    { id: "n1", peer: "127.0.0.1:9081", redis: "127.0.0.1:6381", http: "127.0.0.1:8081" },
    { id: "n2", peer: "127.0.0.1:9082", redis: "127.0.0.1:6382", http: "127.0.0.1:8082" },
  ],
};

test("a valid config resolves with defaults and {id} in the data directory", () => {
  const config = resolveConfig(valid, "raftkv.yaml");
  assert.equal(config.self.id, "n1");
  assert.deepEqual(config.self.peer, { host: "127.0.0.1", port: 9081 });
  assert.equal(config.dataDir, "./data/n1");
  assert.equal(config.logLevel, "info");
  assert.equal(config.nodeLimits.electionTimeoutMs.min, 500);
  assert.equal(config.nodeLimits.diskStallMs, 250);
});

test("rejections name the file and the field", () => {
  const badPeer = {
    ...valid, members: [valid.members[0], { ...valid.members[1], peer: "nowhere" }],
  };
  assert.match(rejection(badPeer),
    /^Invalid config raftkv\.yaml: members\[1\]\.peer: expected host:port/);
  assert.match(rejection({ ...valid, clusterId: undefined }), /: clusterId: /);
  assert.match(rejection({ ...valid, nodeId: "n9" }), /: nodeId: n9 is not one of members/);
  assert.match(rejection({ ...valid, logLevel: "loud" }), /: logLevel: /);
  assert.match(rejection({ ...valid, surprise: 1 }), /Unrecognized key/);
  assert.match(rejection({ ...valid, members: [valid.members[0], valid.members[0]] }),
    /members\[1\]\.id: duplicate member n1/);
  const slowHeartbeat = { heartbeatIntervalMs: 400, electionTimeoutMs: { min: 300, max: 600 } };
  assert.match(rejection({ ...valid, ...slowHeartbeat }),
    /: electionTimeoutMs\.min: must exceed heartbeatIntervalMs/);
  assert.match(rejection({ ...valid, stall: { diskMs: 600 } }),
    /: diskStallMs: must be 0 \(off\) or from tickMs/);
  assert.match(rejection({ ...valid, stall: { replicationMs: -1 } }), /stall\.replicationMs/);
  assert.match(rejection("just text"), /Invalid config raftkv\.yaml: /);
});

test("flags beat the environment, which beats the file", () => {
  const env = { RAFTKV_NODE_ID: "n2", LOG_LEVEL: "debug", RAFTKV_DATA_DIR: "/env/{id}" };
  const fromEnv = resolveConfig(valid, "f", overridesFromEnv({}, env));
  assert.equal(fromEnv.nodeId, "n2");
  assert.equal(fromEnv.logLevel, "debug");
  assert.equal(fromEnv.dataDir, "/env/n2");
  const flags = { nodeId: "n1", logLevel: "warn" };
  const fromFlags = resolveConfig(valid, "f", overridesFromEnv(flags, env));
  assert.equal(fromFlags.nodeId, "n1");
  assert.equal(fromFlags.logLevel, "warn");
});

test("loadConfigFile reports unreadable files and bad YAML", () => {
  const dir = mkdtempSync(join(tmpdir(), "raftkv-config-"));
  assert.throws(() => loadConfigFile(join(dir, "missing.yaml")), /cannot read the file/);
  const bad = join(dir, "bad.yaml");
  writeFileSync(bad, "members: [unclosed\n");
  assert.throws(() => loadConfigFile(bad), /not valid YAML/);
  const ok = join(dir, "ok.yaml");
  writeFileSync(ok,
    "clusterId: c\nmembers:\n  - {id: a, peer: 'h:1', redis: 'h:2', http: 'h:3'}\n" +
    "protectedMode: false\n" +
    "peerTls: {cert: a.crt, key: a.key, ca: ca.crt}\n");
  assert.equal(loadConfigFile(ok, { nodeId: "a" }).self.http.port, 3);
});

test("readMode and leaseClockDriftMs reach the node limits; lease without check-quorum's lease "
  + "room is refused naming the field", () => {
  const config = resolveConfig({ ...valid, readMode: "lease", leaseClockDriftMs: 20 }, "f");
  assert.equal(config.nodeLimits.readMode, "lease");
  assert.equal(config.nodeLimits.leaseClockDriftMs, 20);
  assert.equal(resolveConfig(valid, "f").nodeLimits.readMode, "index");
  assert.match(rejection({ ...valid, readMode: "fast" }), /: readMode: /);
  assert.match(rejection({ ...valid, readMode: "lease", leaseClockDriftMs: 480 }),
    /: leaseClockDriftMs: leaves a lease of/);
});

test("join: false by default; from the file, RAFTKV_JOIN or --join (flag first)", () => {
  assert.equal(resolveConfig(valid, "f").join, false);
  assert.equal(resolveConfig({ ...valid, join: true }, "f").join, true);
  assert.equal(resolveConfig(valid, "f", overridesFromEnv({}, { RAFTKV_JOIN: "1" })).join, true);
  const flagWins = overridesFromEnv({ join: false }, { RAFTKV_JOIN: "true" });
  assert.equal(resolveConfig({ ...valid, join: true }, "f", flagWins).join, false);
  assert.throws(() => overridesFromEnv({}, { RAFTKV_JOIN: "maybe" }), /RAFTKV_JOIN: expected true/);
  assert.match(rejection({ ...valid, join: "yes" }), /: join: /);
});
