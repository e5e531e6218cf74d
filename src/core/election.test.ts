/** Leader election (§5.2, §5.4.1), pre-vote (§9.6), check-quorum and the leader lease. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import { DEFAULT_CONFIG, type RaftConfig } from "./config.js";
import type { Message, RequestVote } from "./messages.js";
import { RaftNode } from "./raft_node.js";
import { SeededRng } from "./rng.js";
import { TestNetwork } from "./testing/testing_network.js";
import { SafetyMonitor } from "./testing/testing_invariants.js";
import { idx, preload, tm } from "./testing/testing_storage.js";
import { nodeId } from "./types.js";

const voters = ["n1", "n2", "n3"].map(nodeId);
const confState = { voters, learners: [], votersOutgoing: [] };

function lone(storage: MemoryStorage, config: Partial<RaftConfig> = {}): RaftNode {
  const full = { ...DEFAULT_CONFIG, id: nodeId("n1"), ...config };
  return new RaftNode({ config: full, storage, rng: new SeededRng(1) });
}

function requestVote(
  from: string,
  term: number,
  lastLogIndex = 0,
  lastLogTerm = 0,
  transfer = false,
): RequestVote {
  return {
    type: "RequestVote", from: nodeId(from), to: nodeId("n1"), term: tm(term),
    lastLogIndex: idx(lastLogIndex), lastLogTerm: tm(lastLogTerm), transfer,
  };
}

interface VoteAnswer {
  to: string;
  term: number;
  granted: boolean;
}

function voteAnswers(messages: readonly Message[]): VoteAnswer[] {
  return messages.flatMap((m) => m.type === "RequestVoteResponse" || m.type === "PreVoteResponse"
    ? [{ to: m.to, term: m.term, granted: !m.reject }] : []);
}

function cluster(
  size: number,
  config: Partial<Omit<RaftConfig, "id">> = {},
  seed = 1,
): TestNetwork {
  const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  return new TestNetwork({ ids, storage: (cs) => new MemoryStorage(cs), config, seed });
}

test("§5.2 one vote per term, and the vote is in the same Ready's hardState as the response", () => {
  const storage = new MemoryStorage(confState);
  const node = lone(storage);
  node.step(requestVote("n2", 1));
  const rd = node.ready();
  assert.deepEqual(rd.hardState, { term: 1, vote: "n2", commit: 0 });
  assert.ok(rd.mustSync);
  assert.deepEqual(voteAnswers(rd.messages), [{ to: "n2", term: 1, granted: true }]);
  storage.saveSync(rd);
  node.advance(rd);
  node.step(requestVote("n3", 1));
  node.step(requestVote("n2", 1)); // a duplicate request gets the same answer
  assert.deepEqual(voteAnswers(node.ready().messages), [
    { to: "n3", term: 1, granted: false }, { to: "n2", term: 1, granted: true },
  ]);
  // After a crash the persisted vote still binds.
  const restarted = lone(storage);
  restarted.step(requestVote("n3", 1));
  assert.deepEqual(
    voteAnswers(restarted.ready().messages),
    [{ to: "n3", term: 1, granted: false }],
  );
});

test("testing bug skipPersistVote: the vote is not persisted, so a restarted node votes twice in a term", () => {
  const storage = new MemoryStorage(confState);
  const node = lone(storage, { testingBugs: { skipPersistVote: true } });
  node.step(requestVote("n2", 1));
  const rd = node.ready();
  assert.deepEqual(rd.hardState, { term: 1, vote: null, commit: 0 });
  assert.equal(node.status().vote, "n2", "remembered in memory");
  storage.saveSync(rd);
  node.advance(rd);
  const restarted = lone(storage, { testingBugs: { skipPersistVote: true } });
  restarted.step(requestVote("n3", 1));
  assert.deepEqual(voteAnswers(restarted.ready().messages), [{ to: "n3", term: 1, granted: true }]);
});

test("§5.4.1 a vote is refused to a candidate whose log is less up to date", () => {
  const cases: [number, number, boolean][] = [
    [5, 1, false], [2, 2, false], [3, 2, true], [1, 3, true],
  ];
  for (const [lastIndex, lastTerm, granted] of cases) {
    const node = lone(preload(new MemoryStorage(confState), [1, 1, 2]));
    node.step(requestVote("n2", 4, lastIndex, lastTerm));
    assert.deepEqual(voteAnswers(node.ready().messages), [{ to: "n2", term: 4, granted }],
      `candidate last (${lastIndex}, ${lastTerm}) vs ours (3, 2)`);
  }
});

test("§5.2 election safety: at most one leader per term across many split-vote-prone runs", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const features = { preVote: false, checkQuorum: false };
    const timeouts = { electionTimeoutTicksMin: 3, electionTimeoutTicksMax: 5 };
    const net = cluster(5, { ...features, ...timeouts }, seed);
    const monitor = new SafetyMonitor();
    for (let round = 0; round < 60; round++) {
      net.tickAll();
      // Deliver in a scrambled order to provoke split votes.
      while (net.queue.length > 0) {
        net.deliver((round * 7 + net.queue.length * 3) % net.queue.length);
      }
      assert.deepEqual(monitor.check(net), [], `seed ${seed}`);
    }
    assert.ok(net.leader() !== null, `seed ${seed} elected nobody`);
  }
});

test("§5.2 a single-node cluster elects itself on its first tick; §5.4.2 and appends a no-op", () => {
  const net = cluster(1);
  net.tick("n1");
  const status = net.node("n1").status();
  assert.equal(status.role, "leader");
  assert.equal(status.term, 1);
  assert.deepEqual(
    net.applied.get(nodeId("n1"))?.map((e) => [e.index, e.term, e.kind]),
    [[1, 1, "noop"]],
  );
});

test("§9.6 pre-vote: a partitioned node neither bumps its term nor disrupts the leader when it rejoins", () => {
  const net = cluster(3);
  const leader = net.electLeader();
  const term = net.node(leader).status().term;
  const loner = net.ids.find((id) => id !== leader)!;
  net.isolate(loner);
  for (let i = 0; i < 100; i++) {
    net.tickAll();
    net.settle();
  }
  assert.equal(net.node(loner).status().term, term, "pre-votes never won, so the term stayed");
  net.heal();
  for (let i = 0; i < 30; i++) {
    net.tickAll();
    net.settle();
  }
  assert.equal(net.leader(), leader);
  assert.equal(net.node(leader).status().term, term);
  assert.equal(net.node(loner).status().leaderId, leader);
});

test("without pre-vote and check-quorum, the same rejoining node does disrupt the leader (contrast)", () => {
  const net = cluster(3, { preVote: false, checkQuorum: false });
  const leader = net.electLeader();
  const term = net.node(leader).status().term;
  const loner = net.ids.find((id) => id !== leader)!;
  net.isolate(loner);
  for (let i = 0; i < 100; i++) {
    net.tickAll();
    net.settle();
  }
  assert.ok(net.node(loner).status().term > term + 1);
  net.heal();
  for (let i = 0; i < 30; i++) {
    net.tickAll();
    net.settle();
  }
  assert.ok(net.node(net.leader()!).status().term > term, "the old term was abandoned");
});

test("check-quorum: a leader cut off from a quorum steps down within an election timeout", () => {
  const net = cluster(3);
  const leader = net.electLeader();
  net.isolate(leader);
  for (let i = 0; i < 2 * DEFAULT_CONFIG.electionTimeoutTicksMin; i++) net.tick(leader);
  assert.equal(net.node(leader).status().role, "follower");
  assert.equal(net.node(leader).status().leaderId, null);
});

test("leader lease: a follower that hears from its leader ignores a higher-term RequestVote, unless transfer", () => {
  const net = cluster(3);
  const leader = net.electLeader();
  const term = net.node(leader).status().term;
  const follower = net.ids.find((id) => id !== leader)!;
  const other = net.ids.find((id) => id !== leader && id !== follower)!;
  const vote = (transfer: boolean): Message => ({
    type: "RequestVote", from: other, to: follower, term: tm(term + 1),
    lastLogIndex: idx(100), lastLogTerm: tm(term), transfer,
  });
  net.node(follower).step(vote(false));
  net.processReady(follower);
  assert.equal(net.node(follower).status().term, term, "ignored: no term bump");
  assert.deepEqual(voteAnswers(net.queue), []);
  net.node(follower).step(vote(true));
  net.processReady(follower);
  assert.equal(net.node(follower).status().term, term + 1);
  assert.deepEqual(voteAnswers(net.queue), [{ to: other, term: term + 1, granted: true }]);
});

test("§5.1 a stale leader learns the new term from the answer to its AppendEntries and steps down", () => {
  const net = cluster(3);
  const old = net.electLeader();
  net.isolate(old);
  const others = net.ids.filter((id) => id !== old);
  for (let i = 0; i < 100 && !others.some((id) => net.node(id).status().role === "leader"); i++) {
    for (const id of others) net.tick(id);
    net.settle();
  }
  net.heal();
  net.node(old).propose(new TextEncoder().encode("stale"));
  net.processReady(old);
  net.settle();
  assert.equal(net.node(old).status().role, "follower");
  assert.equal(net.node(old).status().term, net.node(net.leader()!).status().term);
});

test("§3.10 TimeoutNow makes a follower campaign at once, bypassing pre-vote and leases", () => {
  const net = cluster(3);
  const leader = net.electLeader();
  const term = net.node(leader).status().term;
  const target = net.ids.find((id) => id !== leader)!;
  net.node(target).step({ type: "TimeoutNow", from: leader, to: target, term: tm(term) });
  net.processReady(target);
  net.settle();
  assert.equal(net.leader(), target);
  assert.equal(net.node(target).status().term, term + 1);
});
