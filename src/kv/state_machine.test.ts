import { test } from "node:test";
import assert from "node:assert/strict";
import { KvStateMachine } from "./state_machine.js";

test("write then read; cas succeeds only on a matching value and reports why it failed", () => {
  const kv = new KvStateMachine();
  assert.deepEqual(kv.apply({ op: "read", clientId: "a", seq: 1, key: "x" }), { kind: "ok", value: null });
  assert.deepEqual(kv.apply({ op: "cas", clientId: "a", seq: 2, key: "x", from: 1, to: 2 }), { kind: "key-absent" });
  kv.apply({ op: "write", clientId: "a", seq: 3, key: "x", value: 1 });
  assert.deepEqual(kv.apply({ op: "cas", clientId: "a", seq: 4, key: "x", from: 5, to: 6 }), {
    kind: "precondition-failed",
    current: 1,
  });
  assert.deepEqual(kv.apply({ op: "cas", clientId: "a", seq: 5, key: "x", from: 1, to: 7 }), { kind: "ok", value: 7 });
  assert.equal(kv.get("x"), 7);
  assert.deepEqual(kv.apply({ op: "cas", clientId: "a", seq: 6, key: "y", from: [1], to: 0 }), { kind: "key-absent" });
  kv.apply({ op: "write", clientId: "a", seq: 7, key: "y", value: [1, { a: 2 }] });
  assert.equal(kv.apply({ op: "cas", clientId: "a", seq: 8, key: "y", from: [1, { a: 2 }], to: 0 }).kind, "ok");
});

test("§6.3: a duplicated command is applied once and returns the cached result", () => {
  const kv = new KvStateMachine();
  kv.apply({ op: "write", clientId: "a", seq: 1, key: "x", value: 1 });
  const cas = { op: "cas", clientId: "b", seq: 1, key: "x", from: 1, to: 2 } as const;
  assert.deepEqual(kv.apply(cas), { kind: "ok", value: 2 });
  // Applied again, the cas would now fail; the duplicate must return the first result instead.
  assert.deepEqual(kv.apply(cas), { kind: "ok", value: 2 });
  kv.apply({ op: "write", clientId: "a", seq: 2, key: "x", value: 9 });
  assert.deepEqual(kv.apply({ op: "write", clientId: "a", seq: 1, key: "x", value: 1 }), { kind: "stale-session" });
  assert.equal(kv.get("x"), 9);
});

test("the session table keeps at most clientSessionsMax sessions, evicting the least recently used", () => {
  const kv = new KvStateMachine({ clientSessionsMax: 2 });
  kv.apply({ op: "write", clientId: "a", seq: 1, key: "x", value: 1 });
  kv.apply({ op: "write", clientId: "b", seq: 1, key: "x", value: 2 });
  kv.apply({ op: "write", clientId: "a", seq: 1, key: "x", value: 1 }); // duplicate touches a
  kv.apply({ op: "write", clientId: "c", seq: 1, key: "x", value: 3 }); // evicts b
  assert.equal(kv.sessionCount, 2);
  assert.equal(kv.get("x"), 3);
  // b was evicted, so its old duplicate is (knowingly) applied again; a's is still deduplicated.
  kv.apply({ op: "write", clientId: "a", seq: 1, key: "x", value: 1 });
  assert.equal(kv.get("x"), 3);
  kv.apply({ op: "write", clientId: "b", seq: 1, key: "x", value: 2 });
  assert.equal(kv.get("x"), 2);
});

test("snapshot and restore reproduce the data and the sessions exactly", () => {
  const kv = new KvStateMachine({ clientSessionsMax: 3 });
  for (let i = 1; i <= 5; i++) kv.apply({ op: "write", clientId: `c${i}`, seq: 1, key: `k${i % 2}`, value: i });
  const image = kv.snapshot();
  const copy = new KvStateMachine({ clientSessionsMax: 3 });
  copy.apply({ op: "write", clientId: "z", seq: 1, key: "gone", value: 0 });
  copy.restore(image);
  assert.deepEqual(copy.snapshot(), image);
  assert.equal(copy.get("gone"), null);
  assert.equal(copy.get("k1"), 5);
  // The restored sessions still deduplicate, and keep their recency order for eviction.
  assert.deepEqual(copy.apply({ op: "write", clientId: "c5", seq: 1, key: "k1", value: 5 }), { kind: "ok", value: 5 });
  copy.apply({ op: "write", clientId: "c6", seq: 1, key: "k0", value: 6 }); // evicts c3
  assert.equal(copy.sessionCount, 3);
  copy.restore(new Uint8Array(0));
  assert.equal(copy.size, 0);
});
