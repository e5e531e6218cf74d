/** Log replication (§5.3): Figure 7, fast backtracking, idempotence, flow control and limits. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStorage } from "../storage/memory_storage.js";
import type { RaftConfig } from "./config.js";
import { UncommittedBytesExceededError } from "./errors.js";
import type { AppendEntries, Message } from "./messages.js";
import { TestNetwork } from "./testing/testing_network.js";
import { entriesWithTerms, idx, preload, tm } from "./testing/testing_storage.js";
import { nodeId, type NodeId } from "./types.js";

function cluster(size: number, config: Partial<Omit<RaftConfig, "id">> = {}): TestNetwork {
  const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  return new TestNetwork({ ids, storage: (cs) => new MemoryStorage(cs), config });
}

function storedTerms(net: TestNetwork, id: string): number[] {
  const s = net.storage(id);
  const out: number[] = [];
  for (let i = s.firstIndex(); i <= s.lastIndex(); i++) out.push(s.term(idx(i)));
  return out;
}

const appends = (q: readonly Message[], to?: NodeId): AppendEntries[] =>
  q.filter((m): m is AppendEntries =>
    m.type === "AppendEntries" && (to === undefined || m.to === to));

// Figure 7: the leader's log (term 8 starts after index 10) and followers (a)-(f).
const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
const followers: Record<string, number[]> = {
  a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
  b: [1, 1, 1, 4],
  c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
  d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
  e: [1, 1, 1, 4, 4, 4, 4],
  f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
};

for (const [name, followerLog] of Object.entries(followers)) {
  test(`§5.3 Figure 7 (${name}): a leader at term 8 brings the follower into agreement`, () => {
    // n1 leads with the Figure 7 log; n3 shares it and votes for n1; n2 is the follower.
    const net = new TestNetwork({
      ids: ["n1", "n2", "n3"],
      storage: (cs, id) =>
        preload(new MemoryStorage(cs), id === "n2" ? followerLog : leaderLog, { term: 7 }),
      config: { messageBytesMax: 50 },
    });
    for (let i = 0; i < 100 && net.node("n1").status().role !== "leader"; i++) {
      net.tick("n1");
      net.settle();
    }
    assert.equal(net.node("n1").status().term, 8);
    net.node("n1").propose(new TextEncoder().encode("x"));
    net.settle();
    net.tickAll();
    net.settle();
    assert.deepEqual(storedTerms(net, "n2"), [...leaderLog, 8, 8]);
    assert.equal(net.node("n2").status().commit, 12);
  });
}

test("§5.3 fast backtracking: a rejection hint skips a whole conflicting term in one round trip", () => {
  // Follower (f) of Figure 7 has eleven entries of terms 2-3 after index 3.
  const net = new TestNetwork({
    ids: ["n1", "n2", "n3"],
    storage: (cs, id) =>
      preload(new MemoryStorage(cs), id === "n2" ? followers.f! : leaderLog, { term: 7 }),
  });
  for (let i = 0; i < 100 && net.node("n1").status().role !== "leader"; i++) {
    net.tick("n1");
    net.deliverOnly((m) => m.type !== "AppendEntries" || m.to !== nodeId("n2"));
  }
  net.processAll();
  net.queue = [];
  net.tick("n1"); // heartbeat -> response -> probe append
  let probes = 0;
  for (let i = 0; i < 50 && net.queue.length > 0; i++) {
    if (net.queue[0]?.type === "AppendEntries" && net.queue[0].to === nodeId("n2")) probes++;
    net.deliver();
  }
  assert.deepEqual(storedTerms(net, "n2"), [...leaderLog, 8]);
  assert.ok(probes <= 4, `took ${probes} appends; one per index would take 8`);
});

test("§5.3 duplicate and stale AppendEntries are idempotent: same answer, nothing to persist", () => {
  const net = cluster(3);
  const leader = net.electLeader();
  const follower = net.ids.find((id) => id !== leader)!;
  const enc = new TextEncoder();
  net.node(leader).propose(enc.encode("a"));
  net.node(leader).propose(enc.encode("b"));
  net.processReady(leader);
  const first = appends(net.queue, follower)[0]!;
  net.settle();
  const before = net.storage(follower).lastIndex();
  net.node(follower).step(first); // the same message, delivered again late
  const rd = net.node(follower).ready();
  assert.deepEqual(rd.entries, []);
  assert.deepEqual(rd.messages.map((m) => m.type === "AppendEntriesResponse" && !m.reject), [true]);
  assert.equal(net.storage(follower).lastIndex(), before);
});

test("flow control: a follower in probe state gets one append, then nothing until it answers", () => {
  const net = cluster(3);
  // Elect n1 but lose every AppendEntries: its followers stay in probe with one append out.
  for (let i = 0; i < 100 && net.node("n1").status().role !== "leader"; i++) {
    net.tick("n1");
    net.deliverOnly((m) => m.type !== "AppendEntries");
  }
  const leader = net.node("n1");
  assert.equal(leader.status().progress?.get(nodeId("n2"))?.state, "probe");
  for (let i = 0; i < 3; i++) leader.propose(new Uint8Array([i]));
  net.processReady(nodeId("n1"));
  assert.deepEqual(appends(net.queue), [], "paused: the first probe is unanswered");
  net.tick("n1"); // heartbeats; their responses unpause the probe
  const probes: AppendEntries[] = [];
  net.deliverOnly((m) => {
    if (m.type === "AppendEntries") probes.push(m);
    return m.type === "Heartbeat" || m.type === "HeartbeatResponse";
  });
  assert.deepEqual(probes.map((m) => m.to).sort(), ["n2", "n3"], "exactly one append per follower");
  for (const m of probes) net.queue.push(m);
  net.settle();
  net.tickAll();
  net.settle();
  assert.equal(leader.status().progress?.get(nodeId("n2"))?.state, "replicate");
  assert.equal(leader.status().commit, 4);
});

test("flow control: replicate pipelines up to inflightMessagesMax appends, each within messageBytesMax", () => {
  const net = cluster(3, { inflightMessagesMax: 3, messageBytesMax: 60 });
  const leader = net.electLeader();
  const follower = net.ids.find((id) => id !== leader)!;
  net.tickAll();
  net.settle();
  assert.equal(net.node(leader).status().progress?.get(follower)?.state, "replicate");
  for (let i = 0; i < 20; i++) net.node(leader).propose(new Uint8Array(10)); // 34 bytes each
  net.processReady(leader);
  const sent = appends(net.queue, follower).filter((m) => m.entries.length > 0);
  assert.equal(sent.length, 3, "the window is three messages");
  for (const m of sent) assert.equal(m.entries.length, 1, "two 34-byte entries exceed 60 bytes");
  net.settle();
  net.tickAll();
  net.settle();
  assert.equal(net.node(follower).status().commit, net.node(leader).status().lastIndex);
});

test("many proposals between Readys are batched into one AppendEntries", () => {
  const net = cluster(3);
  const leader = net.electLeader();
  const follower = net.ids.find((id) => id !== leader)!;
  net.tickAll();
  net.settle();
  net.cut.add(`${leader}->${follower}`);
  for (let i = 0; i < 5; i++) net.node(leader).propose(new Uint8Array([i]));
  net.processReady(leader);
  net.settle();
  net.heal();
  net.tick(leader); // heartbeat response reveals the gap; the catch-up append carries all five
  const catchUp: AppendEntries[] = [];
  for (let i = 0; i < 20 && net.queue.length > 0; i++) {
    const m = net.deliver();
    if (m?.type === "AppendEntries" && m.to === follower && m.entries.length > 0) catchUp.push(m);
  }
  assert.ok(
    catchUp.some((m) => m.entries.length === 5),
    JSON.stringify(catchUp.map((m) => m.entries.length)),
  );
});

test("a reject while replicating sends the follower back to probe", () => {
  const net = cluster(3);
  const leader = net.electLeader();
  const follower = net.ids.find((id) => id !== leader)!;
  net.tickAll();
  net.settle();
  const term = net.node(leader).status().term;
  const last = net.node(leader).status().lastIndex;
  net.node(leader).step({
    type: "AppendEntriesResponse", from: follower, to: leader, term: tm(term), reject: true,
    index: idx(last), hintIndex: idx(0), hintTerm: tm(0),
  });
  assert.equal(
    net.node(leader).status().progress?.get(follower)?.state,
    "replicate",
    "stale: at match",
  );
  net.node(leader).propose(new Uint8Array([1]));
  net.processReady(leader);
  net.queue = [];
  net.node(leader).step({
    type: "AppendEntriesResponse", from: follower, to: leader, term: tm(term), reject: true,
    index: idx(last + 1), hintIndex: idx(last), hintTerm: tm(term),
  });
  assert.equal(net.node(leader).status().progress?.get(follower)?.state, "probe");
});

test("the leader refuses proposals beyond uncommittedBytesMax until entries commit", () => {
  const net = cluster(3, { uncommittedBytesMax: 100 });
  const leader = net.electLeader();
  for (const id of net.ids) if (id !== leader) net.isolate(id);
  const node = net.node(leader);
  node.propose(new Uint8Array(60));
  assert.throws(() => node.propose(new Uint8Array(60)), (e: unknown) =>
    e instanceof UncommittedBytesExceededError && e.uncommittedBytes === 120);
  node.propose(new Uint8Array(40));
  net.heal();
  net.settle();
  net.tickAll();
  net.settle();
  assert.equal(node.propose(new Uint8Array(60)).kind, "appended", "room again once committed");
});

test("entriesWithTerms helper numbers entries from the given index", () => {
  assert.deepEqual(entriesWithTerms([3, 4], 7).map((e) => [e.index, e.term]), [[7, 3], [8, 4]]);
});

const appliedText = (net: TestNetwork, id: string): string[] => net.appliedData(id);

/** A settled 3-node cluster with a leader and its two followers. */
function settledCluster(config: Partial<Omit<RaftConfig, "id">>): {
  net: TestNetwork; leader: NodeId; followers: [NodeId, NodeId];
} {
  const net = cluster(3, config);
  const leader = net.electLeader();
  net.tickAll();
  net.settle();
  return { net, leader, followers: net.ids.filter((id) => id !== leader) as [NodeId, NodeId] };
}

