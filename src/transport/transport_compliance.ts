/**
 * The transport compliance suite (STYLE.md rule 13): every `Transport` implementation must pass
 * it. `registerTransportCompliance(factory)` registers node:test tests against a factory that
 * builds clusters of endpoints; transport_compliance.test.ts runs it for TCP and for memory.
 * Synchronisation is by events (deliveries, peer-state changes), never by sleeping.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Message, type NodeId, nodeId, term, logIndex } from "../core/index.js";
import type { TransportLimits } from "./limits.js";
import { encodeMessage } from "./message_codec.js";
import { bytes, entry, heartbeat, Inbox } from "./test_support.js";
import type { PeerConnectionState, Transport } from "./transport.js";

export interface ComplianceCluster {
  /**
   * A new, unstarted endpoint for `id` (one of the cluster's ids). Calling it again for an id
   * whose endpoint is closed models that node restarting at the same address.
   */
  create(id: NodeId): Transport;
}

export interface TransportFactory {
  readonly name: string;
  cluster(ids: readonly NodeId[], limits: Partial<TransportLimits>): Promise<ComplianceCluster>;
}

const ids = [nodeId("n1"), nodeId("n2"), nodeId("n3")] as const;
const [n1, n2, n3] = ids;
const testTimeoutMs = 20_000;

function propose(from: NodeId, to: NodeId, data: Uint8Array): Message {
  return { type: "Propose", from, to, term: term(1), data };
}

interface Node {
  readonly transport: Transport;
  readonly inbox: Inbox;
}
type Nodes = Map<NodeId, Node>;
type PeerStats = ReturnType<Transport["stats"]>["peers"][number];

/** Creates and starts endpoints, and closes every one of them when `body` finishes. */
async function withCluster(
  factory: TransportFactory,
  limits: Partial<TransportLimits>,
  body: (nodes: Nodes, cluster: ComplianceCluster, track: (t: Transport) => void) => Promise<void>,
): Promise<void> {
  const cluster = await factory.cluster(ids, limits);
  const all: Transport[] = [];
  const nodes: Nodes = new Map();
  try {
    for (const id of ids) {
      const inbox = new Inbox();
      const transport = cluster.create(id);
      all.push(transport);
      transport.onMessage(inbox.handler);
      nodes.set(id, { transport, inbox });
    }
    await Promise.all(all.map((t) => t.start()));
    await body(nodes, cluster, (t) => all.push(t));
  } finally {
    await Promise.all(all.map((t) => t.close()));
  }
}

/** The `commit` of each Heartbeat received, in arrival order. */
function commits(inbox: Inbox): number[] {
  return inbox.messages.map((m) => (m.type === "Heartbeat" ? m.commit : -1));
}

function node(nodes: Nodes, id: NodeId): Node {
  const found = nodes.get(id);
  assert.ok(found, `no node ${id}`);
  return found;
}

/** Resolves when `transport` reports `state` for `peer`. Subscribe before causing the change. */
function peerState(transport: Transport, peer: NodeId, state: PeerConnectionState): Promise<void> {
  return new Promise((resolve) => {
    const off = transport.onPeerState((p, s) => {
      if (p === peer && s === state) {
        off();
        resolve();
      }
    });
  });
}

function peerStats(transport: Transport, peer: NodeId): PeerStats {
  const found = transport.stats().peers.find((p) => p.peer === peer);
  assert.ok(found, `no stats for ${peer}`);
  return found;
}

const frameBytesMax = 1024 * 1024;
const queueLimits = {
  sendQueueMessagesMax: 16, sendQueueBytesMax: 64 * 1024, frameBytesMax: 32 * 1024,
};

