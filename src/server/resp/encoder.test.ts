import { test } from "node:test";
import assert from "node:assert/strict";
import { ReplyWriter, encodeReply } from "./encoder.js";
import { NULL, OK, array, bulk, error, integer, map } from "./reply.js";

function both(reply: Parameters<typeof encodeReply>[0]): [string, string] {
  return [encodeReply(reply, 2).toString("latin1"), encodeReply(reply, 3).toString("latin1")];
}

test("scalars encode the same in RESP2 and RESP3", () => {
  assert.deepEqual(both(OK), ["+OK\r\n", "+OK\r\n"]);
  assert.deepEqual(both(error("ERR bad\r\nthing")), ["-ERR bad thing\r\n", "-ERR bad thing\r\n"]);
  const min = ":-9223372036854775808\r\n";
  assert.deepEqual(both(integer(-(2n ** 63n))), [min, min]);
  const utf8 = "$6\r\nh\xc3\xa9llo\r\n";
  assert.deepEqual(both(bulk("héllo")), [utf8, utf8]);
  const binary = "$3\r\n\x00\r\n\r\n";
  assert.deepEqual(both(bulk(new Uint8Array([0, 13, 10]))), [binary, binary]);
});

test("null is $-1 in RESP2 and _ in RESP3; a map is a flat array in RESP2 and % in RESP3", () => {
  assert.deepEqual(both(NULL), ["$-1\r\n", "_\r\n"]);
  const reply = map([["a", integer(1)], ["b", array([NULL])]]);
  assert.deepEqual(both(reply), [
    "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*1\r\n$-1\r\n",
    "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*1\r\n_\r\n",
  ]);
});

test("a writer batches many replies into one buffer, in order", () => {
  const writer = new ReplyWriter();
  writer.write(OK, 2);
  writer.write(bulk(Buffer.from("xy")), 2);
  writer.write(integer(7), 3);
  assert.equal(writer.take().toString(), "+OK\r\n$2\r\nxy\r\n:7\r\n");
  assert.equal(writer.isEmpty, true);
});
