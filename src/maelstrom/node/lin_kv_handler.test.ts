/**
 * The lin-kv handler on the shipped store: a one-node ReplicatedKv (it elects itself), so each
 * request goes through ClusterNode's Ready loop and the StoreMachine exactly as in a ladder run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeId } from "../../core/index.js";
import { ReplicatedKv } from "../../kv/index.js";
import { MemoryStorage } from "../../storage/index.js";
import { MemoryNetwork, silentLogger } from "../../transport/index.js";
import type { Envelope, OutgoingBody } from "../protocol.js";
import { LinKvHandler } from "./lin_kv_handler.js";

const LIMITS = { tickMs: 5, heartbeatIntervalMs: 10, electionTimeoutMs: { min: 60, max: 120 } };

async function startHandler(pendingRequestsMax = 100) {
  const ids = [nodeId("n1")];
  const kv = await ReplicatedKv.start({
    id: "n1", peers: ids, transport: new MemoryNetwork().endpoint(ids[0] ?? nodeId("n1"), ids),
    storage: new MemoryStorage({ voters: ids, learners: [], votersOutgoing: [] }), limits: LIMITS,
  });
  const replies = new Map<number, (body: OutgoingBody) => void>();
  const handler = new LinKvHandler({
    kv, log: silentLogger, leaderWaitMs: 5000, pendingRequestsMax,
    reply: (request, body) => replies.get(request.body.msg_id ?? -1)?.(body),
  });
  let msgId = 0;
  const ask = (body: Record<string, unknown> & { type: string }): Promise<OutgoingBody> => {
    const request: Envelope = { src: "c1", dest: "n1", body: { ...body, msg_id: ++msgId } };
    return new Promise((resolve) => {
      replies.set(msgId, resolve);
      handler.handle(request);
    });
  };
  return { kv, handler, ask };
}

test("write, read, cas, and read and cas of an absent key through the shipped store", async () => {
  const { kv, ask } = await startHandler();
  try {
    // The first request arrives before the election: it waits for the leader instead of failing.
    const absent = { type: "error", code: 20, text: "key does not exist" };
    assert.deepEqual(await ask({ type: "read", key: 1 }), absent);
    assert.equal((await ask({ type: "cas", key: 1, from: 10, to: 11 })).code, 20);
    assert.deepEqual(await ask({ type: "write", key: 1, value: 10 }), { type: "write_ok" });
    assert.deepEqual(await ask({ type: "read", key: 1 }), { type: "read_ok", value: 10 });
    assert.deepEqual(await ask({ type: "cas", key: 1, from: 10, to: 11 }), { type: "cas_ok" });
    const failed = await ask({ type: "cas", key: 1, from: 10, to: 12 });
    assert.equal(failed.code, 22);
    assert.deepEqual(await ask({ type: "read", key: 1 }), { type: "read_ok", value: 11 });
    assert.deepEqual(await ask({ type: "write", key: 2, value: null }), { type: "write_ok" });
    assert.deepEqual(await ask({ type: "read", key: 2 }), { type: "read_ok", value: null });
  } finally {
    await kv.stop();
  }
});

test("over pendingRequestsMax a request is refused definitely; a stopped node answers 11",
  async () => {
  const { kv, ask, handler } = await startHandler(1);
  try {
    await kv.node.waitForLeader();
    const first = ask({ type: "write", key: 1, value: 1 });
    assert.equal(handler.pending, 1);
    const second = await ask({ type: "write", key: 1, value: 2 });
    assert.equal(second.code, 11);
    assert.deepEqual(await first, { type: "write_ok" });
  } finally {
    await kv.stop();
  }
  const afterStop = await ask({ type: "read", key: 1 });
  assert.equal(afterStop.code, 11);
});
