import { test } from "node:test";
import assert from "node:assert/strict";
import { type Message, type NodeId, nodeId, term, logIndex } from "../core/index.js";
import { MemoryNetwork } from "./memory_network.js";
import { Inbox } from "./test_support.js";

const [n1, n2] = [nodeId("n1"), nodeId("n2")];

function heartbeat(from: NodeId, to: NodeId, commit: number): Message {
  return { type: "Heartbeat", from, to, term: term(1), commit: logIndex(commit), context: null };
}

interface Pair {
  readonly send: (commit: number) => boolean;
  readonly inbox: Inbox;
}

async function pair(network: MemoryNetwork): Promise<Pair> {
  const a = network.endpoint(n1, [n1, n2]);
  const b = network.endpoint(n2, [n1, n2]);
  const inbox = new Inbox();
  a.onMessage(() => undefined);
  b.onMessage(inbox.handler);
  await Promise.all([a.start(), b.start()]);
  return { send: (c) => a.send(heartbeat(n1, n2, c)), inbox };
}

test("the drop hook loses messages in flight: send succeeds and the loss is counted", async () => {
  const odd = (m: Message): boolean => m.type === "Heartbeat" && m.commit % 2 === 1;
  const network = new MemoryNetwork({ dropHook: odd });
  const { send, inbox } = await pair(network);
  for (let i = 0; i < 6; i++) assert.equal(send(i), true);
  await inbox.waitFor(3);
  assert.deepEqual(inbox.messages.map((m) => (m.type === "Heartbeat" ? m.commit : -1)), [0, 2, 4]);
  assert.equal(network.messagesLost, 3);
});

test("the delay hook delays delivery but keeps per-pair FIFO order", async () => {
  const first = (m: Message): boolean => m.type === "Heartbeat" && m.commit === 0;
  const network = new MemoryNetwork({ delayHook: (m) => (first(m) ? 30 : 0) });
  const { send, inbox } = await pair(network);
  const started = performance.now();
  for (let i = 0; i < 3; i++) send(i);
  await inbox.waitFor(3);
  assert.ok(performance.now() - started >= 25, "the delayed first message held the pair back");
  assert.deepEqual(inbox.messages.map((m) => (m.type === "Heartbeat" ? m.commit : -1)), [0, 1, 2]);
});

test("an endpoint id can be reused only once its previous endpoint is closed", async () => {
  const network = new MemoryNetwork();
  const first = network.endpoint(n1, [n2]);
  assert.throws(() => network.endpoint(n1, [n2]), /exists and is open/);
  await first.close();
  network.endpoint(n1, [n2]);
});
