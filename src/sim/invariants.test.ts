import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeConfEntry } from "../core/conf_change.js";
import type { ConfState, Entry, HardState, SnapshotMetadata } from "../core/messages.js";
import { logIndex, nodeId, term, type NodeId } from "../core/types.js";
import { InvariantChecker, SimViolation, type ViolationKind } from "./invariants.js";

function e(index: number, t: number, text = `${index}/${t}`): Entry {
  const data = new TextEncoder().encode(text);
  return { index: logIndex(index), term: term(t), kind: "normal", data };
}
function hs(t: number, commit: number, vote: NodeId | null = null): HardState {
  return { term: term(t), commit: logIndex(commit), vote };
}
function meta(index: number, t: number): SnapshotMetadata {
  const confState = { voters: [nodeId("a")], learners: [], votersOutgoing: [] };
  return { index: logIndex(index), term: term(t), confState };
}
function violates(kind: ViolationKind, body: () => void): void {
  assert.throws(body, (error: unknown) => error instanceof SimViolation && error.kind === kind);
}

test("a correct history of two terms passes every check", () => {
  const c = new InvariantChecker(["a", "b", "c"]);
  for (const n of [0, 1, 2]) c.observeEntries(n, [e(1, 1), e(2, 1)], 1, false);
  c.observeHardState(0, hs(1, 0), false);
  c.observeRole(0, true, 1);
  c.observeEntries(0, [e(3, 1)], 1, true);
  for (const n of [0, 1, 2]) {
    c.observeHardState(n, hs(1, 2), false);
    c.observeApply(n, e(1, 1));
    c.observeApply(n, e(2, 1));
  }
  c.observeEntries(1, [e(3, 2)], 2, false); // b's uncommitted suffix differs from a's: allowed
  c.observeHardState(1, hs(2, 2), false);
  c.observeRole(1, true, 2);
  assert.equal(c.elections, 2);
});

test("Election Safety: two leaders of one term fail the run", () => {
  const c = new InvariantChecker(["a", "b"]);
  c.observeRole(0, true, 3);
  c.observeRole(0, false, 3);
  c.observeRole(0, true, 3); // the same leader again is fine
  violates("election-safety", () => { c.observeRole(1, true, 3); });
});

test("Leader Append-Only: a leader overwriting its log fails the run", () => {
  const c = new InvariantChecker(["a"]);
  c.observeEntries(0, [e(1, 1), e(2, 1)], 1, false);
  c.observeRole(0, true, 1);
  violates("leader-append-only", () => { c.observeEntries(0, [e(2, 1, "other")], 1, true); });
});

test("Log Matching: same index and term with a different prefix fails the run", () => {
  const c = new InvariantChecker(["a", "b"]);
  c.observeEntries(0, [e(1, 1, "x"), e(2, 2)], 2, false);
  violates("log-matching", () => { c.observeEntries(1, [e(1, 1, "y"), e(2, 2)], 2, false); });
  const d = new InvariantChecker(["a"]);
  violates("log-matching", () => { d.observeEntries(0, [e(3, 1)], 1, false); }); // a gap
});

test("Leader Completeness: a later leader missing a committed entry fails the run", () => {
  const c = new InvariantChecker(["a", "b"]);
  c.observeEntries(0, [e(1, 1), e(2, 1)], 1, false);
  c.observeHardState(0, hs(1, 2), false);
  c.observeEntries(1, [e(1, 1)], 1, false);
  c.observeHardState(1, hs(2, 0), false);
  violates("leader-completeness", () => { c.observeRole(1, true, 2); });
});

test("State Machine Safety: two nodes applying different entries at one index fail the run", () => {
  const c = new InvariantChecker(["a", "b"]);
  c.observeEntries(0, [e(1, 1, "x")], 1, false);
  c.observeEntries(1, [e(1, 2, "y")], 2, false);
  c.observeHardState(0, hs(1, 1), false);
  c.observeHardState(1, hs(2, 1), false);
  c.observeApply(0, e(1, 1, "x"));
  violates("state-machine-safety", () => { c.observeApply(1, e(1, 2, "y")); });
});

