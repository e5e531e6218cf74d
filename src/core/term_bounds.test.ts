/**
 * Terms stay within TERM_MAX (bounds.ts). The known-bad case is the term-exhaustion attack: one
 * forged message at term 2^53 - 2 was accepted, and at the next election every candidate died
 * on "Term must be a safe non-negative integer", again on every restart. Now such a message is
 * dropped (and logged), and a node that somehow stands at TERM_MAX refuses to campaign, logs
 * why, and keeps running as a follower.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import { TERM_MAX } from "./bounds.js";
import { DEFAULT_CONFIG } from "./config.js";
import type { Logger } from "./logger.js";
import type { Message } from "./messages.js";
import { RaftNode } from "./raft_node.js";
import { SeededRng } from "./rng.js";
import { AssertionError, logIndex, nodeId, term, type Term } from "./types.js";

const [n1, n2, n3] = [nodeId("n1"), nodeId("n2"), nodeId("n3")];
const confState = { voters: [n1, n2, n3], learners: [], votersOutgoing: [] };

function recorder(): Logger & { readonly errors: Record<string, unknown>[] } {
  const errors: Record<string, unknown>[] = [];
  return {
    errors,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (obj, msg) => { errors.push({ ...obj, msg }); },
  };
}

function nodeAt(at: number, logger: Logger, preVote = true): RaftNode {
  const storage = new MemoryStorage(confState);
  storage.saveSync({ hardState: { term: term(at), vote: null, commit: logIndex(0) }, entries: [],
    snapshot: null });
  return new RaftNode({
    config: { ...DEFAULT_CONFIG, id: n1, logger, preVote }, storage, rng: new SeededRng(7),
  });
}

test("term() and logIndex() refuse values past their documented bounds", () => {
  assert.equal(term(TERM_MAX), TERM_MAX);
  assert.throws(() => term(TERM_MAX + 1), AssertionError);
  assert.throws(() => term(2 ** 53 - 2), AssertionError);
  assert.throws(() => logIndex(2 ** 53 - 2), AssertionError);
});

test("a node at TERM_MAX refuses to campaign, logs it, and keeps running as a follower", () => {
  const logger = recorder();
  const node = nodeAt(TERM_MAX, logger);
  for (let i = 0; i < 5 * DEFAULT_CONFIG.electionTimeoutTicksMax; i++) node.tick();
  const status = node.status();
  assert.equal(status.role, "follower");
  assert.equal(status.term, TERM_MAX);
  assert.ok(logger.errors.some((e) => e["code"] === "TERM_EXHAUSTED"), "not logged");
  assert.match(String(logger.errors[0]?.["msg"]), /refuses to campaign/);
});

test("a node one below TERM_MAX still campaigns, up to TERM_MAX and no further", () => {
  const logger = recorder();
  const node = nodeAt(TERM_MAX - 1, logger, false); // alone: only a real election moves it
  for (let i = 0; i < 5 * DEFAULT_CONFIG.electionTimeoutTicksMax; i++) node.tick();
  assert.equal(node.status().term, TERM_MAX);
  assert.ok(logger.errors.some((e) => e["code"] === "TERM_EXHAUSTED"));
});

test("a message past TERM_MAX that bypassed the decoder is dropped and logged", () => {
  const logger = recorder();
  const node = nodeAt(3, logger);
  const forged: Message = {
    type: "Heartbeat", from: n2, to: n1, term: (2 ** 53 - 2) as Term, commit: logIndex(0),
    context: null,
  };
  node.step(forged);
  assert.equal(node.status().term, 3);
  assert.equal(node.status().leaderId, null);
  assert.match(String(logger.errors[0]?.["msg"]), /term 9007199254740990 is past TERM_MAX/);
});
