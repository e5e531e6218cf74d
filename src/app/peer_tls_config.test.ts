import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidConfigError, overridesFromEnv, resolveConfig } from "./config.js";

const base = {
  clusterId: "c1",
  nodeId: "n1",
  members: [
    { id: "n1", peer: "127.0.0.1:9081", redis: "127.0.0.1:6381", http: "127.0.0.1:8081" },
    { id: "n2", peer: "127.0.0.1:9082", redis: "127.0.0.1:6382", http: "127.0.0.1:8082" },
  ],
};
const files = { cert: "/certs/{id}.crt", key: "/certs/{id}.key", ca: "/certs/ca.crt" };

function rejection(raw: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    resolveConfig(raw, "raftkv.yaml", overridesFromEnv({}, env));
  } catch (error) {
    assert.ok(error instanceof InvalidConfigError);
    return error.message;
  }
  return assert.fail("accepted an invalid config");
}

test("peerTls paths resolve with {id} replaced by the node id", () => {
  const config = resolveConfig({ ...base, peerTls: files }, "f");
  assert.deepEqual(config.peerTls, {
    mode: "tls", files: { cert: "/certs/n1.crt", key: "/certs/n1.key", ca: "/certs/ca.crt" },
  });
});

test("a config without peerTls is refused: plaintext must be chosen explicitly", () => {
  assert.match(rejection(base), /Invalid config raftkv\.yaml: peerTls: is required/);
});

test("peerTls: false is plaintext on loopback and refused on any other peer address", () => {
  assert.deepEqual(resolveConfig({ ...base, peerTls: false }, "f").peerTls, { mode: "plaintext" });
  const exposed = {
    ...base, peerTls: false,
    members: [{ ...base.members[0], peer: "10.0.0.1:9081" }, base.members[1]],
  };
  assert.match(rejection(exposed), /peerTls: false \(plaintext peers\) is refused: .*10\.0\.0\.1/);
});

test("--insecure-peers and RAFTKV_* variables override the file", () => {
  const insecure = overridesFromEnv({ insecurePeers: true }, {});
  const config = resolveConfig({ ...base, peerTls: files }, "f", insecure);
  assert.deepEqual(config.peerTls, { mode: "plaintext" });
  const env = { RAFTKV_PEER_TLS_CERT: "/env/n1.crt", RAFTKV_INSECURE_PEERS: "false" };
  const fromEnv = resolveConfig({ ...base, peerTls: files }, "f", overridesFromEnv({}, env));
  assert.equal(fromEnv.peerTls.mode === "tls" ? fromEnv.peerTls.files.cert : "", "/env/n1.crt");
  assert.match(rejection({ ...base, peerTls: { cert: "a" } }), /: peerTls: /);
  const all = { RAFTKV_PEER_TLS_CERT: "c", RAFTKV_PEER_TLS_KEY: "k", RAFTKV_PEER_TLS_CA: "a" };
  const onlyEnv = resolveConfig(base, "f", overridesFromEnv({}, all));
  assert.deepEqual(onlyEnv.peerTls, { mode: "tls", files: { cert: "c", key: "k", ca: "a" } });
});
