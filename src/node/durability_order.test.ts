/**
 * Figure 2: nothing leaves a node before the save that covers it is durable. Storage here makes
 * every save durable only 2 ms after it is issued, so a runtime that sent before awaiting the
 * save would be caught by `checkDurableBeforeSend` on the wire.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeId, term, logIndex, TERM_ZERO, INDEX_ZERO, type Message } from "../core/index.js";
import type { Transport } from "../transport/index.js";
import { checkDurableBeforeSend, SlowDurableStorage } from "./testing/durability_order.js";
import { TestCluster } from "./testing/cluster.js";

test("Figure 2: no message leaves a node before the save covering it resolved", async () => {
  const storages = new Map<string, SlowDurableStorage>();
  const violations: string[] = [];
  let checked = 0;
  const wrapTransport = (inner: Transport): Transport => {
    const send = inner.send.bind(inner);
    inner.send = (message: Message): boolean => {
      const storage = storages.get(message.from);
      assert.ok(storage !== undefined);
      const violation = checkDurableBeforeSend(message, storage.durable);
      checked++;
      if (violation !== null) violations.push(violation);
      return send(message);
    };
    return inner;
  };
  const cluster = await TestCluster.start({
    size: 3,
    wrapTransport,
    storage: (id, voters) => {
      const storage = new SlowDurableStorage({ voters, learners: [], votersOutgoing: [] });
      storages.set(id, storage);
      return storage;
    },
  });
  try {
    await cluster.waitForLeader();
    const follower = cluster.ids.find((id) => cluster.node(id).status().role !== "leader")!;
    const writes = [];
    for (let i = 0; i < 40; i++) writes.push(cluster.propose(`w${i}`, i % 2 === 0 ? follower : undefined));
    await Promise.all(writes);
    assert.deepEqual(violations, []);
    assert.ok(checked > 40, `checked only ${checked} messages`);
  } finally {
    await cluster.stop();
  }
});

test("checkDurableBeforeSend catches terms, acks and votes that are not yet durable", () => {
  const storage = new SlowDurableStorage({ voters: [nodeId("a"), nodeId("b")], learners: [], votersOutgoing: [] });
  const base = { from: nodeId("a"), to: nodeId("b"), term: TERM_ZERO } as const;
  const entry = { term: TERM_ZERO, index: logIndex(1), kind: "normal", data: new Uint8Array(0) } as const;
  const append: Message = {
    ...base, type: "AppendEntries", prevLogIndex: INDEX_ZERO, prevLogTerm: TERM_ZERO, entries: [entry], commit: INDEX_ZERO,
  };
  // §10.2.1: a leader's entries may leave before its own fsync, but never in an undurable term.
  assert.equal(checkDurableBeforeSend(append, storage.durable), null);
  const appendNewTerm: Message = { ...append, term: term(1) };
  assert.match(checkDurableBeforeSend(appendNewTerm, storage.durable) ?? "", /durable term is only 0/);
  const ack: Message = {
    ...base, type: "AppendEntriesResponse", reject: false, index: logIndex(1), hintIndex: INDEX_ZERO, hintTerm: TERM_ZERO,
  };
  assert.match(checkDurableBeforeSend(ack, storage.durable) ?? "", /only 0 is durable/);
  const vote: Message = { ...base, term: term(1), type: "RequestVoteResponse", reject: false };
  assert.match(checkDurableBeforeSend(vote, storage.durable) ?? "", /durable term is only 0/);
  storage.durable.saveSync({ hardState: { term: term(1), vote: null, commit: INDEX_ZERO }, entries: [entry], snapshot: null });
  assert.equal(checkDurableBeforeSend(append, storage.durable), null);
  assert.equal(checkDurableBeforeSend(ack, storage.durable), null);
  assert.match(checkDurableBeforeSend(vote, storage.durable) ?? "", /granted vote not durable/);
});
