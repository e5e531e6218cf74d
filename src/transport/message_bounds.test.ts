/**
 * Range checks at decode (core/bounds.ts): every number a peer message carries is within its
 * documented bound, or the message is refused with MessageOutOfRangeError naming the field and
 * the value, before anything reaches the core. A term of 2^53 - 2 is the attack that exhausted
 * terms: at the next election every candidate died computing term + 1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  LOG_INDEX_MAX, type Message, nodeId, TERM_MAX, WIRE_COUNT_MAX,
} from "../core/index.js";
import { MessageDecodeError, MessageOutOfRangeError } from "./errors.js";
import { decodeMessage } from "./message_codec.js";
import { decodeInboundFrame } from "./snapshot_codec.js";
import { sampleMessages } from "./test_support.js";

const n1 = nodeId("n1");
const n2 = nodeId("n2");

function raw(type: Message["type"]): Record<string, unknown> {
  const m = sampleMessages(n1, n2).find((s) => s.type === type);
  assert.ok(m);
  return structuredClone(m) as unknown as Record<string, unknown>;
}

type Set = (m: Record<string, unknown>, value: number) => unknown;
const entryAt = (m: Record<string, unknown>): Record<string, unknown> => {
  const entries = m["entries"] as Record<string, unknown>[];
  const first = entries[0];
  assert.ok(first !== undefined);
  return first;
};
const metadataOf = (m: Record<string, unknown>): Record<string, unknown> =>
  (m["snapshot"] as { metadata: Record<string, unknown> }).metadata;

/** [message type, field path, bound, how to set the field]. */
const fields: readonly [Message["type"], string, number, Set][] = [
  ["Heartbeat", "term", TERM_MAX, (m, v) => ({ ...m, term: v })],
  ["Heartbeat", "commit", LOG_INDEX_MAX, (m, v) => ({ ...m, commit: v })],
  ["PreVote", "lastLogIndex", LOG_INDEX_MAX, (m, v) => ({ ...m, lastLogIndex: v })],
  ["RequestVote", "lastLogTerm", TERM_MAX, (m, v) => ({ ...m, lastLogTerm: v })],
  ["AppendEntries", "prevLogIndex", LOG_INDEX_MAX, (m, v) => ({ ...m, prevLogIndex: v })],
  ["AppendEntries", "prevLogTerm", TERM_MAX, (m, v) => ({ ...m, prevLogTerm: v })],
  ["AppendEntries", "entries[0].term", TERM_MAX, (m, v) => { entryAt(m)["term"] = v; return m; }],
  ["AppendEntries", "entries[0].index", LOG_INDEX_MAX,
    (m, v) => { entryAt(m)["index"] = v; return m; }],
  ["AppendEntriesResponse", "index", LOG_INDEX_MAX, (m, v) => ({ ...m, index: v })],
  ["AppendEntriesResponse", "hintIndex", LOG_INDEX_MAX, (m, v) => ({ ...m, hintIndex: v })],
  ["AppendEntriesResponse", "hintTerm", TERM_MAX, (m, v) => ({ ...m, hintTerm: v })],
  ["InstallSnapshot", "snapshot.metadata.index", LOG_INDEX_MAX,
    (m, v) => { metadataOf(m)["index"] = v; return m; }],
  ["InstallSnapshot", "snapshot.metadata.term", TERM_MAX,
    (m, v) => { metadataOf(m)["term"] = v; return m; }],
  ["ReadIndexResponse", "index", LOG_INDEX_MAX, (m, v) => ({ ...m, index: v })],
];

for (const [type, path, max, set] of fields) {
  test(`${type}.${path}: accepted at its bound, refused one past it and at 2^53 - 2`, () => {
    assert.doesNotThrow(() => decodeMessage(set(raw(type), max)));
    for (const value of [max + 1, 2 ** 53 - 2]) {
      assert.throws(() => decodeMessage(set(raw(type), value)), (error: unknown) => {
        assert.ok(error instanceof MessageOutOfRangeError, String(error));
        assert.ok(error instanceof MessageDecodeError, "caught wherever malformed input is");
        assert.equal(error.code, "MESSAGE_OUT_OF_RANGE");
        assert.equal(error.path, path);
        assert.equal(error.value, value);
        assert.match(error.message, new RegExp(`${path.replace(/[[\].]/g, "\\$&")}: ${value} `));
        return true;
      });
    }
  });
}

test("the bounds are documented constants well below 2^53, so term + 1 is always exact", () => {
  for (const bound of [TERM_MAX, LOG_INDEX_MAX, WIRE_COUNT_MAX]) {
    assert.ok(Number.isSafeInteger(bound * 16), `${bound} leaves no headroom below 2^53`);
  }
});

test("snapshot frame counts (offsets, sizes, ids) are bounded by WIRE_COUNT_MAX", () => {
  const chunk = {
    type: "SnapshotChunk", id: 1, offset: WIRE_COUNT_MAX + 1, crc: 0, data: new Uint8Array(1),
  };
  assert.throws(() => decodeInboundFrame(chunk), (error: unknown) =>
    error instanceof MessageOutOfRangeError && error.path === "offset");
});
