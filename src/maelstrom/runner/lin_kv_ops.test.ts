import { test } from "node:test";
import assert from "node:assert/strict";
import type { RpcResult } from "./client.js";
import { completionOf, type OpRequest } from "./lin_kv_ops.js";

const read: OpRequest = { f: "read", key: 0, value: null };
const write: OpRequest = { f: "write", key: 0, value: 3 };
const cas: OpRequest = { f: "cas", key: 0, value: [1, 2] };
const reply = (body: Record<string, unknown>): RpcResult => ({
  kind: "reply",
  body: { type: "x", in_reply_to: 1, ...body },
});

test("ok replies: reads record their value, write/cas their request", () => {
  assert.deepEqual(completionOf(read, reply({ type: "read_ok", value: 4 }), false), { type: "ok", maelstromType: "ok", value: 4 });
  assert.deepEqual(completionOf(cas, reply({ type: "cas_ok" }), false), { type: "ok", maelstromType: "ok", value: [1, 2] });
});

test("definite errors fail; indefinite errors and timeouts are info, except for reads", () => {
  assert.equal(completionOf(write, reply({ type: "error", code: 11 }), false).type, "fail");
  assert.equal(completionOf(cas, reply({ type: "error", code: 22 }), false).type, "fail");
  assert.equal(completionOf(cas, reply({ type: "error", code: 13 }), false).type, "info");
  assert.equal(completionOf(write, reply({ type: "error", code: 1001 }), false).type, "info");
  assert.equal(completionOf(write, { kind: "timeout" }, false).type, "info");
  assert.equal(completionOf(read, { kind: "timeout" }, false).type, "fail");
  assert.equal(completionOf(read, reply({ type: "error", code: 0 }), false).type, "fail");
});

test("a malformed reply (extra key) is info with the exception recorded", () => {
  const completion = completionOf(write, reply({ type: "write_ok", key: 0 }), false);
  assert.equal(completion.type, "info");
  assert.match(completion.exception ?? "", /extra key "key"/);
});

test("read_ok null is Maelstrom's don't-know read: constrains nothing unless strict", () => {
  const loose = completionOf(read, reply({ type: "read_ok", value: null }), false);
  assert.equal(loose.type, "fail");
  assert.equal(loose.maelstromType, "ok");
  assert.equal(completionOf(read, reply({ type: "read_ok", value: null }), true).type, "ok");
});

test("read error 20 fails (Maelstrom) or observes absence (strict)", () => {
  assert.equal(completionOf(read, reply({ type: "error", code: 20 }), false).type, "fail");
  const strict = completionOf(read, reply({ type: "error", code: 20 }), true);
  assert.equal(strict.type, "ok");
  assert.equal(strict.value, null);
});
