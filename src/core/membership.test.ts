/**
 * Membership changes end to end (§4 of the dissertation): joint consensus (§4.3), configurations
 * in effect on append and reverted on truncation (§4.1), one change at a time and none before a
 * new leader commits an entry of its term, learners, adding, removing and replacing nodes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import { encodeConfEntry, type ConfChange } from "./conf_change.js";
import { DEFAULT_CONFIG, type RaftConfig, type TestingBugs } from "./config.js";
import { ConfChangeRefusedError, NotLeaderError } from "./errors.js";
import type { AppendEntries, ConfState, Entry } from "./messages.js";
import { RaftNode } from "./raft_node.js";
import { SeededRng } from "./rng.js";
import { TestNetwork } from "./testing/testing_network.js";
import { SafetyMonitor } from "./testing/testing_invariants.js";
import { idx, tm } from "./testing/testing_storage.js";
import { nodeId } from "./types.js";

const ids = (...names: string[]) => names.map(nodeId);
const conf = (voters: string[], learners: string[] = [], outgoing: string[] = []): ConfState =>
  ({ voters: ids(...voters), learners: ids(...learners), votersOutgoing: ids(...outgoing) });
const add = (id: string) => ({ type: "addVoter", nodeId: nodeId(id) }) as const;
const learner = (id: string) => ({ type: "addLearner", nodeId: nodeId(id) }) as const;
const remove = (id: string) => ({ type: "removeNode", nodeId: nodeId(id) }) as const;
/** Elections only when a test ticks a node: no pre-vote, no lease. */
const quiet = { preVote: false, checkQuorum: false } as const;
const enc = new TextEncoder();

function network(
  names: string[],
  options: { spares?: string[]; learners?: string[]; config?: Partial<RaftConfig> } = {},
): TestNetwork {
  return new TestNetwork({
    ids: names, storage: (cs) => new MemoryStorage(cs), config: options.config ?? quiet,
    spares: options.spares ?? [], learners: options.learners ?? [],
  });
}

/** Ticks only `id` (settling after each tick) until it leads; false if it never does. */
function campaign(net: TestNetwork, id: string, ticksMax = 60): boolean {
  for (let i = 0; i < ticksMax; i++) {
    if (net.node(id).status().role === "leader") return true;
    net.tick(id);
    net.settle();
  }
  return net.node(id).status().role === "leader";
}

function cutBoth(net: TestNetwork, a: string, b: string): void {
  net.cut.add(`${a}->${b}`);
  net.cut.add(`${b}->${a}`);
}

function confOf(net: TestNetwork, id: string): ConfState {
  return net.node(id).status().confState;
}

function change(net: TestNetwork, leader: string, changes: ConfChange): number {
  const { index } = net.node(leader).proposeConfChange(changes);
  net.processReady(nodeId(leader));
  return index;
}

test("§4.3 in a joint configuration an election needs a majority of C_old and of C_new", () => {
  const joint = conf(["n3", "n4", "n5"], [], ["n1", "n2", "n3"]);
  const names = ["n1", "n2", "n3", "n4", "n5"];
  const storage = () => new MemoryStorage(joint);
  const net = new TestNetwork({ ids: names, storage, config: quiet });
  // n1 reaches n2 and n3: a majority of C_old but only one of C_new.
  cutBoth(net, "n1", "n4");
  cutBoth(net, "n1", "n5");
  assert.equal(campaign(net, "n1"), false);
  // n5 reaches n3 and n4: a majority of C_new but only one of C_old.
  net.heal();
  cutBoth(net, "n5", "n1");
  cutBoth(net, "n5", "n2");
  assert.equal(campaign(net, "n5"), false);
  net.heal();
  assert.equal(campaign(net, "n5"), true);
});

