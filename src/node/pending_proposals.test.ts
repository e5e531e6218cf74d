/**
 * pending_proposals.ts: how a proposal forwarded to a leader that then vanished settles. It must
 * settle (as unknown, never as a failure) once a later leader's entries are applied, and only
 * when the connection to the leader it went to dropped: a graceful transfer keeps the old
 * leader's connections, and what it holds it hands on to the next leader, so those proposals
 * must still succeed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { logIndex, nodeId, term } from "../core/index.js";
import { OutcomeUnknownError } from "./errors.js";
import { PendingProposals } from "./pending_proposals.js";

const n1 = nodeId("n1");
const n3 = nodeId("n3");

/** Resolves to "pending" when the proposal has not settled by the end of this turn. */
async function state(outcome: Promise<string>): Promise<string | Error> {
  const pending = Symbol("pending");
  const settled = await Promise.race([
    outcome.then((value) => value, (error: unknown) => error as Error),
    new Promise<typeof pending>((resolve) => { setImmediate(() => { resolve(pending); }); }),
  ]);
  return settled === pending ? "pending" : settled;
}

test("a proposal forwarded to a leader whose connection dropped settles as unknown once a later term's entry is applied", async () => {
  const proposals = new PendingProposals<string>();
  const outcome = proposals.add(1, 60_000);
  proposals.markForwarded(1, n1, term(2), false);
  proposals.applied(logIndex(5), term(2), null, undefined); // the old leader's entries still apply
  proposals.leaderLost(n1);
  assert.equal(await state(outcome), "pending", "nothing of a later term applied yet");
  proposals.applied(logIndex(6), term(3), null, undefined); // the new leader's first entry
  const settled = await state(outcome);
  assert.ok(settled instanceof OutcomeUnknownError, `unknown, not a failure: ${String(settled)}`);
  assert.equal(proposals.size, 0);
});

test("a forwarded proposal applied before the new leader's first entry succeeds", async () => {
  const proposals = new PendingProposals<string>();
  const outcome = proposals.add(1, 60_000);
  proposals.markForwarded(1, n1, term(2), false);
  proposals.leaderLost(n1);
  proposals.applied(logIndex(5), term(2), 1, "ok"); // the new leader committed it first
  proposals.applied(logIndex(6), term(3), null, undefined);
  assert.equal(await state(outcome), "ok");
});

test("without a dropped connection (a graceful transfer) a later term settles nothing", async () => {
  const proposals = new PendingProposals<string>();
  const outcome = proposals.add(1, 60_000);
  proposals.markForwarded(1, n1, term(2), false);
  proposals.leaderLost(n3); // another peer's connection
  proposals.applied(logIndex(6), term(3), null, undefined);
  assert.equal(await state(outcome), "pending");
  proposals.applied(logIndex(7), term(3), 1, "handed on and applied");
  assert.equal(await state(outcome), "handed on and applied");
});

test("a proposal forwarded while the leader's connection is already down settles at the next term", async () => {
  const proposals = new PendingProposals<string>();
  const outcome = proposals.add(1, 60_000);
  proposals.markForwarded(1, n1, term(4), true);
  proposals.applied(logIndex(9), term(4), null, undefined);
  assert.equal(await state(outcome), "pending");
  proposals.applied(logIndex(10), term(5), null, undefined);
  assert.ok(await state(outcome) instanceof OutcomeUnknownError);
});
