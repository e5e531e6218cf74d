/**
 * The "pairs" reply (WITHSCORES): nested 2-element arrays in RESP3, one flat array in RESP2, and
 * unchanged through the wire form the client-session table and snapshots keep.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { bulk, double, pairs } from "./reply.js";
import { replyFromWire, replyToWire } from "./reply_wire.js";
import { respText } from "./testing/resp_text.js";

test("pairs are flat in RESP2, nested in RESP3, and survive the wire form", () => {
  const reply = pairs([[bulk("a"), double("1.5")], [bulk("b"), double("inf")]]);
  assert.equal(respText(reply, 2), "*4\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$3\r\ninf\r\n");
  assert.equal(respText(reply, 3), "*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,inf\r\n");
  const back = replyFromWire(replyToWire(reply));
  assert.equal(respText(back, 3), respText(reply, 3));
  assert.equal(respText(pairs([]), 3), "*0\r\n");
});
