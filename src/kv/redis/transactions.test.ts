/**
 * Transactions applied by the store machine (one "multi" entry): atomic at one stamp, SELECT
 * inside, per-command errors, WATCH aborts (write, delete, expiry after the WATCH, pruned
 * tombstones) and non-aborts (untouched, stale keys), exactly-once, snapshots; and the active
 * expiry entry, which removes only keys still expired at its stamp.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EngineHarness } from "./testing/engine_harness.js";
import { encodeStoreCommand, type StoreResult } from "../binary_store/store_commands.js";
import { StoreMachine } from "../binary_store/store_machine.js";
import { NULL_ARRAY, OK, array, bulk, error, type Reply } from "./reply.js";
import { pruneTombstones, watchKeys, type WatchedKey } from "./transactions.js";

let seq = 0;

/** A reply's bytes as the store builds them (plain Uint8Array). */
function b(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text));
}

function argvOf(args: readonly string[]): Uint8Array[] {
  return args.map((a) => Buffer.from(a));
}

/** Applies a transaction entry to `h`'s machine, as EXEC would propose it. */
function exec(h: EngineHarness, commands: readonly string[][], watches: readonly WatchedKey[] = []): Reply {
  const bytes = encodeStoreCommand({
    op: "multi", clientId: "tx-test", seq: ++seq, db: h.db, stampMs: h.nowMs, seed: h.seed,
    watches, commands: commands.map(argvOf),
  });
  return replyOf(h.machine.apply(bytes, ++h.index));
}

function replyOf(result: StoreResult): Reply {
  if (result.kind !== "reply") throw new Error(`unexpected result ${result.kind}`);
  return result.reply;
}

/** What WATCH records now for `keys` of the harness's database. */
function watch(h: EngineHarness, ...keys: string[]): WatchedKey[] {
  return watchKeys(h.machine.engine.keyspace, h.db, argvOf(keys), { nowMs: h.nowMs, index: h.index });
}

/** Stores `key` with a TTL `ttlMs` from now (a write at the next index). */
function setWithTtl(h: EngineHarness, key: string, value: string, ttlMs: number): void {
  h.machine.engine.keyspace.db(h.db).put(key, { type: "string", value: Buffer.from(value) }, ++h.index,
    h.nowMs + ttlMs);
}

function del(h: EngineHarness, key: string): void {
  const bytes = encodeStoreCommand({ op: "del", clientId: "tx-test", seq: ++seq, keys: [Buffer.from(key)] });
  h.machine.apply(bytes, ++h.index);
}

test("a transaction runs its commands in one entry and answers an array of their replies", () => {
  const h = new EngineHarness();
  const before = h.index;
  const reply = exec(h, [["SET", "k", "v"], ["GET", "k"], ["PING"], ["ECHO", "e"], ["SET", "k"]]);
  assert.deepEqual(reply, array([OK, bulk(b("v")), { type: "simple", text: "PONG" },
    bulk(b("e")), error("ERR wrong number of arguments for 'set' command")]));
  assert.equal(h.index, before + 1);
});

test("a runtime error is that command's reply and later commands still run", () => {
  const h = new EngineHarness();
  const reply = exec(h, [["SET", "a", "1", "NX", "XX"], ["SET", "b", "2"], ["NOSUCH"]]);
  assert.deepEqual(reply, array([error("ERR syntax error"), OK, error("ERR unknown command 'NOSUCH'")]));
  assert.deepEqual(h.run("GET", "b"), bulk(b("2")));
});

test("SELECT inside a transaction moves the later commands to that database", () => {
  const h = new EngineHarness();
  const reply = exec(h, [["SELECT", "3"], ["SET", "k", "three"], ["SELECT", "16"], ["SELECT", "x"], ["GET", "k"]]);
  assert.deepEqual(reply, array([OK, OK, error("ERR DB index is out of range"),
    error("ERR value is not an integer or out of range"), bulk(b("three"))]));
  assert.equal(h.run("GET", "k").type, "null");
  h.db = 3;
  assert.deepEqual(h.run("GET", "k"), bulk(b("three")));
});

test("WATCH: a write to a watched key after the WATCH aborts EXEC and applies nothing", () => {
  const h = new EngineHarness();
  h.run("SET", "w", "1");
  const watches = watch(h, "w");
  h.run("SET", "w", "2");
  assert.deepEqual(exec(h, [["SET", "w", "3"], ["SET", "other", "x"]], watches), NULL_ARRAY);
  assert.deepEqual(h.run("GET", "w"), bulk(b("2")));
  assert.equal(h.run("GET", "other").type, "null");
});

test("WATCH: untouched keys (present or absent) let EXEC run", () => {
  const h = new EngineHarness();
  h.run("SET", "w", "1");
  const watches = watch(h, "w", "absent");
  h.run("SET", "unrelated", "2");
  assert.deepEqual(exec(h, [["SET", "w", "3"]], watches), array([OK]));
});

test("WATCH: a watched key deleted after the WATCH aborts; so does one created", () => {
  const h = new EngineHarness();
  h.run("SET", "w", "1");
  const deleted = watch(h, "w");
  del(h, "w");
  assert.deepEqual(exec(h, [["PING"]], deleted), NULL_ARRAY);
  const created = watch(h, "c");
  h.run("SET", "c", "1");
  assert.deepEqual(exec(h, [["PING"]], created), NULL_ARRAY);
  const createdAndDeleted = watch(h, "d");
  h.run("SET", "d", "1");
  del(h, "d");
  assert.deepEqual(exec(h, [["PING"]], createdAndDeleted), NULL_ARRAY);
});

