import { test } from "node:test";
import assert from "node:assert/strict";
import { Inflights } from "./inflights.js";
import { Progress } from "./progress.js";
import { idx } from "./testing/testing_storage.js";

function progress(match: number, next: number, inflightMessagesMax = 3): Progress {
  return new Progress({ match: idx(match), next: idx(next), inflightMessagesMax });
}

test("inflights is a bounded ring freed by acknowledgements in order", () => {
  const inflights = new Inflights(3);
  inflights.add(idx(2));
  inflights.add(idx(5));
  inflights.add(idx(9));
  assert.ok(inflights.full());
  assert.throws(() => { inflights.add(idx(10)); }, /full/);
  inflights.freeLE(idx(5));
  assert.equal(inflights.count(), 1);
  inflights.add(idx(12));
  inflights.add(idx(13));
  assert.ok(inflights.full(), "wraps around the ring");
  inflights.freeFirstOne();
  assert.equal(inflights.count(), 2);
  inflights.freeLE(idx(100));
  assert.equal(inflights.count(), 0);
});

test("flow control: probe sends one append and pauses until an answer", () => {
  const pr = progress(0, 5);
  assert.equal(pr.state, "probe");
  assert.ok(!pr.isPaused());
  pr.sentEntries(2, idx(6));
  assert.ok(pr.isPaused());
  assert.equal(pr.next, 5, "probe does not advance next optimistically");
  assert.ok(pr.maybeUpdate(idx(6)));
  assert.ok(!pr.isPaused());
  assert.equal(pr.next, 7);
});

test("flow control: replicate pipelines up to the inflight limit, advancing next optimistically", () => {
  const pr = progress(4, 5, 2);
  pr.becomeReplicate();
  pr.sentEntries(1, idx(5));
  assert.ok(!pr.isPaused());
  pr.sentEntries(3, idx(8));
  assert.equal(pr.next, 9);
  assert.ok(pr.isPaused(), "two appends in flight is the limit");
  pr.maybeUpdate(idx(5));
  pr.inflights.freeLE(idx(5));
  assert.equal(pr.inflights.count(), 1);
});

test("§5.3 rejections: stale ones are ignored; in probe next backs off to the hint", () => {
  const pr = progress(2, 10);
  assert.ok(!pr.maybeDecrTo(idx(7), idx(3)), "we did not send prev=7");
  assert.ok(pr.maybeDecrTo(idx(9), idx(4)));
  assert.equal(pr.next, 5, "skip to just after the follower's hint");
  assert.ok(pr.maybeDecrTo(idx(4), idx(0)));
  assert.equal(pr.next, 3, "never below match + 1");
  const rep = progress(5, 6);
  rep.becomeReplicate();
  rep.sentEntries(3, idx(8));
  assert.ok(!rep.maybeDecrTo(idx(5), idx(5)), "a rejection at or below match is stale");
  assert.ok(rep.maybeDecrTo(idx(7), idx(6)));
  assert.equal(rep.next, 6);
});

test("§7 snapshot state pauses until the follower answers; probe resumes after the snapshot", () => {
  const pr = progress(3, 4);
  pr.becomeSnapshot(idx(20));
  assert.ok(pr.isPaused());
  assert.equal(pr.next, 21);
  pr.becomeProbe();
  assert.equal(pr.next, 21, "resume after the snapshot sent");
  assert.throws(
    () => new Progress({ match: idx(5), next: idx(5), inflightMessagesMax: 1 }),
    /match 5 < next 5/,
  );
});
