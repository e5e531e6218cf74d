import { test } from "node:test";
import assert from "node:assert/strict";
import { type NodeId, nodeId } from "../core/index.js";
import { HandshakeError, MessageDecodeError } from "./errors.js";
import {
  checkHello, checkWelcome, decodeHandshake, type Hello, helloFrame, PROTOCOL_VERSION, rejectFrame,
  welcomeFrame,
} from "./handshake.js";

const [n1, n2, n3] = [nodeId("n1"), nodeId("n2"), nodeId("n3")];
const peersOfN2 = new Set([n1, n3]);
const n2Identity = { clusterId: "c", nodeId: n2, isPeer: (id: NodeId) => peersOfN2.has(id) };
const n1Identity = { clusterId: "c", nodeId: n1, isPeer: () => true };

function rejected(reason: string): (error: unknown) => boolean {
  return (error) => error instanceof HandshakeError && error.reason === reason;
}

test("a matching hello authenticates its sender", () => {
  assert.equal(checkHello(decodeHandshake(helloFrame(n1Identity, n2)), n2Identity), n1);
});

test("each mismatch in a hello is refused with its own reason", () => {
  const ok = helloFrame(n1Identity, n2);
  const refuses = (hello: Hello, reason: string, self = n2Identity): void => {
    assert.throws(() => checkHello(hello, self), rejected(reason));
  };
  refuses({ ...ok, clusterId: "d" }, "CLUSTER_MISMATCH");
  refuses({ ...ok, version: PROTOCOL_VERSION + 1 }, "VERSION_MISMATCH");
  refuses({ ...ok, protocol: "x" }, "VERSION_MISMATCH");
  refuses({ ...ok, from: nodeId("n9") }, "UNKNOWN_NODE");
  refuses({ ...ok, from: n2 }, "UNKNOWN_NODE", { ...n2Identity, isPeer: () => true });
  assert.throws(() => checkHello({ ...ok, to: n3 }, n2Identity), rejected("WRONG_NODE"));
  assert.throws(() => checkHello(welcomeFrame(n1Identity, n2), n2Identity), rejected("MALFORMED"));
});

test("the dialler checks the welcome is from the node it dialled, and reports a reject", () => {
  checkWelcome(welcomeFrame(n2Identity, n1), n1Identity, n2);
  const welcome = welcomeFrame(n2Identity, n1);
  assert.throws(() => { checkWelcome(welcome, n1Identity, n3); }, rejected("WRONG_NODE"));
  assert.throws(
    () => { checkWelcome({ ...welcome, clusterId: "other" }, n1Identity, n2); },
    rejected("CLUSTER_MISMATCH"),
  );
  const refusal = rejectFrame(new HandshakeError("CLUSTER_MISMATCH", "expected cluster id \"c\""));
  const check = (): void => { checkWelcome(decodeHandshake(refusal), n1Identity, n2); };
  assert.throws(check, (error: unknown) => {
    assert.ok(error instanceof HandshakeError);
    assert.equal(error.reason, "CLUSTER_MISMATCH");
    assert.match(error.message, /peer refused us: .*expected cluster id "c"/);
    return true;
  });
});

test("decodeHandshake rejects shapes that are not handshake frames", () => {
  const hello = helloFrame(n1Identity, n2);
  const bads = [
    null, 5, "hello", { kind: "hello" }, { kind: "bye" },
    { kind: "reject", reason: "NOPE", detail: "" },
    { ...hello, from: "bad id" }, { ...hello, version: "1" },
  ];
  for (const bad of bads) {
    assert.throws(() => decodeHandshake(bad), MessageDecodeError, JSON.stringify(bad));
  }
});