test("WATCH: a key that expires between WATCH and EXEC aborts EXEC (expiry is a write)", () => {
  const h = new EngineHarness();
  setWithTtl(h, "t", "v", 1000);
  const watches = watch(h, "t");
  h.nowMs += 500;
  assert.deepEqual(exec(h, [["PING"]], watch(h, "t")), array([{ type: "simple", text: "PONG" }]));
  h.nowMs += 600;
  assert.deepEqual(exec(h, [["PING"]], watches), NULL_ARRAY);
});

test("WATCH: a key already expired at the WATCH, then removed, does not abort (stale key)", () => {
  const h = new EngineHarness();
  setWithTtl(h, "s", "v", 10);
  h.nowMs += 20;
  const watches = watch(h, "s");
  assert.equal(watches[0]?.expired, true);
  // The active expiry entry removes it: no change for the watcher.
  const expire = encodeStoreCommand({ op: "expire", clientId: "tx-test", seq: ++seq, db: 0, stampMs: h.nowMs,
    keys: [Buffer.from("s")] });
  assert.deepEqual(replyOf(h.machine.apply(expire, ++h.index)), { type: "integer", value: 1 });
  assert.deepEqual(exec(h, [["GET", "s"]], watches), array([{ type: "null" }]));
  assert.deepEqual(exec(h, [["PING"]], watches), array([{ type: "simple", text: "PONG" }]));
  // Written again after the WATCH: that is a change.
  h.run("SET", "s", "new");
  assert.deepEqual(exec(h, [["PING"]], watches), NULL_ARRAY);
});

test("WATCH: past the tombstone prune floor an absent watched key aborts (conservatively)", () => {
  const h = new EngineHarness();
  const old = watch(h, "gone");
  h.run("SET", "gone", "1");
  del(h, "gone");
  const keyspace = h.machine.engine.keyspace;
  h.run("SET", "x", "1");
  del(h, "x");
  assert.equal(keyspace.removedAt.size, 2);
  pruneTombstones(keyspace, 0);
  assert.equal(keyspace.removedAt.size, 0);
  assert.equal(keyspace.watchFloorIndex, h.index);
  assert.deepEqual(exec(h, [["PING"]], old), NULL_ARRAY);
  const fresh = watch(h, "gone");
  assert.deepEqual(exec(h, [["PING"]], fresh), array([{ type: "simple", text: "PONG" }]));
});

test("the store keeps at most TOMBSTONES_MAX tombstones, oldest pruned first", () => {
  const h = new EngineHarness();
  const keyspace = h.machine.engine.keyspace;
  for (let i = 0; i < 5; i++) keyspace.removedAt.set(`0:k${i}`, i + 1);
  pruneTombstones(keyspace, 3);
  assert.deepEqual([...keyspace.removedAt.keys()], ["0:k2", "0:k3", "0:k4"]);
  assert.equal(keyspace.watchFloorIndex, 2);
});

test("a transaction applied twice (a duplicate proposal) runs once and answers the same", () => {
  const machine = new StoreMachine();
  const bytes = encodeStoreCommand({
    op: "multi", clientId: "dup", seq: 1, db: 0, stampMs: 1_000, seed: 1, watches: [],
    commands: [argvOf(["SET", "k", "v"]), argvOf(["SET", "k", "v", "NX"])],
  });
  const first = replyOf(machine.apply(bytes, 1));
  assert.deepEqual(first, array([OK, { type: "null" }]));
  assert.deepEqual(replyOf(machine.apply(Uint8Array.from(bytes), 2)), first);
  assert.equal(machine.engine.keyspace.db(0).entries.get("k")?.modifiedIndex, 1);
});

test("tombstones and the prune floor survive a snapshot: a WATCH across a restart still aborts", () => {
  const h = new EngineHarness();
  h.run("SET", "w", "1");
  const watches = watch(h, "w");
  del(h, "w");
  const restarted = h.restarted();
  assert.deepEqual(exec(restarted, [["PING"]], watches), NULL_ARRAY);
});

test("a malformed transaction entry is refused by validation and applies as invalid", () => {
  const machine = new StoreMachine();
  const good = encodeStoreCommand({
    op: "multi", clientId: "bad", seq: 1, db: 0, stampMs: 1, seed: 1,
    watches: [{ db: 0, key: Buffer.from("k"), index: 0, expired: false }], commands: [argvOf(["PING"])],
  });
  assert.equal(machine.validate(good, "propose"), null);
  // Re-pack with a watched key whose database is out of range.
  const tampered = Buffer.from(good);
  const at = tampered.indexOf(Buffer.from([0x94, 0x00]));
  assert.ok(at > 0);
  tampered[at + 1] = 0x10;
  assert.ok(machine.validate(tampered, "propose") instanceof Error);
  assert.equal(machine.apply(tampered, 1).kind, "invalid");
  assert.equal(machine.engine.keyspace.size, 0);
});

test("the expire entry removes only keys still expired at its stamp", () => {
  const h = new EngineHarness();
  setWithTtl(h, "soon", "v", 100);
  setWithTtl(h, "later", "v", 10_000);
  h.run("SET", "forever", "v");
  h.nowMs += 200;
  const expire = encodeStoreCommand({ op: "expire", clientId: "tx-test", seq: ++seq, db: 0, stampMs: h.nowMs,
    keys: argvOf(["soon", "later", "forever", "absent"]) });
  assert.deepEqual(replyOf(h.machine.apply(expire, ++h.index)), { type: "integer", value: 1 });
  const entries = h.machine.engine.keyspace.db(0).entries;
  assert.deepEqual([...entries.keys()].sort(), ["forever", "later"]);
});