function checkDelivery(factory: TransportFactory): Promise<void> {
  return withCluster(factory, {}, async (nodes) => {
    for (const from of ids) {
      for (const to of ids) {
        if (from === to) continue;
        const sent = node(nodes, from).transport.send(heartbeat(from, to, 1, `${from}>${to}`));
        assert.equal(sent, true);
      }
    }
    for (const id of ids) {
      const inbox = node(nodes, id).inbox;
      await inbox.waitFor(2);
      const contexts = inbox.messages.map((m) => (m.type === "Heartbeat" ? m.context : null));
      contexts.sort();
      assert.deepEqual(contexts, ids.filter((f) => f !== id).map((f) => `${f}>${id}`));
      for (const m of inbox.messages) assert.equal(m.to, id);
    }
    const s12 = peerStats(node(nodes, n1).transport, n2);
    assert.equal(s12.messagesSent, 1);
    assert.ok(s12.bytesSent > 0);
    assert.equal(peerStats(node(nodes, n2).transport, n1).messagesReceived, 1);
  });
}

function checkOrdering(factory: TransportFactory): Promise<void> {
  return withCluster(factory, {}, async (nodes) => {
    const count = 600;
    const t1 = node(nodes, n1).transport;
    for (let i = 0; i < count; i++) {
      t1.send(heartbeat(n1, n2, i));
      t1.send(heartbeat(n1, n3, i));
      if (i % 100 === 0) await new Promise((r) => setImmediate(r)); // spread over many batches
    }
    for (const id of [n2, n3]) {
      const inbox = node(nodes, id).inbox;
      await inbox.waitFor(count);
      assert.deepEqual(commits(inbox), [...Array(count).keys()]);
    }
  });
}

function checkLargeMessages(factory: TransportFactory): Promise<void> {
  return withCluster(factory, { frameBytesMax }, async (nodes) => {
    const t1 = node(nodes, n1).transport;
    const big = propose(n1, n2, bytes(frameBytesMax - 100, 7));
    assert.ok(encodeMessage(big).byteLength <= frameBytesMax);
    const entries = [
      entry(1, bytes(300_000, 1)),
      entry(2, new Uint8Array(0), "noop"),
      entry(3, bytes(5, 3), "config"),
    ];
    const append: Message = {
      type: "AppendEntries", from: n1, to: n2, term: term(2),
      prevLogIndex: logIndex(0), prevLogTerm: term(0), entries, commit: logIndex(0),
    };
    const tooBig = propose(n1, n2, bytes(frameBytesMax, 9));
    assert.equal(t1.send(big), true);
    assert.equal(t1.send(tooBig), false);
    assert.equal(t1.send(append), true);
    const inbox = node(nodes, n2).inbox;
    await inbox.waitFor(2);
    assert.deepEqual(inbox.messages, [big, append]);
    const received = inbox.messages[0];
    assert.ok(received?.type === "Propose");
    assert.equal(Object.getPrototypeOf(received.data), Uint8Array.prototype);
    assert.equal(peerStats(t1, n2).messagesDropped, 1);
  });
}

function checkQueueBounds(factory: TransportFactory): Promise<void> {
  return withCluster(factory, queueLimits, async (nodes) => {
    const t1 = node(nodes, n1).transport;
    // All sends happen in one turn: `send` only enqueues, so the queue bound decides exactly.
    const accepted = [...Array(40).keys()].map((i) => t1.send(heartbeat(n1, n2, i)));
    assert.deepEqual(accepted, [...Array(40).keys()].map((i) => i < 16));
    assert.equal(peerStats(t1, n2).messagesDropped, 24);
    const byBytes = [1, 2, 3, 4, 5].map((seed) => t1.send(propose(n1, n3, bytes(20_000, seed))));
    assert.deepEqual(byBytes, [true, true, true, false, false]);
    assert.equal(peerStats(t1, n3).messagesDropped, 2);
    assert.equal(t1.send(heartbeat(n1, nodeId("n9"), 0)), false);
    assert.equal(t1.stats().messagesDroppedUnknownPeer, 1);
    await node(nodes, n2).inbox.waitFor(16);
    await node(nodes, n3).inbox.waitFor(3);
    assert.deepEqual(commits(node(nodes, n2).inbox), [...Array(16).keys()]);
    assert.equal(peerStats(t1, n2).queuedMessages, 0);
  });
}

