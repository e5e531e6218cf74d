/**
 * msgpack_writer.ts writes what an independent decoder (msgpackr, the store's unpackStore) reads
 * back as the same values, at every size boundary of every type; and a snapshot written with it
 * restores a keyspace of every Redis type, TTLs and WATCH tombstones included.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { packStore, unpackStore } from "../binary_store/store_commands.js";
import { MsgpackWriter } from "./msgpack_writer.js";
import { bulk } from "./reply.js";
import { EngineHarness } from "./testing/engine_harness.js";

const numbers = [
  0, 1, 127, 128, 255, 256, 65_535, 65_536, 0xffff_ffff, 0x1_0000_0000, 1_796_210_394_991,
  Number.MAX_SAFE_INTEGER, -1, -32, -33, -128, -129, -32_768, -32_769, -0x8000_0000,
  -0x8000_0001, Number.MIN_SAFE_INTEGER, 0.5, -2.25, 1e300, -0, Infinity, -Infinity,
];

test("numbers at every encoding boundary decode to themselves (-0 and infinities included)", () => {
  for (const value of numbers) {
    const w = new MsgpackWriter(8);
    w.number(value);
    const decoded = unpackStore(w.bytes());
    assert.ok(Object.is(decoded, value), `${value} decoded as ${String(decoded)}`);
  }
});

test("strings, bins and arrays at every length boundary decode to themselves", () => {
  for (const length of [0, 1, 15, 16, 31, 32, 255, 256, 65_535, 65_536, 70_000]) {
    const text = "é".repeat(length >> 1) + "x".repeat(length & 1);
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 31) & 0xff);
    const latin1 = String.fromCharCode(...Array.from({ length: Math.min(length, 1000) }, (_, i) => (i * 7) & 0xff));
    const w = new MsgpackWriter(8);
    w.array(5);
    w.str(text);
    w.bin(bytes);
    w.binLatin1(latin1);
    w.array(length);
    for (let i = 0; i < length; i++) w.nil();
    w.raw(packStore({ already: "encoded" }));
    const [t, b, l, a, raw] = unpackStore(w.bytes()) as [string, Uint8Array, Uint8Array, unknown[], unknown];
    assert.equal(t, text);
    assert.deepEqual(Uint8Array.from(b), bytes);
    assert.equal(Buffer.from(l).toString("latin1"), latin1);
    assert.equal(a.length, length);
    assert.deepEqual(raw, new Map([["already", "encoded"]]));
  }
});

test("a snapshot written by it restores every type, TTLs and tombstones; re-written, it is the same bytes", () => {
  const h = new EngineHarness();
  const value = "v".repeat(300);
  h.run("SET", "str", value);
  h.run("SET", "ttl", "x", "PX", "60000");
  h.run("HSET", "hash", "f1", "a", "f\u00ff", "b");
  h.run("RPUSH", "list", "1", "2", "3");
  h.run("SADD", "set", "m1", "m2");
  h.run("ZADD", "zset", "-inf", "low", "-0", "zero", "2.5", "mid", "inf", "high");
  h.run("SET", "gone", "x");
  h.run("DEL", "gone"); // leaves a WATCH tombstone
  h.db = 7;
  h.run("SET", "other", "db");
  const r = h.restarted();
  assert.deepEqual(r.machine.snapshot(), h.machine.snapshot());
  h.db = 0;
  r.db = 0;
  assert.deepEqual(r.run("GET", "str"), bulk(new TextEncoder().encode(value)));
  assert.deepEqual(r.run("HGET", "hash", "f\u00ff"), bulk(new TextEncoder().encode("b")));
  assert.deepEqual(r.run("ZSCORE", "zset", "zero"), h.run("ZSCORE", "zset", "zero"));
  assert.deepEqual(r.run("ZRANGE", "zset", "0", "-1", "WITHSCORES"), h.run("ZRANGE", "zset", "0", "-1", "WITHSCORES"));
  assert.deepEqual(r.run("PTTL", "ttl"), h.run("PTTL", "ttl"));
  assert.deepEqual(r.run("LRANGE", "list", "0", "-1"), h.run("LRANGE", "list", "0", "-1"));
  assert.deepEqual(r.run("SMEMBERS", "set"), h.run("SMEMBERS", "set"));
  assert.deepEqual(r.machine.engine.keyspace.removedAt, h.machine.engine.keyspace.removedAt);
  r.db = 7;
  assert.deepEqual(r.run("GET", "other"), bulk(new TextEncoder().encode("db")));
});
