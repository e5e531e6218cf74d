/**
 * The dashboard controls' child side: the partition switch drops messages both ways and only
 * while on; requests go to the parent over the IPC channel and settle with its answer; a node
 * without a parent channel refuses the flag; the parent accepts only well-formed requests.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { nodeId, term, type Message } from "../core/index.js";
import type { MessageHandler, Transport } from "../transport/index.js";
import { isControlRequest, parentControls, partitionable } from "./dashboard_controls.js";

function fakeTransport(): { inner: Transport; sent: Message[]; deliver: (m: Message) => void } {
  const sent: Message[] = [];
  let handler: MessageHandler = () => undefined;
  const inner: Transport = {
    nodeId: nodeId("n1"),
    send: (message) => { sent.push(message); return true; },
    onMessage: (h) => { handler = h; },
    onPeerState: () => () => undefined,
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
    stats: () => ({ nodeId: nodeId("n1"), peers: [], messagesDroppedUnknownPeer: 0,
      connectionsRejected: 0 }),
  };
  return { inner, sent, deliver: (m) => { handler(m); } };
}

const heartbeat = { type: "Heartbeat", from: nodeId("n1"), to: nodeId("n2"), term: term(1),
  commit: 0, context: null } as unknown as Message;

test("the partition switch drops messages in both directions only while it is on", () => {
  const { inner, sent, deliver } = fakeTransport();
  const switchable = partitionable(inner);
  const received: Message[] = [];
  switchable.transport.onMessage((m) => { received.push(m); });
  assert.equal("setPeer" in switchable.transport, false, "no optional method it lacks");
  switchable.setIsolated(true);
  assert.equal(switchable.transport.send(heartbeat), true, "dropped like a lossy network");
  deliver(heartbeat);
  assert.deepEqual([sent.length, received.length], [0, 0]);
  switchable.setIsolated(false);
  switchable.transport.send(heartbeat);
  deliver(heartbeat);
  assert.deepEqual([sent.length, received.length], [1, 1]);
});

test("controls ask the parent and settle with its answer; partition orders are applied",
  async () => {
    const channel = new EventEmitter() as EventEmitter & { send?: (m: unknown) => boolean };
    const asked: unknown[] = [];
    channel.send = (m) => { asked.push(m); return true; };
    const orders: boolean[] = [];
    const controls = parentControls(channel, (isolated) => { orders.push(isolated); });
    const stopping = controls.stop("n2");
    const restarting = controls.restart("n3");
    assert.deepEqual(asked, [
      { raftkv: "control", id: 1, action: "stop", node: "n2" },
      { raftkv: "control", id: 2, action: "restart", node: "n3" },
    ]);
    channel.emit("message", { raftkv: "control-result", id: 2, error: "n3 is already running" });
    channel.emit("message", { raftkv: "control-result", id: 1, error: null });
    await stopping;
    await assert.rejects(restarting, /n3 is already running/);
    channel.emit("message", { raftkv: "partition", isolated: true });
    channel.emit("message", "garbage");
    assert.deepEqual(orders, [true]);
  });

test("without a parent channel the controls are refused", () => {
  assert.throws(() => parentControls(new EventEmitter(), () => undefined),
    /needs a node started by `raftkv cluster --dashboard-controls`/);
});

test("the parent accepts only well-formed control requests", () => {
  assert.equal(isControlRequest({ raftkv: "control", id: 1, action: "stop", node: "n1" }), true);
  for (const bad of [null, "stop", { raftkv: "control", id: "1", action: "stop", node: "n1" },
    { raftkv: "control", id: 1, action: "format-disk", node: "n1" },
    { raftkv: "other", id: 1, action: "stop", node: "n1" }]) {
    assert.equal(isControlRequest(bad), false, JSON.stringify(bad));
  }
});