async function checkSendBeforeStart(factory: TransportFactory): Promise<void> {
  const cluster = await factory.cluster(ids, {});
  const [a, b] = [cluster.create(n1), cluster.create(n2)];
  const inbox = new Inbox();
  try {
    a.onMessage(() => undefined);
    b.onMessage(inbox.handler);
    assert.equal(a.send(heartbeat(n1, n2, 5)), true);
    await Promise.all([a.start(), b.start()]);
    await inbox.waitFor(1);
    assert.equal(inbox.messages[0]?.type, "Heartbeat");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

function checkReconnect(factory: TransportFactory): Promise<void> {
  return withCluster(factory, {}, async (nodes, cluster, track) => {
    const t1 = node(nodes, n1).transport;
    t1.send(heartbeat(n1, n2, 1));
    await node(nodes, n2).inbox.waitFor(1);
    const lost = peerState(t1, n2, "disconnected");
    await node(nodes, n2).transport.close();
    await lost;
    const connected = peerState(t1, n2, "connected");
    const restarted = cluster.create(n2);
    track(restarted);
    const inbox = new Inbox();
    restarted.onMessage(inbox.handler);
    assert.equal(t1.send(heartbeat(n1, n2, 2)), true); // queued while the link redials
    await restarted.start();
    await connected;
    await inbox.waitFor(1);
    assert.deepEqual(inbox.messages, [heartbeat(n1, n2, 2)]);
    assert.ok(peerStats(t1, n2).connectsTotal >= 2);
    assert.equal(peerStats(t1, n2).state, "connected");
    // The restarted node can send back too.
    restarted.send(heartbeat(n2, n1, 3));
    await node(nodes, n1).inbox.waitFor(1);
  });
}

async function checkClose(factory: TransportFactory): Promise<void> {
  const before = process.getActiveResourcesInfo();
  await withCluster(factory, {}, async (nodes) => {
    node(nodes, n1).transport.send(heartbeat(n1, n3, 1));
    await node(nodes, n3).inbox.waitFor(1);
  });
  // withCluster closed everything; closing again is harmless.
  const cluster = await factory.cluster(ids, {});
  const t = cluster.create(n1);
  t.onMessage(() => undefined);
  await t.start();
  await t.close();
  await t.close();
  assert.equal(t.send(heartbeat(n1, n2, 1)), false);
  assert.equal(peerStats(t, n2).state, "closed");
  await new Promise((r) => setImmediate(r));
  const count = (list: string[], kind: string): number => list.filter((k) => k === kind).length;
  const after = process.getActiveResourcesInfo();
  for (const kind of ["TCPSocketWrap", "TCPServerWrap", "Timeout", "Immediate"]) {
    // At most as many as before: earlier tests' handles may still have been closing then.
    assert.ok(count(after, kind) <= count(before, kind), `${kind} left open: ${after.join(",")}`);
  }
}

type Check = (factory: TransportFactory) => Promise<void>;

/** Every check of the suite, by the behaviour it names. */
const checks: readonly (readonly [string, Check])[] = [
  ["delivers between three endpoints and counts it", checkDelivery],
  ["keeps per-pair order under interleaving", checkOrdering],
  ["near-limit messages keep Uint8Array payloads intact; over-limit ones drop", checkLargeMessages],
  ["bounded send queues drop and count instead of growing", checkQueueBounds],
  ["messages sent before start are delivered after it", checkSendBeforeStart],
  ["reconnects and delivers after a peer restarts", checkReconnect],
  ["close releases every handle, is idempotent, refuses sends", checkClose],
];

/** Registers one node:test test per check, for the transports `factory` builds. */
export function registerTransportCompliance(factory: TransportFactory): void {
  for (const [what, check] of checks) {
    test(`${factory.name} transport compliance: ${what}`, { timeout: testTimeoutMs }, () =>
      check(factory));
  }
}
