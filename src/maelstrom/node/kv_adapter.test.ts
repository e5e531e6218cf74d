import { test } from "node:test";
import assert from "node:assert/strict";
import { KvStateMachine, type KvCommand } from "../../kv/index.js";
import { commandOf, readReply, replyOf } from "./kv_adapter.js";

function apply(kv: KvStateMachine, body: Record<string, unknown>, seq: number): unknown {
  const command = commandOf({ type: "x", ...body }, "c1", seq) as KvCommand;
  return replyOf(command.op, kv.apply(command));
}

test("lin-kv semantics over the kv state machine, with exact reply shapes", () => {
  const kv = new KvStateMachine();
  assert.deepEqual(readReply(kv, 0), { type: "error", code: 20, text: "key does not exist" });
  assert.deepEqual((apply(kv, { type: "cas", key: 0, from: 1, to: 2 }, 1) as { code: number }).code, 20);
  assert.deepEqual(apply(kv, { type: "write", key: 0, value: 1 }, 2), { type: "write_ok" });
  assert.deepEqual(readReply(kv, 0), { type: "read_ok", value: 1 });
  assert.equal((apply(kv, { type: "cas", key: 0, from: 3, to: 4 }, 3) as { code: number }).code, 22);
  assert.deepEqual(apply(kv, { type: "cas", key: 0, from: 1, to: 4 }, 4), { type: "cas_ok" });
  assert.deepEqual(apply(kv, { type: "read", key: 0 }, 5), { type: "read_ok", value: 4 });
});

test("a written null is a value, not an absent key", () => {
  const kv = new KvStateMachine();
  apply(kv, { type: "write", key: "k", value: null }, 1);
  assert.deepEqual(readReply(kv, "k"), { type: "read_ok", value: null });
  assert.deepEqual(apply(kv, { type: "cas", key: "k", from: null, to: 0 }, 2), { type: "cas_ok" });
});

test("malformed and unsupported requests are refused definitely", () => {
  assert.deepEqual(commandOf({ type: "write", key: 1 }, "c1", 1), {
    reject: { type: "error", code: 12, text: "write needs a value" },
  });
  const refused = commandOf({ type: "append", key: 1 }, "c1", 1);
  assert.ok("reject" in refused);
  assert.equal(refused.reject.code, 10);
});