test("State Machine Safety: applying an entry past the node's commit index fails the run", () => {
  const c = new InvariantChecker(["a"]);
  c.observeEntries(0, [e(1, 1), e(2, 1)], 1, false);
  c.observeHardState(0, hs(1, 1), false);
  c.observeApply(0, e(1, 1));
  violates("state-machine-safety", () => { c.observeApply(0, e(2, 1)); });
});

test("Monotonicity: commit going back, or a skipped apply, fails the run; a restart may lower commit", () => {
  const c = new InvariantChecker(["a"]);
  c.observeEntries(0, [e(1, 1), e(2, 1), e(3, 1)], 1, false);
  c.observeHardState(0, hs(1, 3), false);
  violates("monotonicity", () => { c.observeHardState(0, hs(1, 2), false); });
  violates("monotonicity", () => { c.observeApply(0, e(2, 1)); });
  c.observeApply(0, e(1, 1));
  c.observeHardState(0, hs(1, 1), true);
  violates("monotonicity", () => { c.observeHardState(0, hs(1, 0), true); });
  c.observeRestart(0, meta(0, 0), [e(1, 1), e(2, 1)], hs(1, 1));
  c.observeHardState(0, hs(1, 1), false);
  c.observeApply(0, e(1, 1));
});

test("a snapshot past every applied index is reported", () => {
  const c = new InvariantChecker(["a"]);
  violates("state-machine-safety", () => { c.observeSnapshot(0, meta(5, 1)); });
});

function conf(voters: string[], learners: string[] = [], outgoing: string[] = []): ConfState {
  return {
    voters: voters.map(nodeId),
    learners: learners.map(nodeId),
    votersOutgoing: outgoing.map(nodeId),
  };
}
/** A config entry as the core writes it (the change itself does not matter to the checker). */
function ce(index: number, t: number, confState: ConfState): Entry {
  const data = encodeConfEntry({ changes: [], confState });
  return { index: logIndex(index), term: term(t), kind: "config", data };
}
const ABC = conf(["a", "b", "c"]);
const ABCD = conf(["a", "b", "c", "d"]);

test("Config Follows Log: a config entry takes effect when appended and reverts when truncated", () => {
  const c = new InvariantChecker(["a", "b", "c", "d"], ABC);
  c.observeRestart(0, { index: logIndex(0), term: term(0), confState: ABC }, [], hs(0, 0));
  c.observeConfState(0, ABC);
  c.observeEntries(0, [e(1, 1), ce(2, 1, ABCD)], 1, false);
  c.observeConfState(0, ABCD);
  violates("config-follows-log", () => { c.observeConfState(0, ABC); });
  c.observeEntries(0, [e(2, 2)], 2, false); // the config entry is truncated away: back to ABC
  c.observeConfState(0, ABC);
  violates("config-follows-log", () => { c.observeConfState(0, ABCD); });
});

test("Config In Flight: a leader with two config entries past every commit fails the run", () => {
  const c = new InvariantChecker(["a", "b", "c", "d", "e"], ABC);
  c.observeEntries(0, [e(1, 1), ce(2, 1, ABCD)], 1, true);
  c.observeHardState(0, hs(1, 1), false);
  c.observeLeaderLog(0); // one uncommitted change: fine
  c.observeEntries(0, [ce(3, 1, conf(["a", "b", "c", "d", "e"]))], 1, true);
  violates("config-in-flight", () => { c.observeLeaderLog(0); });
  c.observeHardState(0, hs(1, 2), false); // the first is committed: one in flight again
  c.observeLeaderLog(0);
});

test("Snapshot Config: a snapshot must record the configuration committed at its index", () => {
  const c = new InvariantChecker(["a", "b", "c", "d"], ABC);
  const log = [e(1, 1), ce(2, 1, ABCD), e(3, 1)];
  c.observeEntries(0, log, 1, false);
  c.observeHardState(0, hs(1, 3), false);
  for (const entry of log) c.observeApply(0, entry);
  assert.equal(c.configsCommitted, 1);
  c.observeSnapshot(1, { index: logIndex(3), term: term(1), confState: ABCD });
  c.observeSnapshot(2, { index: logIndex(1), term: term(1), confState: ABC });
  violates("snapshot-config", () => {
    c.observeSnapshot(3, { index: logIndex(3), term: term(1), confState: ABC });
  });
});
