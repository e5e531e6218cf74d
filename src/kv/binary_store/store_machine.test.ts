/**
 * The binary store machine: Redis semantics of SET NX/XX, DEL, INCRBY, CAS; exactly-once and
 * in-order sessions (§6.3); snapshot/restore; bad input as results, never exceptions.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { INT64_MAX, INT64_MIN, parseInt64 } from "./int64.js";
import { Packr } from "msgpackr";
import {
  decodeStoreCommand, encodeStoreCommand, StoreCommandDecodeError, type StoreCommand, type StoreResult,
} from "./store_commands.js";
import { StoreMachine } from "./store_machine.js";

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);
const text = (v: Uint8Array | null): string | null => (v === null ? null : new TextDecoder().decode(v));

type Body = StoreCommand extends infer C ? (C extends StoreCommand ? Omit<C, "clientId" | "seq"> : never) : never;

class Client {
  seq = 0;
  constructor(readonly machine: StoreMachine, readonly clientId = "c1") {}
  run(body: Body, seq = ++this.seq): StoreResult {
    return this.machine.apply(encodeStoreCommand({ ...body, clientId: this.clientId, seq }), seq);
  }
}

test("SET writes; NX only when absent, XX only when present", () => {
  const m = new StoreMachine();
  const c = new Client(m);
  assert.deepEqual(c.run({ op: "set", key: b("k"), value: b("1"), condition: "xx" }), { kind: "written", written: false });
  assert.equal(m.get(b("k")), null);
  assert.deepEqual(c.run({ op: "set", key: b("k"), value: b("1"), condition: "nx" }), { kind: "written", written: true });
  assert.deepEqual(c.run({ op: "set", key: b("k"), value: b("2"), condition: "nx" }), { kind: "written", written: false });
  assert.equal(text(m.get(b("k"))), "1");
  assert.deepEqual(c.run({ op: "set", key: b("k"), value: b("3"), condition: "xx" }), { kind: "written", written: true });
  assert.deepEqual(c.run({ op: "set", key: b("k"), value: b("4"), condition: null }), { kind: "written", written: true });
  assert.equal(text(m.get(b("k"))), "4");
});

test("keys and values are binary-safe (every byte value, empty value)", () => {
  const m = new StoreMachine();
  const c = new Client(m);
  const key = Uint8Array.from({ length: 256 }, (_, i) => i);
  const value = Uint8Array.from({ length: 300 }, (_, i) => 255 - (i % 256));
  c.run({ op: "set", key, value, condition: null });
  c.run({ op: "set", key: new Uint8Array(0), value: new Uint8Array(0), condition: null });
  assert.deepEqual(m.get(key), value);
  assert.deepEqual(m.get(new Uint8Array(0)), new Uint8Array(0));
  assert.equal(m.get(key.subarray(1)), null);
  assert.equal(m.size, 2);
});

test("DEL counts the keys that existed; EXISTS counts repeats", () => {
  const m = new StoreMachine();
  const c = new Client(m);
  c.run({ op: "set", key: b("a"), value: b("1"), condition: null });
  c.run({ op: "set", key: b("b"), value: b("2"), condition: null });
  assert.equal(m.exists([b("a"), b("a"), b("b"), b("z")]), 3);
  assert.deepEqual(c.run({ op: "del", keys: [b("a"), b("z"), b("a")] }), { kind: "deleted", count: 1 });
  assert.equal(m.size, 1);
});

test("INCRBY: absent is 0; non-integers and overflow are error results that change nothing", () => {
  const m = new StoreMachine();
  const c = new Client(m);
  assert.deepEqual(c.run({ op: "incrBy", key: b("n"), delta: 5n }), { kind: "integer", value: 5n });
  assert.deepEqual(c.run({ op: "incrBy", key: b("n"), delta: -7n }), { kind: "integer", value: -2n });
  assert.equal(text(m.get(b("n"))), "-2");
  for (const bad of ["abc", "", " 1", "1 ", "+1", "01", "-0", "1.5", "99999999999999999999"]) {
    c.run({ op: "set", key: b("x"), value: b(bad), condition: null });
    assert.deepEqual(c.run({ op: "incrBy", key: b("x"), delta: 1n }), { kind: "error", code: "NOT_INTEGER" }, bad);
    assert.equal(text(m.get(b("x"))), bad);
  }
  c.run({ op: "set", key: b("max"), value: b(INT64_MAX.toString()), condition: null });
  assert.deepEqual(c.run({ op: "incrBy", key: b("max"), delta: 1n }), { kind: "error", code: "INTEGER_OVERFLOW" });
  assert.equal(text(m.get(b("max"))), INT64_MAX.toString());
  c.run({ op: "set", key: b("min"), value: b(INT64_MIN.toString()), condition: null });
  assert.deepEqual(c.run({ op: "incrBy", key: b("min"), delta: -1n }), { kind: "error", code: "INTEGER_OVERFLOW" });
  assert.deepEqual(c.run({ op: "incrBy", key: b("min"), delta: INT64_MAX }), { kind: "integer", value: -1n });
  assert.equal(parseInt64(b("-9223372036854775808")), INT64_MIN);
  assert.equal(parseInt64(b("9223372036854775808")), null);
});

test("CAS writes only when the current value matches byte for byte (null: absent)", () => {
  const m = new StoreMachine();
  const c = new Client(m);
  const absent = { kind: "written", written: false, absent: true };
  assert.deepEqual(c.run({ op: "cas", key: b("k"), expected: b("x"), next: b("1") }), absent);
  assert.deepEqual(c.run({ op: "cas", key: b("k"), expected: null, next: b("1") }), { kind: "written", written: true });
  assert.deepEqual(c.run({ op: "cas", key: b("k"), expected: null, next: b("2") }), { kind: "written", written: false });
  assert.deepEqual(c.run({ op: "cas", key: b("k"), expected: b("1"), next: b("2") }), { kind: "written", written: true });
  assert.deepEqual(c.run({ op: "cas", key: b("k"), expected: b("1"), next: b("3") }), { kind: "written", written: false });
  assert.equal(text(m.get(b("k"))), "2");
});

test("§6.3 a duplicate gets the cached result without applying again; an older seq is stale", () => {
  const m = new StoreMachine();
  const c = new Client(m);
  assert.deepEqual(c.run({ op: "incrBy", key: b("n"), delta: 1n }, 1), { kind: "integer", value: 1n });
  assert.deepEqual(c.run({ op: "incrBy", key: b("n"), delta: 1n }, 1), { kind: "integer", value: 1n });
  assert.equal(text(m.get(b("n"))), "1", "applied exactly once");
  assert.deepEqual(c.run({ op: "incrBy", key: b("n"), delta: 10n }, 3), { kind: "integer", value: 11n });
  assert.deepEqual(c.run({ op: "incrBy", key: b("n"), delta: 100n }, 2), { kind: "stale" }, "overtaken: never applied");
  assert.equal(text(m.get(b("n"))), "11");
  const other = new Client(m, "c2");
  assert.deepEqual(other.run({ op: "incrBy", key: b("n"), delta: 1n }, 1), { kind: "integer", value: 12n });
});

test("the session table is bounded, least recently used evicted first", () => {
  const m = new StoreMachine({ clientSessionsMax: 2 });
  new Client(m, "a").run({ op: "del", keys: [] });
  new Client(m, "b").run({ op: "del", keys: [] });
  new Client(m, "c").run({ op: "del", keys: [] });
  assert.equal(m.sessionCount, 2);
});

test("snapshot/restore round-trips data and sessions; a restored replica dedups like the original", () => {
  const m = new StoreMachine();
  const c = new Client(m);
  c.run({ op: "set", key: b("k"), value: Uint8Array.of(0, 255, 7), condition: null });
  c.run({ op: "incrBy", key: b("n"), delta: 41n });
  const image = m.snapshot();
  const r = new StoreMachine();
  r.restore(image);
  assert.ok(Buffer.from(r.snapshot()).equals(Buffer.from(image)), "deterministic image");
  assert.deepEqual(r.get(b("k")), Uint8Array.of(0, 255, 7));
  assert.deepEqual(new Client(r).run({ op: "incrBy", key: b("n"), delta: 41n }, 2), { kind: "integer", value: 41n });
  assert.equal(text(r.get(b("n"))), "41", "the duplicate was not applied after restore");
  // A cached cas-on-absent result keeps its `absent` across the snapshot.
  const failed = c.run({ op: "cas", key: b("gone"), expected: b("x"), next: b("y") });
  const r2 = new StoreMachine();
  r2.restore(m.snapshot());
  assert.deepEqual(new Client(r2).run({ op: "cas", key: b("gone"), expected: b("x"), next: b("y") }, c.seq), failed);
  assert.deepEqual(failed, { kind: "written", written: false, absent: true });
  r.restore(new Uint8Array(0));
  assert.equal(r.size, 0);
  assert.throws(() => { r.restore(b("garbage")); });
});

test("bytes that are not a command give an `invalid` result and change nothing", () => {
  const m = new StoreMachine();
  for (const bad of [b("not msgpack \xc1"), Uint8Array.of(0x93, 1, 2, 3), Uint8Array.of(0xc1)]) {
    assert.equal(m.apply(bad, 1).kind, "invalid");
  }
  assert.equal(m.size, 0);
  assert.equal(m.sessionCount, 0);
});

test("a crafted INCRBY entry whose delta leaves the signed 64-bit range is refused as invalid", () => {
  const machine = new StoreMachine();
  const packr = new Packr({ useRecords: false });
  const crafted = packr.pack(["i", "c1", 1, b("n"), "9999999999999999999"]);
  assert.throws(() => decodeStoreCommand(crafted), StoreCommandDecodeError);
  assert.equal(machine.apply(crafted, 1).kind, "invalid");
  const inRange = packr.pack(["i", "c1", 2, b("n"), "-9223372036854775808"]);
  assert.equal(decodeStoreCommand(inRange).op, "incrBy");
});
