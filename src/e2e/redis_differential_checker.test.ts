/**
 * The differential test's own checks: the comparator rejects known-bad pairs (a different
 * value, a different order where order matters, a pick from outside the key, a TTL too far off),
 * and the whole runner finds no difference between two redis-servers (no false alarms from the
 * multiset and property comparisons) but does find one when a server answers differently.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { COMMAND_MIX_ACTIVE, RARE_MIX_ACTIVE, TRANSACTION_MIX_ACTIVE } from "./testing/differential_active.js";
import { connectTarget, DifferentialRun, formatMismatches } from "./testing/differential_runner.js";
import { redisServerInstalled, startReferenceRedis, type ReferenceRedis } from "../kv/testing/reference_redis.js";
import { compareReplies, EXACT } from "./testing/reply_compare.js";
import { parseFrame } from "../server/testing/resp_frames.js";

const f = parseFrame;

test("exact: the same bytes agree; another value, type or order does not", () => {
  assert.equal(compareReplies(EXACT, f("$1\r\na\r\n"), f("$1\r\na\r\n")), null);
  assert.notEqual(compareReplies(EXACT, f("$1\r\na\r\n"), f("$1\r\nb\r\n")), null);
  assert.notEqual(compareReplies(EXACT, f(":1\r\n"), f("$1\r\n1\r\n")), null);
  assert.notEqual(compareReplies(EXACT, f("*2\r\n:1\r\n:2\r\n"), f("*2\r\n:2\r\n:1\r\n")), null);
  assert.notEqual(compareReplies(EXACT, f("_\r\n"), f("$-1\r\n")), null);
});

test("unordered: any order agrees; a missing, extra or changed element does not", () => {
  const unordered = { kind: "unordered", pairs: false } as const;
  assert.equal(compareReplies(unordered, f("~2\r\n$1\r\na\r\n$1\r\nb\r\n"),
    f("~2\r\n$1\r\nb\r\n$1\r\na\r\n")), null);
  assert.notEqual(compareReplies(unordered, f("~2\r\n$1\r\na\r\n$1\r\na\r\n"),
    f("~2\r\n$1\r\nb\r\n$1\r\na\r\n")), null);
  assert.notEqual(compareReplies(unordered, f("*1\r\n$1\r\na\r\n"),
    f("*2\r\n$1\r\nb\r\n$1\r\na\r\n")), null);
  // A set where Redis sends an array is a different RESP3 type.
  assert.notEqual(compareReplies(unordered, f("*1\r\n$1\r\na\r\n"), f("~1\r\n$1\r\na\r\n")), null);
  const pairs = { kind: "unordered", pairs: true } as const;
  assert.equal(compareReplies(pairs, f("*4\r\n$1\r\nf\r\n$1\r\n1\r\n$1\r\ng\r\n$1\r\n2\r\n"),
    f("*4\r\n$1\r\ng\r\n$1\r\n2\r\n$1\r\nf\r\n$1\r\n1\r\n")), null);
  // The same fields and values, paired differently.
  assert.notEqual(compareReplies(pairs, f("*4\r\n$1\r\nf\r\n$1\r\n2\r\n$1\r\ng\r\n$1\r\n1\r\n"),
    f("*4\r\n$1\r\ng\r\n$1\r\n2\r\n$1\r\nf\r\n$1\r\n1\r\n")), null);
});

test("sample: picks from the key agree; a stray pick, a repeat or another count does not", () => {
  const universe = new Set(["a", "b", "c"]);
  const sample = { kind: "sample", pairs: false, distinct: true, universe } as const;
  assert.equal(compareReplies(sample, f("*2\r\n$1\r\na\r\n$1\r\nc\r\n"),
    f("*2\r\n$1\r\nb\r\n$1\r\na\r\n")), null);
  assert.equal(compareReplies(sample, f("$1\r\nc\r\n"), f("$1\r\na\r\n")), null);
  assert.notEqual(compareReplies(sample, f("$1\r\nz\r\n"), f("$1\r\na\r\n")), null);
  assert.notEqual(compareReplies(sample, f("*2\r\n$1\r\na\r\n$1\r\na\r\n"),
    f("*2\r\n$1\r\nb\r\n$1\r\na\r\n")), null);
  assert.notEqual(compareReplies(sample, f("*1\r\n$1\r\na\r\n"),
    f("*2\r\n$1\r\nb\r\n$1\r\na\r\n")), null);
  const pairs = { kind: "sample", pairs: true, distinct: true, universe: new Set(["f\x001"]) } as const;
  assert.equal(compareReplies(pairs, f("*1\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n"),
    f("*1\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n")), null);
  assert.notEqual(compareReplies(pairs, f("*1\r\n*2\r\n$1\r\nf\r\n$1\r\n2\r\n"),
    f("*1\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n")), null);
});

test("near: TTLs within the tolerance agree; farther, negative or non-integer ones do not", () => {
  const near = { kind: "near", tolerance: 2 } as const;
  assert.equal(compareReplies(near, f(":100\r\n"), f(":99\r\n")), null);
  assert.notEqual(compareReplies(near, f(":100\r\n"), f(":90\r\n")), null);
  assert.notEqual(compareReplies(near, f(":-1\r\n"), f(":-2\r\n")), null);
  assert.notEqual(compareReplies(near, f("-ERR x\r\n"), f(":1\r\n")), null);
});

const skip = redisServerInstalled() ? false : "redis-server missing: apt-get install -y redis-server";
let a: ReferenceRedis | null = null;
let b: ReferenceRedis | null = null;
before(async () => {
  if (skip !== false) return;
  [a, b] = await Promise.all([startReferenceRedis(), startReferenceRedis()]);
});
after(async () => {
  await a?.stop();
  await b?.stop();
});

test("two redis-servers never differ (the comparisons raise no false alarms)",
  { skip, timeout: 60_000 }, async () => {
  assert.ok(a !== null && b !== null);
  const [ours, theirs] = await Promise.all([connectTarget(a.port), connectTarget(b.port)]);
  try {
    const result = await new DifferentialRun(ours, theirs, {
      seed: 7, commands: 3000, families: COMMAND_MIX_ACTIVE, rare: RARE_MIX_ACTIVE,
      transactions: TRANSACTION_MIX_ACTIVE,
    }).run();
    assert.equal(result.mismatchCount, 0, formatMismatches(result));
  } finally {
    ours.close();
    theirs.close();
  }
});

test("a server that answers differently is caught, with every mismatch counted",
  { skip, timeout: 60_000 }, async () => {
  assert.ok(a !== null && b !== null);
  const [ours, theirs] = await Promise.all([connectTarget(a.port), connectTarget(b.port)]);
  try {
    // A value only one side holds: every read of it differs from then on.
    await ours.conns[0].call(["FLUSHALL"]);
    await theirs.conns[0].call(["FLUSHALL"]);
    await ours.conns[0].call(["SET", "s:0", "diverged"]);
    await ours.conns[0].call(["SET", "only-here", "1"]);
    const result = await new DifferentialRun(ours, theirs, {
      seed: 3, commands: 400, families: COMMAND_MIX_ACTIVE.filter((x) => x.name === "GET" ||
        x.name === "STRLEN" || x.name === "INCR" || x.name === "SCAN"),
    }).run();
    assert.ok((result.byCommand.get("SCAN") ?? 0) > 0, "a full SCAN sees the extra key");
    assert.ok(result.mismatchCount > 20, formatMismatches(result));
    assert.equal(result.mismatches.length, 20);
    assert.match(formatMismatches(result), /seed 3 step \d+ conn [01] \(RESP[23]\): \["(GET|STRLEN|INCR|SCAN)","(s:0|0)"/);
  } finally {
    ours.close();
    theirs.close();
  }
});
