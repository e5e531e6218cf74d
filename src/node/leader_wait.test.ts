import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeId, term, type NodeId } from "../core/index.js";
import { LeaderWaitTimeoutError, NodeStoppedError } from "./errors.js";
import { NodeEventEmitter } from "./events.js";
import { waitForLeader, type Delay, type LeaderWatch } from "./leader_wait.js";
import type { NodeRunState } from "./status.js";

/** A node whose leader, state and events the test sets, and a delay the test fires. */
function fakeNode(leaderId: NodeId | null, state: NodeRunState = "running") {
  const events = new NodeEventEmitter((fn) => { setImmediate(fn); });
  const node: LeaderWatch = {
    id: nodeId("n1"),
    status: () => ({ leaderId, state }),
    on: (name: "leaderChange" | "fatal", listener: never) => events.on(name, listener),
  };
  const timers: { ms: number; fire: () => void; cancelled: boolean }[] = [];
  const delay: Delay = (ms, fire) => {
    const timer = { ms, fire, cancelled: false };
    timers.push(timer);
    return () => { timer.cancelled = true; };
  };
  return { node, events, timers, delay };
}

test("resolves at once when a leader is known", async () => {
  const { node, delay, timers } = fakeNode(nodeId("n2"));
  assert.equal(await waitForLeader(node, {}, delay), nodeId("n2"));
  assert.equal(timers.length, 0);
});

test("resolves on the first leaderChange naming a leader, and cancels its timer", async () => {
  const { node, events, delay, timers } = fakeNode(null);
  const waiting = waitForLeader(node, { timeoutMs: 300 }, delay);
  events.emit("leaderChange", { leaderId: null, term: term(1) });
  events.emit("leaderChange", { leaderId: nodeId("n3"), term: term(2) });
  assert.equal(await waiting, nodeId("n3"));
  assert.deepEqual(timers.map((t) => [t.ms, t.cancelled]), [[300, true]]);
});

test("rejects with LeaderWaitTimeoutError when the timer fires first", async () => {
  const { node, delay, timers } = fakeNode(null);
  const waiting = waitForLeader(node, {}, delay);
  timers[0]?.fire();
  await assert.rejects(waiting, (error: unknown) =>
    error instanceof LeaderWaitTimeoutError && error.timeoutMs === 10_000);
});

test("rejects with NodeStoppedError for a stopped node or one that fails waiting", async () => {
  const stopped = fakeNode(nodeId("n2"), "stopped");
  await assert.rejects(waitForLeader(stopped.node, {}, stopped.delay), NodeStoppedError);
  const failing = fakeNode(null);
  const waiting = waitForLeader(failing.node, {}, failing.delay);
  failing.events.emit("fatal", { error: new Error("disk gone") });
  await assert.rejects(waiting, /disk gone/);
  assert.equal(failing.timers[0]?.cancelled, true);
});
