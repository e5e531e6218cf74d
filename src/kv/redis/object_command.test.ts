/**
 * OBJECT: each encoding's boundary (Redis 7.0's rules, checked against redis-server 7.0.15),
 * the thresholds from the encoding settings, REFCOUNT/IDLETIME/FREQ/HELP and the errors.
 */
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { EngineHarness } from "./testing/engine_harness.js";
import { encodingSettings, resetEncodingSettings } from "./encoding_settings.js";
import { NULL, bulk, error, integer, type Reply } from "./reply.js";

afterEach(resetEncodingSettings);

const enc = (h: EngineHarness, key: string): Reply => h.run("OBJECT", "ENCODING", key);
const name = (s: string): Reply => bulk(s);

test("strings: int (string2ll, at most 20 chars), embstr up to 44 bytes, raw beyond", () => {
  const h = new EngineHarness();
  const cases: [string, string][] = [
    ["123", "int"], ["0", "int"], ["-9223372036854775808", "int"], ["9223372036854775807", "int"],
    ["9223372036854775808", "embstr"], ["01", "embstr"], ["-0", "embstr"], ["+1", "embstr"],
    [" 1", "embstr"], ["1.5", "embstr"], ["", "embstr"], ["x".repeat(44), "embstr"], ["x".repeat(45), "raw"],
  ];
  for (const [value, expected] of cases) {
    h.run("SET", "s", value);
    assert.deepEqual(enc(h, "s"), name(expected), value);
  }
});

test("lists are always quicklist (Redis 7.0)", () => {
  const h = new EngineHarness();
  h.run("RPUSH", "l", "a");
  assert.deepEqual(enc(h, "l"), name("quicklist"));
});

test("sets: intset while every member is an integer and within set-max-intset-entries", () => {
  const h = new EngineHarness();
  h.run("SADD", "s", "1", "-9223372036854775808");
  assert.deepEqual(enc(h, "s"), name("intset"));
  h.run("SADD", "s", "9223372036854775808");
  assert.deepEqual(enc(h, "s"), name("hashtable"));
  h.run("SREM", "s", "9223372036854775808");
  assert.deepEqual(enc(h, "s"), name("intset")); // recomputed: a deliberate difference from Redis
  h.run("SADD", "t", "a");
  assert.deepEqual(enc(h, "t"), name("hashtable"));
  encodingSettings.setMaxIntsetEntries = 2;
  assert.deepEqual(enc(h, "s"), name("intset"));
  h.run("SADD", "s", "3");
  assert.deepEqual(enc(h, "s"), name("hashtable"));
});

test("hashes: listpack within hash-max-listpack-entries and -value (fields and values)", () => {
  const h = new EngineHarness();
  h.run("HSET", "h", "f".repeat(64), "v".repeat(64));
  assert.deepEqual(enc(h, "h"), name("listpack"));
  h.run("HSET", "g", "f", "v".repeat(65));
  assert.deepEqual(enc(h, "g"), name("hashtable"));
  h.run("HSET", "k", "f".repeat(65), "v");
  assert.deepEqual(enc(h, "k"), name("hashtable"));
  encodingSettings.hashMaxListpackEntries = 1;
  assert.deepEqual(enc(h, "h"), name("listpack"));
  h.run("HSET", "h", "x", "y");
  assert.deepEqual(enc(h, "h"), name("hashtable"));
});

test("sorted sets: listpack within zset-max-listpack-entries and -value, else skiplist", () => {
  const h = new EngineHarness();
  const args: string[] = [];
  for (let i = 0; i < 128; i++) args.push(String(i), `m${String(i)}`);
  h.run("ZADD", "z", ...args);
  assert.deepEqual(enc(h, "z"), name("listpack"));
  h.run("ZADD", "z", "1", "extra");
  assert.deepEqual(enc(h, "z"), name("skiplist"));
  h.run("ZADD", "y", "1", "m".repeat(64));
  assert.deepEqual(enc(h, "y"), name("listpack"));
  h.run("ZADD", "x", "1", "m".repeat(65));
  assert.deepEqual(enc(h, "x"), name("skiplist"));
  encodingSettings.zsetMaxListpackEntries = 0;
  assert.deepEqual(enc(h, "y"), name("skiplist"));
});

test("REFCOUNT (shared integers 0..9999), IDLETIME, FREQ's error, missing keys are nil", () => {
  const h = new EngineHarness();
  h.run("SET", "n", "5");
  assert.deepEqual(h.run("OBJECT", "REFCOUNT", "n"), integer(2_147_483_647));
  h.run("SET", "n", "10000");
  assert.deepEqual(h.run("OBJECT", "refcount", "n"), integer(1));
  assert.deepEqual(h.run("OBJECT", "IDLETIME", "n"), integer(0));
  assert.deepEqual(h.run("OBJECT", "FREQ", "n"), error("ERR An LFU maxmemory policy is not selected, " +
    "access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data " +
    "will take some time to adjust."));
  for (const sub of ["ENCODING", "REFCOUNT", "IDLETIME", "FREQ"]) assert.deepEqual(h.run("OBJECT", sub, "nokey"), NULL);
  h.nowMs += 1;
  h.run("SET", "gone", "1", "PX", "1");
  h.nowMs += 10;
  assert.deepEqual(enc(h, "gone"), NULL);
});

test("HELP, unknown subcommands and wrong arity answer Redis's texts", () => {
  const h = new EngineHarness();
  const help = h.run("OBJECT", "HELP");
  assert.ok(help.type === "array");
  assert.equal(help.items.length, 15);
  assert.deepEqual(help.items[0], { type: "simple", text: "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" });
  assert.deepEqual(h.run("OBJECT", "foo", "k"), error("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  assert.deepEqual(h.run("OBJECT"), error("ERR wrong number of arguments for 'object' command"));
  assert.deepEqual(h.run("OBJECT", "ENCODING"), error("ERR wrong number of arguments for 'object|encoding' command"));
  assert.deepEqual(h.run("OBJECT", "encoding", "a", "b"), error("ERR wrong number of arguments for 'object|encoding' command"));
  assert.deepEqual(h.run("OBJECT", "help", "x"), error("ERR wrong number of arguments for 'object|help' command"));
});

test("MEMORY USAGE: the key's estimated bytes, nil when missing, SAMPLES checked; MEMORY's errors", () => {
  const h = new EngineHarness();
  h.run("SET", "k", "v");
  const usage = h.run("MEMORY", "USAGE", "k");
  assert.ok(usage.type === "integer" && Number(usage.value) > 0);
  assert.deepEqual(h.run("MEMORY", "usage", "k", "SAMPLES", "0"), usage);
  assert.deepEqual(h.run("MEMORY", "USAGE", "nokey"), NULL);
  assert.deepEqual(h.run("MEMORY", "USAGE", "k", "SAMPLES", "x"), error("ERR value is not an integer or out of range"));
  assert.deepEqual(h.run("MEMORY", "USAGE", "k", "SAMPLES", "-1"), error("ERR syntax error"));
  assert.deepEqual(h.run("MEMORY", "USAGE", "k", "SAMPLES"), error("ERR syntax error"));
  assert.deepEqual(h.run("MEMORY", "USAGE", "k", "foo", "1"), error("ERR syntax error"));
  assert.deepEqual(h.run("MEMORY", "USAGE"), error("ERR wrong number of arguments for 'memory|usage' command"));
  assert.deepEqual(h.run("MEMORY", "foo"), error("ERR unknown subcommand 'foo'. Try MEMORY HELP."));
  assert.deepEqual(h.run("MEMORY"), error("ERR wrong number of arguments for 'memory' command"));
});
