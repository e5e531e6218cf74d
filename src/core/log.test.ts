import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import { RaftLog } from "./log.js";
import type { Entry } from "./messages.js";
import { entriesWithTerms, idx, preload, tm } from "./testing/testing_storage.js";
import { nodeId } from "./types.js";

const confState = { voters: [nodeId("a")], learners: [], votersOutgoing: [] };
const noBug = { truncateOnStaleAppend: false };

function logWith(terms: number[]): RaftLog {
  return new RaftLog(preload(new MemoryStorage(confState), terms));
}

function termsOf(log: RaftLog): number[] {
  const out: number[] = [];
  for (let i = log.firstIndex(); i <= log.lastIndex(); i++) out.push(log.termOrNull(idx(i)) ?? -1);
  return out;
}

test("§5.3 consistency check: an append whose prevLogIndex/prevLogTerm is missing is refused", () => {
  const log = logWith([1, 1, 2]);
  assert.equal(
    log.maybeAppend({ index: idx(3), term: tm(1) }, idx(0), entriesWithTerms([3], 4), noBug),
    null,
  );
  assert.equal(
    log.maybeAppend({ index: idx(4), term: tm(2) }, idx(0), entriesWithTerms([3], 5), noBug),
    null,
  );
  assert.deepEqual(termsOf(log), [1, 1, 2]);
  assert.equal(
    log.maybeAppend({ index: idx(3), term: tm(2) }, idx(0), entriesWithTerms([3], 4), noBug),
    4,
  );
  assert.deepEqual(termsOf(log), [1, 1, 2, 3]);
});

test("§5.3 stale and duplicate appends are idempotent: matching entries never truncate", () => {
  const log = logWith([1, 1, 2, 2, 3]);
  // A delayed append carrying entries 2..3 that we already have.
  assert.equal(
    log.maybeAppend({ index: idx(1), term: tm(1) }, idx(0), entriesWithTerms([1, 2], 2), noBug),
    3,
  );
  assert.deepEqual(termsOf(log), [1, 1, 2, 2, 3]);
  assert.deepEqual(log.unstable.nextEntries(), [], "nothing to persist again");
});

test("§5.3 a conflicting entry truncates the log from that index and appends the leader's", () => {
  const log = logWith([1, 1, 2, 2, 3]);
  assert.equal(
    log.maybeAppend({ index: idx(2), term: tm(1) }, idx(0), entriesWithTerms([2, 4], 3), noBug),
    4,
  );
  assert.deepEqual(termsOf(log), [1, 1, 2, 4]);
  assert.deepEqual(log.unstable.nextEntries().map((e) => e.index), [4]);
});

test("§5.3 follower commit is min(leaderCommit, index of last new entry)", () => {
  const log = logWith([1, 1, 1, 1, 1]);
  log.maybeAppend({ index: idx(1), term: tm(1) }, idx(5), entriesWithTerms([1], 2), noBug);
  assert.equal(log.committed, 2, "entries 3..5 were not checked by this append");
  log.maybeAppend({ index: idx(2), term: tm(1) }, idx(4), [], noBug);
  assert.equal(log.committed, 2, "an empty append at 2 vouches for nothing beyond 2");
  log.maybeAppend({ index: idx(4), term: tm(1) }, idx(4), [], noBug);
  assert.equal(log.committed, 4);
});

test("§5.4 a conflict at or below the commit index is a bug and asserts", () => {
  const log = logWith([1, 1, 1]);
  log.commitTo(idx(2));
  const prev = { index: idx(1), term: tm(1) };
  assert.throws(() => log.maybeAppend(prev, idx(0), entriesWithTerms([5], 2), noBug),
    /conflicts with the committed prefix/);
});

test("testing bug truncateOnStaleAppend drops matching uncommitted entries after a stale append", () => {
  const log = logWith([1, 1, 2, 2, 3]);
  const prev = { index: idx(1), term: tm(1) };
  log.maybeAppend(prev, idx(0), entriesWithTerms([1], 2), { truncateOnStaleAppend: true });
  assert.deepEqual(termsOf(log), [1, 1]);
});

test("§5.3 findConflictByTerm finds the last index whose term is not above the given one", () => {
  const log = logWith([1, 1, 2, 2, 5, 5]);
  assert.deepEqual(log.findConflictByTerm(idx(6), tm(4)), { index: 4, term: 2 });
  assert.deepEqual(log.findConflictByTerm(idx(6), tm(5)), { index: 6, term: 5 });
  assert.deepEqual(log.findConflictByTerm(idx(4), tm(1)), { index: 2, term: 1 });
  assert.deepEqual(log.findConflictByTerm(idx(4), tm(0)), { index: 0, term: 0 });
});

test("§5.4.1 up-to-date: a higher last term wins, equal terms compare length", () => {
  const log = logWith([1, 2, 2]);
  assert.ok(log.isUpToDate(idx(1), tm(3)));
  assert.ok(log.isUpToDate(idx(3), tm(2)));
  assert.ok(log.isUpToDate(idx(4), tm(2)));
  assert.ok(!log.isUpToDate(idx(2), tm(2)));
  assert.ok(!log.isUpToDate(idx(9), tm(1)));
});

test("slice spans stable and unstable entries and honours bytesMax (at least one entry)", () => {
  const log = logWith([1, 1, 1]);
  log.append(entriesWithTerms([2, 2], 4));
  const all = log.slice(idx(1), idx(6), 1_000_000);
  assert.deepEqual(all.map((e: Entry) => e.index), [1, 2, 3, 4, 5]);
  assert.equal(log.slice(idx(2), idx(6), 1).length, 1, "one entry even when it is over the limit");
  assert.deepEqual(log.slice(idx(2), idx(6), 50).map((e) => e.index), [2, 3], "25 bytes each");
  assert.deepEqual(
    log.slice(idx(3), idx(6), 50).map((e) => e.index),
    [3, 4],
    "crossing into unstable",
  );
});

test("§7 restoring a snapshot restarts the log after it and commits it", () => {
  const log = logWith([1, 1]);
  log.restore({ metadata: { index: idx(10), term: tm(3), confState }, data: new Uint8Array(0) });
  assert.equal(log.firstIndex(), 11);
  assert.equal(log.lastIndex(), 10);
  assert.equal(log.committed, 10);
  assert.equal(log.termOrNull(idx(10)), 3);
  assert.equal(log.termOrNull(idx(2)), null, "entries before the snapshot are gone");
  assert.deepEqual(log.nextCommittedEntries(1000), [], "the snapshot is applied instead");
  log.append(entriesWithTerms([3], 11));
  log.commitTo(idx(11));
  assert.deepEqual(
    log.nextCommittedEntries(1000).map((e) => e.index),
    [11],
    "entries resume after it",
  );
});
