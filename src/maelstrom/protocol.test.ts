import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyReply, isDefiniteError, parseNodeLine, ProtocolError } from "./protocol.js";

const known = (id: string): boolean => ["n0", "n1", "c3"].includes(id);

test("a well-formed line parses, Maelstrom's journal id allowed", () => {
  const envelope = parseNodeLine("n0", '{"src":"n0","dest":"c3","body":{"type":"write_ok","in_reply_to":1}}', known);
  assert.equal(envelope.body.type, "write_ok");
});

test("non-JSON, extra envelope keys, a wrong src and an unknown dest are protocol errors naming the line", () => {
  const bad: [string, RegExp][] = [
    ["hello from n0", /not valid JSON/],
    ['{"src":"n0","dest":"n1","body":{"type":"x"},"extra":1}', /extra key "extra"/],
    ['{"src":"n1","dest":"n0","body":{"type":"x"}}', /own id "n0"/],
    ['{"src":"n0","dest":"n99","body":{"type":"x"}}', /unknown node "n99"/],
    ['{"src":"n0","dest":"n1","body":{"msg_id":1}}', /string "type"/],
    ["", /not valid JSON/],
  ];
  for (const [line, reason] of bad) {
    assert.throws(() => parseNodeLine("n0", line, known), (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.match(error.message, reason);
      assert.equal(error.line, line);
      return true;
    });
  }
});

test("replies are checked against lin-kv's closed schemas; error bodies are exempt", () => {
  assert.deepEqual(classifyReply("read", { type: "read_ok", value: 3, in_reply_to: 1, msg_id: 9 }), { kind: "ok", value: 3 });
  assert.equal(classifyReply("read", { type: "read_ok", value: 3, key: 0, in_reply_to: 1 }).kind, "malformed");
  assert.equal(classifyReply("read", { type: "read_ok", in_reply_to: 1 }).kind, "malformed");
  assert.equal(classifyReply("write", { type: "write_ok", in_reply_to: 1 }).kind, "ok");
  assert.equal(classifyReply("cas", { type: "write_ok", in_reply_to: 1 }).kind, "malformed");
  assert.deepEqual(classifyReply("cas", { type: "error", code: 22, in_reply_to: 1, extra: true }), {
    kind: "error", code: 22, text: null,
  });
});

test("error codes: definite per errors.edn, unknown and >= 1000 indefinite", () => {
  for (const code of [1, 10, 11, 12, 14, 20, 21, 22, 30]) assert.equal(isDefiniteError(code), true, `code ${code}`);
  for (const code of [0, 13, 2, 1000, 4242]) assert.equal(isDefiniteError(code), false, `code ${code}`);
});
