/** WriteBatcher: the writes of one turn share an entry; order, limits and failures. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { bulk, error, type Reply } from "../redis/reply.js";
import type { Bytes } from "./store_commands.js";
import { WriteBatcher, type WriteBatcherOptions } from "./write_batcher.js";

const b = (s: string): Bytes => Buffer.from(s);
const names = (commands: readonly (readonly Bytes[])[]): string[] =>
  commands.map((argv) => argv.map((a) => Buffer.from(a).toString()).join(" "));

interface Proposed { db: number; commands: string[] }

/** A batcher whose deferred flushes run when `turn()` is called, proposing into `proposed`. */
function harness(options: Partial<WriteBatcherOptions> = {},
  answer: (commands: readonly (readonly Bytes[])[]) => Promise<readonly Reply[]> =
  (commands) => Promise.resolve(commands.map((argv) => bulk(argv[1] ?? b(""))))) {
  const proposed: Proposed[] = [];
  let deferred: (() => void)[] = [];
  const batcher = new WriteBatcher({
    propose: (db, commands) => {
      proposed.push({ db, commands: names(commands) });
      return answer(commands);
    },
    defer: (fn) => { deferred.push(fn); },
    commandsMax: 3,
    bytesMax: 100,
    ...options,
  });
  const turn = (): void => {
    const now = deferred;
    deferred = [];
    for (const fn of now) fn();
  };
  return { batcher, proposed, turn };
}

test("with nothing in flight a write is proposed at once; the writes after it wait for the turn to end", async () => {
  const { batcher, proposed, turn } = harness();
  const replies = [batcher.submit(0, [b("SET"), b("a")], 1), batcher.submit(0, [b("SET"), b("b")], 1),
    batcher.submit(0, [b("SET"), b("c")], 1)];
  assert.deepEqual(proposed, [{ db: 0, commands: ["SET a"] }], "the first alone, at once");
  turn();
  assert.deepEqual(proposed, [{ db: 0, commands: ["SET a"] }, { db: 0, commands: ["SET b", "SET c"] }]);
  assert.deepEqual(await Promise.all(replies), [bulk(b("a")), bulk(b("b")), bulk(b("c"))]);
});

test("a batch ends at another database, at commandsMax and at bytesMax, keeping the order", async () => {
  const { batcher, proposed, turn } = harness();
  const all = [
    batcher.submit(0, [b("SET"), b("0")], 10),
    batcher.submit(0, [b("SET"), b("1")], 10),
    batcher.submit(1, [b("SET"), b("2")], 10),
    batcher.submit(1, [b("SET"), b("3")], 10),
    batcher.submit(1, [b("SET"), b("4")], 10),
    batcher.submit(1, [b("SET"), b("5")], 10),
    batcher.submit(1, [b("SET"), b("6")], 95),
  ];
  turn();
  assert.deepEqual(proposed, [
    { db: 0, commands: ["SET 0"] },
    { db: 0, commands: ["SET 1"] },
    { db: 1, commands: ["SET 2", "SET 3", "SET 4"] },
    { db: 1, commands: ["SET 5"] },
    { db: 1, commands: ["SET 6"] },
  ]);
  assert.equal((await Promise.all(all)).length, 7);
});

test("flush proposes the pending batch at once (before another write), and a failure rejects all of it", async () => {
  const refused = new Error("not the leader");
  const { batcher, proposed, turn } = harness({}, () => Promise.reject(refused));
  const lead = batcher.submit(0, [b("SET"), b("w")], 1);
  const first = batcher.submit(0, [b("SET"), b("x")], 1);
  const second = batcher.submit(0, [b("SET"), b("y")], 1);
  batcher.flush();
  assert.deepEqual(proposed, [{ db: 0, commands: ["SET w"] }, { db: 0, commands: ["SET x", "SET y"] }]);
  turn();
  assert.equal(proposed.length, 2, "the deferred flush finds nothing left");
  for (const reply of [lead, first, second]) await assert.rejects(reply, refused);
});

test("a batch answered with too few replies rejects the commands left without one", async () => {
  const { batcher, turn } = harness({}, () => Promise.resolve([error("ERR only one")]));
  const lead = batcher.submit(0, [b("SET"), b("w")], 1);
  const first = batcher.submit(0, [b("SET"), b("x")], 1);
  const second = batcher.submit(0, [b("SET"), b("y")], 1);
  turn();
  assert.deepEqual(await lead, error("ERR only one"));
  assert.deepEqual(await first, error("ERR only one"));
  await assert.rejects(second, /a batch of 2 got 1 replies/);
});
