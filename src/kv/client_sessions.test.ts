/**
 * The exactly-once session table (§6.3 of the Raft dissertation) on its own: duplicates, stale
 * commands, LRU eviction past clientSessionsMax, and entries()/restore() round trips.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClientSessions, CLIENT_SESSIONS_MAX_DEFAULT } from "./client_sessions.js";

type Result = { readonly kind: "ran"; readonly run: number } | { readonly kind: "stale" };

/** A table whose every execution is counted, so a re-execution shows up in the result. */
function counting(clientSessionsMax?: number): {
  sessions: ClientSessions<Result>;
  apply: (clientId: string, seq: number) => Result;
  runs: () => number;
} {
  const options = clientSessionsMax === undefined ? {} : { clientSessionsMax };
  const sessions = new ClientSessions<Result>({ ...options, staleResult: { kind: "stale" } });
  let runs = 0;
  const apply = (clientId: string, seq: number): Result =>
    sessions.apply({ clientId, seq }, () => ({ kind: "ran", run: ++runs }));
  return { sessions, apply, runs: () => runs };
}

test("§6.3 a duplicate returns the cached result and is not executed again", () => {
  const { apply, runs } = counting();
  assert.deepEqual(apply("a", 1), { kind: "ran", run: 1 });
  assert.deepEqual(apply("a", 1), { kind: "ran", run: 1 });
  assert.equal(runs(), 1);
  assert.deepEqual(apply("a", 2), { kind: "ran", run: 2 });
  assert.deepEqual(apply("b", 1), { kind: "ran", run: 3 }, "sessions are per client");
});

test("known-bad: a duplicate that would now answer differently gets the cached result", () => {
  let value = 1;
  const cas = (): string => {
    if (value !== 1) return "precondition-failed";
    value = 2;
    return "ok";
  };
  const sessions = new ClientSessions<string>({ staleResult: "stale" });
  assert.equal(sessions.apply({ clientId: "a", seq: 1 }, cas), "ok");
  assert.equal(cas(), "precondition-failed", "executing the command again gives the wrong answer");
  assert.equal(sessions.apply({ clientId: "a", seq: 1 }, cas), "ok");
  const mustNotRun = (): string => assert.fail("the duplicate was executed again");
  assert.equal(sessions.apply({ clientId: "a", seq: 1 }, mustNotRun), "ok");
});

test("§6.3 a command older than the last applied one gets the stale result, unexecuted", () => {
  const { apply, runs } = counting();
  apply("a", 5);
  assert.deepEqual(apply("a", 4), { kind: "stale" });
  assert.deepEqual(apply("a", 1), { kind: "stale" });
  assert.equal(runs(), 1);
});

test("past clientSessionsMax the least recently used goes first; a duplicate touches", () => {
  const { sessions, apply, runs } = counting(2);
  apply("a", 1);
  apply("b", 1);
  apply("a", 1); // duplicate: touches a, so b is now the least recently used
  apply("c", 1); // evicts b
  assert.equal(sessions.size, 2);
  assert.deepEqual(sessions.entries().map(([id]) => id), ["a", "c"]);
  apply("a", 1);
  assert.equal(runs(), 3, "a is still deduplicated");
  apply("b", 1);
  assert.equal(runs(), 4, "b was evicted, so its old duplicate (knowingly) runs again");
});

test("entries() lists least recently used first and restore() rebuilds the same table", () => {
  const { sessions, apply } = counting(3);
  apply("x", 1);
  apply("y", 7);
  apply("x", 2);
  const listed = sessions.entries();
  assert.deepEqual(listed, [["y", 7, { kind: "ran", run: 2 }], ["x", 2, { kind: "ran", run: 3 }]]);
  const copy = counting(3);
  copy.apply("z", 1);
  copy.sessions.restore(listed);
  assert.deepEqual(copy.sessions.entries(), listed);
  assert.deepEqual(copy.apply("y", 7), { kind: "ran", run: 2 }, "restored sessions deduplicate");
  assert.deepEqual(copy.apply("y", 6), { kind: "stale" });
  copy.sessions.restore([]);
  assert.equal(copy.sessions.size, 0);
});

test("clientSessionsMax defaults and must be a positive integer", () => {
  assert.equal(counting().sessions.clientSessionsMax, CLIENT_SESSIONS_MAX_DEFAULT);
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => counting(bad), /clientSessionsMax must be a positive integer/);
  }
});