test("§4.3 in a joint configuration an entry commits only on a majority of both halves", () => {
  const net = network(["n1", "n2", "n3", "n4", "n5"], { spares: ["n4", "n5"] });
  assert.ok(campaign(net, "n1"));
  cutBoth(net, "n1", "n4");
  cutBoth(net, "n1", "n5");
  // C_old = {n1,n2,n3} (majority: n1,n2,n3 have it); C_new = {n1,n3,n4,n5} needs 3 of 4.
  const index = change(net, "n1", [add("n4"), add("n5"), remove("n2")]);
  assert.deepEqual(confOf(net, "n1"), conf(["n1", "n3", "n4", "n5"], [], ["n1", "n2", "n3"]));
  net.settle();
  assert.ok(net.node("n1").status().commit < index, "C_new has no majority yet");
  net.heal();
  net.tick("n1");
  net.settle();
  assert.ok(net.node("n1").status().commit >= index);
  // Once C_old,new commits, the leader leaves the joint configuration on its own (§4.3).
  for (const id of ["n1", "n3", "n4", "n5"]) {
    assert.deepEqual(confOf(net, id), conf(["n1", "n3", "n4", "n5"]), id);
  }
  const configs = (net.applied.get(nodeId("n1")) ?? []).filter((e) => e.kind === "config");
  assert.equal(configs.length, 2, "the joint entry and the leave entry");
});

function configEntry(index: number, t: number, confState: ConfState, changes: ConfChange): Entry {
  const data = encodeConfEntry({ changes, confState });
  return { index: idx(index), term: tm(t), kind: "config", data };
}

function append(t: number, prev: [number, number], entries: Entry[]): AppendEntries {
  return {
    type: "AppendEntries", from: nodeId("n1"), to: nodeId("n2"), term: tm(t),
    prevLogIndex: idx(prev[0]), prevLogTerm: tm(prev[1]), entries, commit: idx(0),
  };
}

test("§4.1 a config entry takes effect when appended, and is reverted when truncated", () => {
  const base = conf(["n1", "n2", "n3"]);
  const storage = new MemoryStorage(base);
  const config = { ...DEFAULT_CONFIG, id: nodeId("n2") };
  const node = new RaftNode({ config, storage, rng: new SeededRng(1) });
  const grown = conf(["n1", "n2", "n3", "n4"]);
  node.step(append(1, [0, 0], [configEntry(1, 1, grown, [add("n4")])]));
  let rd = node.ready();
  assert.deepEqual(rd.confState, grown, "in effect on append, before it commits");
  assert.equal(node.status().commit, 0);
  storage.saveSync({ hardState: rd.hardState, entries: rd.entries, snapshot: null });
  node.advance(rd);
  // A leader of term 2 overwrites index 1: the configuration falls back to the snapshot's.
  const noop: Entry = { index: idx(1), term: tm(2), kind: "noop", data: new Uint8Array(0) };
  node.step(append(2, [0, 0], [noop]));
  rd = node.ready();
  assert.deepEqual(rd.confState, base);
  assert.deepEqual(node.status().confState, base);
  storage.saveSync({ hardState: rd.hardState, entries: rd.entries, snapshot: null });
  node.advance(rd);
  assert.equal(node.ready().confState, null, "reported only when it changed");
});

test("§4.1 a restarted node takes its configuration from the last config entry in its log", () => {
  const storage = new MemoryStorage(conf(["n1", "n2", "n3"]));
  const grown = conf(["n1", "n2", "n3", "n4"]);
  const shrunk = conf(["n1", "n2", "n4"]);
  storage.saveSync({
    hardState: { term: tm(1), vote: null, commit: idx(0) },
    entries: [configEntry(1, 1, grown, [add("n4")]), configEntry(2, 1, shrunk, [remove("n3")])],
    snapshot: null,
  });
  const node = new RaftNode({
    config: { ...DEFAULT_CONFIG, id: nodeId("n2") }, storage, rng: new SeededRng(1),
  });
  assert.deepEqual(node.status().confState, shrunk);
});

test("§4.1 a restarted node whose loaded config entry is truncated reports the fallback in its " +
  "first Ready (the simulator found the change left unreported)", () => {
  const base = conf(["n1", "n2", "n3"]);
  const storage = new MemoryStorage(base);
  const grown = conf(["n1", "n2", "n3", "n4"]);
  storage.saveSync({
    hardState: { term: tm(1), vote: null, commit: idx(0) },
    entries: [configEntry(1, 1, grown, [add("n4")])],
    snapshot: null,
  });
  const node = new RaftNode({
    config: { ...DEFAULT_CONFIG, id: nodeId("n2") }, storage, rng: new SeededRng(1),
  });
  assert.deepEqual(node.status().confState, grown, "loaded from the log, not the snapshot");
  // A leader of term 2 overwrites index 1: the configuration falls back to the snapshot's, a
  // change from the one loaded at start, so the Ready must carry it.
  const noop: Entry = { index: idx(1), term: tm(2), kind: "noop", data: new Uint8Array(0) };
  node.step(append(2, [0, 0], [noop]));
  const rd = node.ready();
  assert.deepEqual(node.status().confState, base);
  assert.deepEqual(rd.confState, base);
});

