import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeCommand, encodeCommand, KvCommandDecodeError, type KvCommand } from "./commands.js";

const json = fc.jsonValue() as fc.Arbitrary<KvCommand extends { value: infer V } ? V : never>;

test("every command survives an encode/decode round trip", () => {
  const command: fc.Arbitrary<KvCommand> = fc.oneof(
    fc.record({ op: fc.constant("read" as const), clientId: fc.string(), seq: fc.nat(), key: fc.string() }),
    fc.record({ op: fc.constant("write" as const), clientId: fc.string(), seq: fc.nat(), key: fc.string(), value: json }),
    fc.record({
      op: fc.constant("cas" as const), clientId: fc.string(), seq: fc.nat(), key: fc.string(), from: json, to: json,
    }),
  );
  fc.assert(fc.property(command, (c) => {
    assert.deepEqual(decodeCommand(encodeCommand(c)), JSON.parse(JSON.stringify(c)));
  }));
});

test("decoding rejects bytes that are not a command, with a typed error", () => {
  for (const text of ["", "{}", "[1,2,3,4]", '["x","c",1,"k"]', '["w","c",1,"k"]', '["r","c",1.5,"k"]']) {
    assert.throws(() => decodeCommand(new TextEncoder().encode(text)), KvCommandDecodeError, text);
  }
  assert.throws(() => decodeCommand(new Uint8Array([0xff, 0xfe])), KvCommandDecodeError);
});
