import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type Message, nodeId, term } from "../core/index.js";
import { MessageDecodeError } from "./errors.js";
import { decodeMessage, encodeMessage, unpackMessage } from "./message_codec.js";
import { packValue } from "./msgpack.js";
import { bytes, sampleMessages } from "./test_support.js";

const n1 = nodeId("n1");
const n2 = nodeId("n2");

function malformed(path: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof MessageDecodeError, `not a MessageDecodeError: ${String(error)}`);
    assert.equal(error.code, "MESSAGE_MALFORMED");
    assert.equal(error.path, path);
    return true;
  };
}

/** A sample as a plain mutable object, for corrupting one field. */
function raw(type: Message["type"]): Record<string, unknown> {
  const m = sampleMessages(n1, n2).find((s) => s.type === type);
  assert.ok(m);
  return structuredClone(m) as unknown as Record<string, unknown>;
}

test("every message type survives encode and decode unchanged", () => {
  for (const message of sampleMessages(n1, n2)) {
    assert.deepEqual(unpackMessage(encodeMessage(message)), message, message.type);
  }
});

test("decoded byte fields are plain Uint8Arrays that share no memory with the frame", () => {
  const data = bytes(32);
  const frame = encodeMessage({ type: "Propose", from: n1, to: n2, term: term(1), data });
  const decoded = unpackMessage(frame);
  assert.ok(decoded.type === "Propose");
  assert.equal(Object.getPrototypeOf(decoded.data), Uint8Array.prototype);
  assert.notEqual(decoded.data.buffer, frame.buffer);
  frame.fill(0);
  assert.deepEqual(decoded.data, bytes(32));
});

test("unknown fields are stripped, so nothing unexpected reaches the core", () => {
  const sneaky = { ...raw("TimeoutNow"), extra: "x", __proto__: { type: "Heartbeat" } };
  const decoded = decodeMessage(sneaky);
  assert.deepEqual(Object.keys(decoded).sort(), ["from", "term", "to", "type"]);
});

type Corrupt = (m: Record<string, unknown>) => unknown;
const entryOf = (kind: unknown, data: unknown): unknown => ({ term: 1, index: 1, kind, data });
const corruptions: readonly [string, Message["type"], Corrupt, string][] = [
  ["not a map", "TimeoutNow", () => [1, 2], ""],
  ["null", "TimeoutNow", () => null, ""],
  ["bytes instead of a map", "TimeoutNow", () => new Uint8Array(3), ""],
  ["unknown type", "TimeoutNow", (m) => ({ ...m, type: "Explode" }), "type"],
  ["missing type", "TimeoutNow", (m) => ({ ...m, type: undefined }), "type"],
  ["bad from", "TimeoutNow", (m) => ({ ...m, from: "" }), "from"],
  ["node id with spaces", "TimeoutNow", (m) => ({ ...m, to: "n 2" }), "to"],
  ["negative term", "Heartbeat", (m) => ({ ...m, term: -1 }), "term"],
  ["fractional term", "Heartbeat", (m) => ({ ...m, term: 1.5 }), "term"],
  ["bigint term", "Heartbeat", (m) => ({ ...m, term: 5n }), "term"],
  ["unsafe integer", "Heartbeat", (m) => ({ ...m, commit: 2 ** 60 }), "commit"],
  ["string index", "PreVote", (m) => ({ ...m, lastLogIndex: "10" }), "lastLogIndex"],
  ["missing boolean", "RequestVote", (m) => ({ ...m, transfer: undefined }), "transfer"],
  ["number as boolean", "PreVoteResponse", (m) => ({ ...m, reject: 1 }), "reject"],
  ["context not a string", "Heartbeat", (m) => ({ ...m, context: 5 }), "context"],
  ["null context where required", "ReadIndexRequest", (m) => ({ ...m, context: null }), "context"],
  ["entries not an array", "AppendEntries", (m) => ({ ...m, entries: {} }), "entries"],
  ["entry kind unknown", "AppendEntries",
    (m) => ({ ...m, entries: [entryOf("evil", new Uint8Array())] }), "entries[0].kind"],
  ["entry data a string", "AppendEntries",
    (m) => ({ ...m, entries: [entryOf("normal", "x")] }), "entries[0].data"],
  ["entry null", "AppendEntries", (m) => ({ ...m, entries: [null] }), "entries[0]"],
  ["data an array of numbers", "Propose", (m) => ({ ...m, data: [1, 2] }), "data"],
  ["snapshot missing", "InstallSnapshot", (m) => ({ ...m, snapshot: undefined }), "snapshot"],
  ["voter not a node id", "InstallSnapshot", (m) => {
    const s = m["snapshot"] as { metadata: { confState: { voters: unknown[] } } };
    s.metadata.confState.voters = [7];
    return m;
  }, "snapshot.metadata.confState.voters[0]"],
];

for (const [name, type, corrupt, path] of corruptions) {
  test(`rejects a malformed message: ${name}`, () => {
    assert.throws(() => decodeMessage(corrupt(raw(type))), malformed(path));
  });
}

test("inherited fields do not count: a prototype cannot supply a missing field", () => {
  const m = Object.create({ term: 1 }) as Record<string, unknown>;
  Object.assign(m, { type: "TimeoutNow", from: "n1", to: "n2" });
  assert.throws(() => decodeMessage(m), malformed("term"));
});

test("bytes that are not msgpack, or carry trailing data, are a MessageDecodeError", () => {
  for (const garbage of [new Uint8Array([0xc1]), new Uint8Array(0), new Uint8Array([0x85])]) {
    assert.throws(() => unpackMessage(garbage), MessageDecodeError);
  }
  const valid = encodeMessage(sampleMessages(n1, n2)[0] as Message);
  const trailing = new Uint8Array([...valid, 0]);
  assert.throws(() => unpackMessage(trailing), MessageDecodeError);
  assert.throws(() => unpackMessage(packValue("just a string")), malformed(""));
});

test("property: random msgpack values never decode as messages nor throw anything else", () => {
  fc.assert(
    fc.property(fc.anything(), (value) => {
      try {
        unpackMessage(packValue(value));
      } catch (error: unknown) {
        assert.ok(error instanceof MessageDecodeError, String(error));
      }
    }),
    { numRuns: 300 },
  );
});

test("property: random bytes never throw anything but MessageDecodeError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (garbage) => {
      try {
        unpackMessage(garbage);
      } catch (error: unknown) {
        assert.ok(error instanceof MessageDecodeError, String(error));
      }
    }),
    { numRuns: 500 },
  );
});