test("§4.1 a restarted node does not report the configuration it loaded as a change", () => {
  const storage = new MemoryStorage(conf(["n1", "n2", "n3"]));
  const grown = conf(["n1", "n2", "n3", "n4"]);
  storage.saveSync({
    hardState: { term: tm(1), vote: null, commit: idx(0) },
    entries: [configEntry(1, 1, grown, [add("n4")])],
    snapshot: null,
  });
  const node = new RaftNode({
    config: { ...DEFAULT_CONFIG, id: nodeId("n2") }, storage, rng: new SeededRng(1),
  });
  node.step(append(1, [1, 1], []));
  assert.equal(node.ready().confState, null, "status() gave it at start; nothing changed since");
});

test("§4.1 only one change at a time: a second change is refused until the first commits", () => {
  const net = network(["n1", "n2", "n3", "n4", "n5"], { spares: ["n4", "n5"] });
  assert.ok(campaign(net, "n1"));
  change(net, "n1", [add("n4")]);
  assert.throws(() => net.node("n1").proposeConfChange([add("n5")]), (error: unknown) =>
    error instanceof ConfChangeRefusedError && /not committed yet/.test(error.message));
  net.settle();
  change(net, "n1", [add("n5")]);
  net.settle();
  assert.deepEqual(confOf(net, "n5"), conf(["n1", "n2", "n3", "n4", "n5"]));
  assert.throws(() => net.node("n2").proposeConfChange([remove("n5")]), NotLeaderError);
});

test("§4.1 a new leader refuses changes until it has committed an entry of its own term", () => {
  const net = network(["n1", "n2", "n3"]);
  net.tick("n1"); // not yet a candidate
  for (let i = 0; i < 60 && net.node("n1").status().role !== "candidate"; i++) net.tick("n1");
  while (net.node("n1").status().role !== "leader") net.deliver();
  assert.throws(() => net.node("n1").proposeConfChange([remove("n3")]), (error: unknown) =>
    error instanceof ConfChangeRefusedError && /has not yet committed an entry of its term/
      .test(error.message));
  net.settle();
  change(net, "n1", [remove("n3")]);
});

/**
 * Ongaro, raft-dev 2015. C = {n1..n4}. Leader n1 appends C1 = C + n5 that reaches only n5; n2 is
 * elected in C by n3 and n4 and its no-op reaches only n3. If n2 could now append C2 = C - n1
 * reaching only n3, C2 would commit on {n2,n3} while n1 could still be elected in C1 by
 * {n1,n4,n5}: two majorities without a common member.
 */
function singleServerChangeBugSetup(bugs: TestingBugs = {}): { net: TestNetwork; oldTerm: number } {
  const names = ["n1", "n2", "n3", "n4", "n5"];
  const net = network(names, { spares: ["n5"], config: { ...quiet, testingBugs: bugs } });
  assert.ok(campaign(net, "n1"));
  const oldTerm = net.node("n1").status().term;
  for (const id of ["n2", "n3", "n4"]) net.cut.add(`n1->${id}`);
  change(net, "n1", [add("n5")]);
  net.settle();
  assert.deepEqual(confOf(net, "n5"), conf(names), "C1 reached n5 only");
  for (const id of ["n2", "n3", "n4", "n5"]) cutBoth(net, "n1", id);
  for (let i = 0; i < 60 && net.node("n2").status().role !== "candidate"; i++) net.tick("n2");
  while (net.node("n2").status().role !== "leader") net.deliver();
  cutBoth(net, "n2", "n4");
  net.settle();
  assert.deepEqual(confOf(net, "n2"), conf(["n1", "n2", "n3", "n4"]));
  return { net, oldTerm };
}

