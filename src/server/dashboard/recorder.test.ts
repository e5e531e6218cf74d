/**
 * The dashboard recorder: the timeline it keeps from a node's events and messages (votes, the
 * reasons given for step-downs, membership changes), folding of repeats, and the series read
 * from the node's metrics.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { nodeId, term, type Message } from "../../core/index.js";
import { createRaftMetrics } from "../metrics.js";
import { FakeDashboardNode, member, readyWith } from "../testing/fake_dashboard_node.js";
import { DashboardRecorder } from "./recorder.js";
import { quantileMs, readMetrics, Series } from "./series.js";
import { Timeline } from "./timeline.js";

function recorderOn(node: FakeDashboardNode, nowMs = () => 1000) {
  const recorder = new DashboardRecorder(node.id, { nowMs });
  const observer = recorder.observe({});
  recorder.attach(node, null);
  recorder.close(); // no sampling timer in these tests
  return { recorder, observer };
}

const texts = (recorder: DashboardRecorder): string[] =>
  recorder.localView().events.map((e) => `${e.kind}: ${e.text}`);

function msg(fields: Record<string, unknown>): Message {
  return { from: nodeId("n2"), to: nodeId("n1"), term: term(2), ...fields } as unknown as Message;
}

test("a leader that sent TimeoutNow and then stepped down says leadership was transferred",
  () => {
    const node = new FakeDashboardNode("n1");
    const { recorder, observer } = recorderOn(node);
    node.events.emit("roleChange", { role: "leader", term: term(1) });
    observer.readyTaken?.(readyWith([
      msg({ type: "TimeoutNow", from: nodeId("n1"), to: nodeId("n3"), term: term(1) }),
    ]));
    node.events.emit("roleChange", { role: "follower", term: term(2) });
    assert.deepEqual(texts(recorder).slice(-2), [
      "leader: asked n3 to take over leadership (TimeoutNow)",
      "stepdown: stepped down: leadership transferred to n3",
    ]);
  });

test("a leader deposed by a higher term names the message; without one, check-quorum", () => {
  const node = new FakeDashboardNode("n1");
  const { recorder, observer } = recorderOn(node);
  node.events.emit("roleChange", { role: "leader", term: term(1) });
  observer.messageReceived?.(msg({ type: "RequestVote", term: term(3) }));
  node.events.emit("roleChange", { role: "follower", term: term(3) });
  node.events.emit("roleChange", { role: "leader", term: term(4) });
  node.events.emit("roleChange", { role: "follower", term: term(4) });
  const shown = texts(recorder);
  assert.ok(shown.includes(
    "stepdown: stepped down: RequestVote from n2 carried the higher term 3"), shown.join("\n"));
  assert.ok(shown.includes(
    "stepdown: stepped down: lost contact with a majority (check-quorum) in term 4"));
});

test("votes given and received: whom this node voted for, and who elected it", () => {
  const node = new FakeDashboardNode("n1");
  const { recorder, observer } = recorderOn(node);
  observer.readyTaken?.(readyWith([msg({
    type: "RequestVoteResponse", from: nodeId("n1"), to: nodeId("n2"), term: term(2),
    reject: false,
  })]));
  assert.deepEqual(recorder.localView().votedFor, { term: 2, candidate: "n2" });
  node.events.emit("roleChange", { role: "candidate", term: term(3) });
  observer.messageReceived?.(msg({ type: "RequestVoteResponse", term: term(3), reject: false }));
  observer.messageReceived?.(msg({
    type: "RequestVoteResponse", from: nodeId("n3"), term: term(3), reject: true,
  }));
  node.events.emit("roleChange", { role: "leader", term: term(3) });
  assert.deepEqual(recorder.localView().lastWin, { term: 3, voters: ["n1", "n2"] });
  assert.ok(texts(recorder).includes(
    "election: won the election for term 3 with votes from n1, n2"));
});

test("the observer it returns still calls the hooks it wraps", () => {
  const seen: string[] = [];
  const recorder = new DashboardRecorder("n1");
  const observer = recorder.observe({
    messageReceived: (m) => { seen.push(`received ${m.type}`); },
    readyTaken: () => { seen.push("ready"); },
    entryApplyFailed: () => { seen.push("apply failed"); },
  });
  observer.messageReceived?.(msg({ type: "Heartbeat" }));
  observer.readyTaken?.(readyWith([]));
  observer.entryApplyFailed?.();
  assert.deepEqual(seen, ["received Heartbeat", "ready", "apply failed"]);
});

test("a learner is shown as a learner; membership changes reach the timeline", async () => {
  const node = new FakeDashboardNode("n1", ["n1", "n2"]);
  node.membersNow = [member("n1", null, "learner"), member("n2", null)];
  const recorder = new DashboardRecorder("n1");
  recorder.attach(node, null);
  try {
    assert.equal(recorder.localView().role, "learner");
    node.membersNow = [member("n1", null), member("n3", null, "learner")];
    await recorder.sampleNow();
    const shown = texts(recorder);
    for (const line of ["membership: n1 became a voter", "membership: n3 joined as a learner",
      "membership: n2 left the cluster"]) assert.ok(shown.includes(line), shown.join("\n"));
  } finally {
    recorder.close();
  }
});

test("the timeline folds repeats and keeps at most its bound", () => {
  let now = 0;
  const timeline = new Timeline("n1", () => now, 3);
  for (let i = 0; i < 5; i++) {
    now += 1;
    timeline.record("election", 1, "pre-vote");
  }
  assert.deepEqual(timeline.recent().map((e) => [e.text, e.count, e.atMs]), [["pre-vote", 5, 5]]);
  for (const text of ["a", "b", "c", "d"]) timeline.record("role", 1, text);
  assert.deepEqual(timeline.recent().map((e) => e.text), ["b", "c", "d"]);
  assert.throws(() => new Timeline("n1", () => 0, 0), /eventsMax/);
});

test("series: rates and latency quantiles from the same metrics /metrics serves", async () => {
  const registry = new Registry();
  const metrics = createRaftMetrics(registry);
  const series = new Series();
  series.add(1000, 10, await readMetrics(registry));
  for (let i = 0; i < 99; i++) metrics.commitLatencySeconds.observe(0.004);
  metrics.commitLatencySeconds.observe(2);
  metrics.proposals.inc({ result: "committed" }, 100);
  metrics.proposals.inc({ result: "dropped" }, 7);
  series.add(1500, 60, await readMetrics(registry));
  const [sample] = series.recent();
  assert.ok(sample !== undefined);
  assert.equal(sample.committedPerSec, 200);
  assert.equal(sample.appliedPerSec, 100);
  // 0.004 s falls in the (2.5 ms, 5 ms] bucket; the p99 is the 99th of 100 observations.
  assert.ok(sample.latencyP50Ms !== null && sample.latencyP50Ms > 2.5 && sample.latencyP50Ms <= 5);
  assert.ok(sample.latencyP99Ms !== null && sample.latencyP99Ms <= 5, String(sample.latencyP99Ms));
  const quiet = await readMetrics(registry);
  assert.equal(quantileMs(quiet, quiet, 0.5), null, "no observations: no quantile");
});

test("a node whose status cannot be read shows its last view, marked unavailable", () => {
  const node = new FakeDashboardNode("n1");
  const { recorder } = recorderOn(node);
  assert.equal(recorder.localView().state, "running");
  node.status = () => { throw new Error("storage used after close()"); };
  const view = recorder.localView();
  assert.equal(view.state, "unavailable (storage used after close())");
  assert.equal(view.peers, null);
  const never = new DashboardRecorder("n2");
  const broken = new FakeDashboardNode("n2");
  never.attach(broken, null);
  never.close();
  broken.status = () => { throw new Error("closed"); };
  assert.throws(() => never.localView(), /closed/);
});