test("commitOnDemand: an idle follower is not sent an empty append per commit; it learns the commit from the next heartbeat", () => {
  const { net, leader, followers: [f1, f2] } = settledCluster({ commitOnDemand: true });
  net.node(leader).propose(new TextEncoder().encode("w1"));
  net.processReady(leader);
  const sent: Message[] = [];
  for (let i = 0; i < 100 && net.queue.length > 0; i++) {
    const m = net.deliver();
    if (m !== undefined) sent.push(m);
  }
  assert.deepEqual(appliedText(net, leader), ["w1"], "committed and applied on the leader");
  const emptyAppends = appends(sent).filter((m) => m.entries.length === 0);
  assert.deepEqual(emptyAppends, [], "no commit-only append to followers that wait for nothing");
  assert.deepEqual(appliedText(net, f1), []);
  net.tick(leader); // heartbeat: carries the commit (capped at each follower's match)
  net.settle();
  assert.deepEqual(appliedText(net, f1), ["w1"]);
  assert.deepEqual(appliedText(net, f2), ["w1"]);
});

test("without commitOnDemand every follower gets the commit at once (the control)", () => {
  const { net, leader, followers: [follower] } = settledCluster({});
  net.node(leader).propose(new TextEncoder().encode("w1"));
  net.settle();
  assert.deepEqual(appliedText(net, follower), ["w1"]);
});

test("commitOnDemand: a follower that forwarded a proposal is told its commit at once", () => {
  const { net, followers: [proposer, idle] } = settledCluster({ commitOnDemand: true });
  net.node(proposer).propose(new TextEncoder().encode("forwarded"));
  net.settle();
  assert.deepEqual(appliedText(net, proposer), ["forwarded"], "the proposer applies without a tick");
  assert.deepEqual(appliedText(net, idle), [], "the idle follower waits for the next heartbeat");
});

test("commitOnDemand: a follower given a read index is told the commit it needs to serve the read", () => {
  const { net, leader, followers: [reader] } = settledCluster({ commitOnDemand: true });
  net.node(leader).propose(new TextEncoder().encode("w1"));
  net.settle();
  net.node(reader).readIndex("r1");
  net.settle();
  assert.equal(net.readStates.get(reader)?.at(-1)?.context, "r1");
  assert.deepEqual(appliedText(net, reader), ["w1"], "applied up to the read index");
});