test("§4.1 the single-server change bug: a second one-step change across a leader change is " +
  "refused until the new leader commits in its term, so C1 and C2 never have disjoint majorities",
() => {
  const { net, oldTerm } = singleServerChangeBugSetup();
  const monitor = new SafetyMonitor();
  assert.throws(() => net.node("n2").proposeConfChange([remove("n1")]), ConfChangeRefusedError,
    "the unsafe C2 is refused while n2 has committed nothing in its term");
  // Once the no-op commits in C (on n2, n3, n4), n4 can no longer vote for n1, so C2 is safe.
  net.heal();
  for (const id of ["n2", "n3", "n4", "n5"]) cutBoth(net, "n1", id);
  net.tick("n2");
  net.settle();
  change(net, "n2", [remove("n1")]);
  net.settle();
  net.heal();
  for (let round = 0; round < 100; round++) {
    net.tickAll();
    net.settle();
    assert.deepEqual(monitor.check(net), []);
    const { role, term } = net.node("n1").status();
    assert.ok(role !== "leader" || term === oldTerm, `n1 leads term ${term} in round ${round}`);
  }
});

test("the checker can fail: without that rule (confChangeBeforeTermCommit) the disjoint " +
  "majorities of C1 and C2 apply different entries at one index", () => {
  const { net } = singleServerChangeBugSetup({ confChangeBeforeTermCommit: true });
  const monitor = new SafetyMonitor();
  change(net, "n2", [remove("n1")]); // C2 = {n2,n3,n4}: committed by n2 and n3
  net.node("n2").propose(enc.encode("a"));
  net.settle();
  net.tick("n2");
  net.settle();
  assert.deepEqual(monitor.check(net), []);
  // n1, still in C1, is elected by n4 and n5, which have not heard of n2's term-2 entries.
  net.heal();
  for (const [a, b] of [["n1", "n2"], ["n1", "n3"], ["n4", "n2"], ["n4", "n3"], ["n5", "n2"]]) {
    cutBoth(net, a ?? "", b ?? "");
  }
  net.start(nodeId("n1")); // a restart ends its stale term-1 leadership
  assert.ok(campaign(net, "n1"));
  net.tick("n1");
  net.settle();
  assert.match(monitor.check(net).join("\n"), /applied .* at 3, another node/);
});

test("§4 learners receive the log but never vote or count towards a commit", () => {
  const net = network(["n1", "n2", "n3", "n4"], { learners: ["n4"] });
  for (let i = 0; i < 100; i++) net.tick("n4");
  net.settle();
  assert.equal(net.node("n4").status().role, "follower", "a learner never campaigns");
  // n1 reaches only the learner: its vote does not count.
  cutBoth(net, "n1", "n2");
  cutBoth(net, "n1", "n3");
  assert.equal(campaign(net, "n1"), false);
  net.heal();
  assert.ok(campaign(net, "n1"));
  cutBoth(net, "n1", "n2");
  cutBoth(net, "n1", "n3");
  const before = net.node("n1").status().commit;
  net.node("n1").propose(enc.encode("x"));
  net.settle();
  assert.equal(net.node("n1").status().commit, before, "the learner's ack does not count");
  assert.equal(net.node("n4").status().lastIndex, net.node("n1").status().lastIndex);
  net.heal();
  net.tick("n1");
  net.settle();
  assert.deepEqual(net.appliedData("n4"), ["x"]);
});

test("§4.1 add a voter: the new node catches up, votes and counts", () => {
  const net = network(["n1", "n2", "n3", "n4"], { spares: ["n4"] });
  assert.ok(campaign(net, "n1"));
  net.node("n1").propose(enc.encode("before"));
  net.settle();
  change(net, "n1", [learner("n4")]);
  net.settle();
  change(net, "n1", [add("n4")]);
  net.node("n1").propose(enc.encode("after"));
  net.settle();
  assert.deepEqual(net.appliedData("n4"), ["before", "after"]);
  assert.deepEqual(confOf(net, "n4"), conf(["n1", "n2", "n3", "n4"]));
  // With n2 and n3 down, n1 and n4 are not a majority of four: no commit.
  cutBoth(net, "n1", "n2");
  cutBoth(net, "n1", "n3");
  const before = net.node("n1").status().commit;
  net.node("n1").propose(enc.encode("x"));
  net.settle();
  assert.equal(net.node("n1").status().commit, before);
});

