import { test } from "node:test";
import assert from "node:assert/strict";
import type { Message } from "../../core/messages.js";
import { logIndex, nodeId, term } from "../../core/types.js";
import { MessageDecodeError } from "../../transport/index.js";
import type { Body } from "../protocol.js";
import { decodeRaftBody, encodeRaftBody } from "./wire.js";

test("raft messages with binary entry data survive the JSON round trip", () => {
  const message: Message = {
    type: "AppendEntries",
    from: nodeId("n0"),
    to: nodeId("n1"),
    term: term(3),
    prevLogIndex: logIndex(4),
    prevLogTerm: term(2),
    entries: [{ term: term(3), index: logIndex(5), kind: "normal", data: new Uint8Array([0, 1, 254, 255]) }],
    commit: logIndex(4),
  };
  const body = JSON.parse(JSON.stringify(encodeRaftBody(message))) as Body;
  assert.equal(body.type, "raft");
  assert.deepEqual(decodeRaftBody(body), message);
});

test("a raft body without a well-formed message is refused with MessageDecodeError", () => {
  assert.throws(() => decodeRaftBody({ type: "raft" }), MessageDecodeError);
  assert.throws(() => decodeRaftBody({ type: "raft", m: 3 }), MessageDecodeError);
  const notAMessage = Buffer.from("garbage").toString("base64");
  assert.throws(() => decodeRaftBody({ type: "raft", m: notAMessage }), MessageDecodeError);
});
