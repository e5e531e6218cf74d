/**
 * §10.2.1: the leader may replicate entries before its own fsync, so its own copy must count
 * towards a quorum only once `advance` reports it durable.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import type { Message } from "./messages.js";
import { maySendBeforePersist } from "./send_before_persist.js";
import { TestNetwork } from "./testing/testing_network.js";
import { INDEX_ZERO, nodeId, term } from "./types.js";

test("§10.2.1: the leader's undurable copy does not count towards commitment", () => {
  const net = new TestNetwork({ ids: ["n1", "n2", "n3"], storage: (cs) => new MemoryStorage(cs) });
  const leaderId = net.electLeader();
  net.settle();
  const leader = net.node(leaderId);
  const result = leader.propose(new TextEncoder().encode("x"));
  assert.equal(result.kind, "appended");
  const rd = leader.ready();
  assert.ok(rd.mustSync && rd.entries.length === 1);
  // The appends leave before the leader's save; a follower stores and acknowledges its copy.
  const appends = rd.messages.filter((m) => maySendBeforePersist(m, leader.status().term));
  assert.equal(appends.length, 2);
  const [first] = appends;
  assert.ok(first !== undefined);
  net.node(first.to).step(first);
  net.processReady(first.to);
  const acks = net.queue.filter((m) => m.to === leaderId);
  net.queue = [];
  assert.ok(acks.length > 0);
  for (const ack of acks) leader.step(ack);
  // Leader + one follower are a majority of three, but the leader's copy is not durable yet.
  assert.ok(leader.status().commit < result.index, "committed on an undurable leader copy");
  net.storage(leaderId).saveSync({ hardState: rd.hardState, entries: rd.entries, snapshot: null });
  leader.advance(rd);
  assert.equal(leader.status().commit, result.index);
});

test("only a leader's replication messages of a durable term may precede the save", () => {
  const base = { from: nodeId("n1"), to: nodeId("n2") } as const;
  const heartbeat: Message = { ...base, term: term(3), type: "Heartbeat", commit: INDEX_ZERO,
    context: null };
  assert.equal(maySendBeforePersist(heartbeat, term(3)), true);
  // A single voter elected in one Ready has not persisted its term yet.
  assert.equal(maySendBeforePersist(heartbeat, term(2)), false);
  const vote: Message = { ...base, term: term(3), type: "RequestVote", lastLogIndex: INDEX_ZERO,
    lastLogTerm: term(0), transfer: false };
  assert.equal(maySendBeforePersist(vote, term(3)), false);
  const ack: Message = { ...base, term: term(3), type: "AppendEntriesResponse", reject: false,
    index: INDEX_ZERO, hintIndex: INDEX_ZERO, hintTerm: term(0) };
  assert.equal(maySendBeforePersist(ack, term(3)), false);
});