test("§4.1 remove a voter: the cluster commits without it and it never campaigns", () => {
  const net = network(["n1", "n2", "n3"]);
  assert.ok(campaign(net, "n1"));
  change(net, "n1", [remove("n3")]);
  net.settle();
  assert.deepEqual(confOf(net, "n3"), conf(["n1", "n2"]));
  net.isolate("n3");
  net.node("n1").propose(enc.encode("x"));
  net.settle();
  assert.deepEqual(net.appliedData("n2"), ["x"]);
  for (let i = 0; i < 100; i++) net.tick("n3");
  assert.equal(net.node("n3").status().role, "follower");
  assert.equal(net.node("n3").status().term, net.node("n1").status().term);
});

test("§4.3 replace a node through joint consensus: C_old,new, then C_new on its own", () => {
  const net = network(["n1", "n2", "n3", "n4"], { spares: ["n4"] });
  assert.ok(campaign(net, "n1"));
  change(net, "n1", [add("n4"), remove("n3")]);
  assert.deepEqual(confOf(net, "n1"), conf(["n1", "n2", "n4"], [], ["n1", "n2", "n3"]));
  net.settle();
  for (const id of ["n1", "n2", "n4"]) assert.deepEqual(confOf(net, id), conf(["n1", "n2", "n4"]));
  net.isolate("n3");
  net.node("n1").propose(enc.encode("y"));
  net.settle();
  assert.deepEqual(net.appliedData("n4"), ["y"]);
});

test("§4.2.2 a removed leader steps down once its removal commits, handing over (TimeoutNow)",
() => {
  const net = network(["n1", "n2", "n3"]);
  assert.ok(campaign(net, "n1"));
  const term = net.node("n1").status().term;
  change(net, "n1", [remove("n1")]);
  net.settle(); // no ticks: only TimeoutNow can start the next election
  const leader = net.leader();
  assert.ok(leader === nodeId("n2") || leader === nodeId("n3"), `leader ${leader}`);
  assert.equal(net.node(leader).status().term, term + 1);
  assert.equal(net.node("n1").status().role, "follower");
  for (let i = 0; i < 50; i++) {
    net.tickAll();
    net.settle();
  }
  assert.notEqual(net.node("n1").status().role, "leader");
  net.node(leader).propose(enc.encode("z"));
  net.settle();
  assert.deepEqual(net.appliedData(leader === nodeId("n2") ? "n3" : "n2"), ["z"]);
});

test("§4.3 replacing the leader: it leads C_old,new without counting itself in C_new, leaves " +
  "the joint configuration, then hands over", () => {
  const net = network(["n1", "n2", "n3", "n4"], { spares: ["n4"] });
  assert.ok(campaign(net, "n1"));
  change(net, "n1", [add("n4"), remove("n1")]);
  assert.deepEqual(confOf(net, "n1"), conf(["n2", "n3", "n4"], [], ["n1", "n2", "n3"]));
  net.settle();
  const leader = net.leader();
  assert.ok(leader !== null && leader !== nodeId("n1"), `leader ${leader}`);
  for (const id of ["n2", "n3", "n4"]) assert.deepEqual(confOf(net, id), conf(["n2", "n3", "n4"]));
  assert.equal(net.node("n1").status().role, "follower");
  net.isolate("n1");
  net.node(leader).propose(enc.encode("w"));
  net.settle();
  assert.deepEqual(net.appliedData("n4"), ["w"]);
});

test("§4.1 the leader's Ready reports the configuration as soon as the change is appended", () => {
  const storage = new MemoryStorage(conf(["n1"]));
  const node = new RaftNode({
    config: { ...DEFAULT_CONFIG, id: nodeId("n1") }, storage, rng: new SeededRng(1),
  });
  for (let i = 0; i < 5 && node.status().role !== "leader"; i++) node.tick();
  const drain = () => {
    const rd = node.ready();
    storage.saveSync({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
    node.advance(rd);
    return rd;
  };
  assert.equal(drain().confState, null);
  const { index } = node.proposeConfChange([learner("n2")]);
  const rd = drain();
  assert.deepEqual(rd.confState, conf(["n1"], ["n2"]));
  assert.deepEqual(rd.entries.map((e) => [e.index, e.kind]), [[index, "config"]]);
  assert.deepEqual(node.status().confState, conf(["n1"], ["n2"]));
});
