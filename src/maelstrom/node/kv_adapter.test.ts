import { test } from "node:test";
import assert from "node:assert/strict";
import { casReply, parseRequest, readReply, storedJson } from "./kv_adapter.js";

test("lin-kv requests become stored JSON text; replies have lin-kv's exact shapes", () => {
  assert.deepEqual(parseRequest({ type: "write", key: 3, value: [1, "a"] }), {
    op: "write", key: storedJson(3), value: storedJson([1, "a"]),
  });
  assert.deepEqual(parseRequest({ type: "cas", key: "k", from: 1, to: 2 }), {
    op: "cas", key: storedJson("k"), from: storedJson(1), to: storedJson(2),
  });
  assert.deepEqual(readReply(null), { type: "error", code: 20, text: "key does not exist" });
  assert.deepEqual(readReply(storedJson(7)), { type: "read_ok", value: 7 });
  assert.deepEqual(casReply("written"), { type: "cas_ok" });
  assert.equal(casReply("absent").code, 20);
  assert.equal(casReply("differs").code, 22);
});

test("a written null is a value, not an absent key", () => {
  assert.deepEqual(readReply(storedJson(null)), { type: "read_ok", value: null });
});

test("malformed and unsupported requests are refused definitely", () => {
  assert.deepEqual(parseRequest({ type: "write", key: 1 }), {
    reject: { type: "error", code: 12, text: "write needs a value" },
  });
  assert.deepEqual(parseRequest({ type: "read" }), {
    reject: { type: "error", code: 12, text: "read needs a key" },
  });
  const refused = parseRequest({ type: "append", key: 1 });
  assert.ok("reject" in refused);
  assert.equal(refused.reject.code, 10);
});
