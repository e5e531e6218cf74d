import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeId } from "../core/index.js";
import { HandshakeError, MessageDecodeError } from "./errors.js";
import {
  checkHello, checkWelcome, decodeHandshake, helloFrame, PROTOCOL_VERSION, rejectFrame, welcomeFrame,
} from "./handshake.js";

const [n1, n2, n3] = [nodeId("n1"), nodeId("n2"), nodeId("n3")];
const peersOfN2 = new Set([n1, n3]);
const n2Identity = { clusterId: "c", nodeId: n2, isPeer: (id: string) => peersOfN2.has(id as never) };
const n1Identity = { clusterId: "c", nodeId: n1, isPeer: () => true };

function rejected(reason: string): (error: unknown) => boolean {
  return (error) => error instanceof HandshakeError && error.reason === reason;
}

test("a matching hello authenticates its sender", () => {
  assert.equal(checkHello(decodeHandshake(helloFrame(n1Identity, n2)), n2Identity), n1);
});

test("each mismatch in a hello is refused with its own reason", () => {
  const ok = helloFrame(n1Identity, n2);
  assert.throws(() => checkHello({ ...ok, clusterId: "d" }, n2Identity), rejected("CLUSTER_MISMATCH"));
  assert.throws(() => checkHello({ ...ok, version: PROTOCOL_VERSION + 1 }, n2Identity), rejected("VERSION_MISMATCH"));
  assert.throws(() => checkHello({ ...ok, protocol: "x" }, n2Identity), rejected("VERSION_MISMATCH"));
  assert.throws(() => checkHello({ ...ok, from: nodeId("n9") }, n2Identity), rejected("UNKNOWN_NODE"));
  assert.throws(() => checkHello({ ...ok, from: n2 }, { ...n2Identity, isPeer: () => true }), rejected("UNKNOWN_NODE"));
  assert.throws(() => checkHello({ ...ok, to: n3 }, n2Identity), rejected("WRONG_NODE"));
  assert.throws(() => checkHello(welcomeFrame(n1Identity, n2), n2Identity), rejected("MALFORMED"));
});

test("the dialler checks the welcome names the node it dialled, and surfaces a reject's reason", () => {
  checkWelcome(welcomeFrame(n2Identity, n1), n1Identity, n2);
  assert.throws(() => { checkWelcome(welcomeFrame(n2Identity, n1), n1Identity, n3); }, rejected("WRONG_NODE"));
  assert.throws(
    () => { checkWelcome(welcomeFrame({ ...n2Identity, clusterId: "other" }, n1), n1Identity, n2); },
    rejected("CLUSTER_MISMATCH"),
  );
  const refusal = rejectFrame(new HandshakeError("CLUSTER_MISMATCH", "expected cluster id \"c\""));
  assert.throws(() => { checkWelcome(decodeHandshake(refusal), n1Identity, n2); }, (error: unknown) => {
    assert.ok(error instanceof HandshakeError);
    assert.equal(error.reason, "CLUSTER_MISMATCH");
    assert.match(error.message, /peer refused us: .*expected cluster id "c"/);
    return true;
  });
});

test("decodeHandshake rejects shapes that are not handshake frames", () => {
  for (const bad of [null, 5, "hello", { kind: "hello" }, { kind: "bye" }, { kind: "reject", reason: "NOPE", detail: "" },
    { ...helloFrame(n1Identity, n2), from: "bad id" }, { ...helloFrame(n1Identity, n2), version: "1" }]) {
    assert.throws(() => decodeHandshake(bad), MessageDecodeError, JSON.stringify(bad));
  }
});
