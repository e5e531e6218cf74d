/**
 * Snapshot streaming over real TCP on loopback: a multi-MiB snapshot arrives intact in many
 * chunks while heartbeats keep flowing; a dropped connection or a restarted receiver resumes
 * from the stored offset; duplicates from the core's retries do not start a second transfer; a
 * newer snapshot replaces an older one. Events (not sleeps) pace every step.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type InstallSnapshot, logIndex, type Message, nodeId, term,
} from "../core/index.js";
import type { SnapshotEvent } from "./snapshot_events.js";
import type { SnapshotStreamLimits } from "./snapshot_limits.js";
import { TcpTransport } from "./tcp_transport.js";
import { bytes, freePort, Inbox } from "./test_support.js";

const [n1, n2] = [nodeId("n1"), nodeId("n2")];
const host = "127.0.0.1";
const opts = { timeout: 30_000 };
const chunkBytes = 64 * 1024;
const snapshotLimits: Partial<SnapshotStreamLimits> = { chunkBytes, chunksInflightMax: 4 };

/** Records snapshot events; `waitFor` resolves on the first (or next) match. */
class Events {
  readonly seen: SnapshotEvent[] = [];
  private waiters: { match: (e: SnapshotEvent) => boolean; resolve: () => void }[] = [];
  readonly listener = (event: SnapshotEvent): void => {
    this.seen.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(event)) return true;
      w.resolve();
      return false;
    });
  };

  waitFor(match: (e: SnapshotEvent) => boolean): Promise<void> {
    if (this.seen.some(match)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}

function installSnapshot(index: number, data: Uint8Array, t = 2): InstallSnapshot {
  const confState = { voters: [n1, n2], learners: [], votersOutgoing: [] };
  return {
    type: "InstallSnapshot", from: n1, to: n2, term: term(t),
    snapshot: { metadata: { index: logIndex(index), term: term(1), confState }, data },
  };
}

function heartbeat(commit: number): Message {
  const fields = { from: n1, to: n2, term: term(2), commit: logIndex(commit), context: null };
  return { type: "Heartbeat", ...fields };
}

interface Pair {
  readonly sender: TcpTransport;
  receiver: TcpTransport;
  inbox: Inbox;
  readonly sent: Events;
  received: Events;
  readonly dir: string;
  /** Closes the receiver and starts a new one on the same port and snapshot directory. */
  restartReceiver(): Promise<void>;
  close(): Promise<void>;
}

async function startPair(limits: Partial<SnapshotStreamLimits> = {}): Promise<Pair> {
  const snapshot = { ...snapshotLimits, ...limits };
  const [p1, p2] = [await freePort(), await freePort()];
  const dir = await mkdtemp(join(tmpdir(), "raftkv-snapshot-tcp-"));
  const sent = new Events();
  const sender = new TcpTransport({
    clusterId: "snap", nodeId: n1, listen: { host, port: p1 },
    peers: new Map([[n2, { host, port: p2 }]]), snapshot,
    backoff: { initialMs: 5, maxMs: 20 }, onSnapshotEvent: sent.listener,
  });
  sender.onMessage(() => undefined);
  const startReceiver = async (): Promise<[TcpTransport, Inbox, Events]> => {
    const [inbox, received] = [new Inbox(), new Events()];
    const receiver = new TcpTransport({
      clusterId: "snap", nodeId: n2, listen: { host, port: p2 },
      peers: new Map([[n1, { host, port: p1 }]]), snapshot, snapshotDir: dir,
      onSnapshotEvent: received.listener,
    });
    receiver.onMessage(inbox.handler);
    await receiver.start();
    return [receiver, inbox, received];
  };
  const [receiver, inbox, received] = await startReceiver();
  await sender.start();
  const pair: Pair = {
    sender, receiver, inbox, sent, received, dir,
    async restartReceiver() {
      await pair.receiver.close();
      [pair.receiver, pair.inbox, pair.received] = await startReceiver();
    },
    async close() {
      await Promise.all([sender.close(), pair.receiver.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return pair;
}

function snapshotsIn(inbox: Inbox): InstallSnapshot[] {
  return inbox.messages.filter((m): m is InstallSnapshot => m.type === "InstallSnapshot");
}

async function partialFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(".snapshot-partial"));
}

function storedPast(offset: number): (e: SnapshotEvent) => boolean {
  return (e) => e.kind === "chunkStored" && e.offset >= offset;
}

test("a 4 MiB snapshot arrives intact in 64 chunks while heartbeats keep flowing",
  opts, async () => {
  const pair = await startPair();
  try {
    const data = bytes(4 * 1024 * 1024, 11);
    let queuedBytesMax = 0;
    let heartbeatsSent = 0;
    const sampler = pair.received.waitFor((e) => {
      const peer = pair.sender.stats().peers.find((p) => p.peer === n2);
      queuedBytesMax = Math.max(queuedBytesMax, peer?.queuedBytes ?? 0);
      if (e.kind === "chunkStored" && e.offset % (8 * chunkBytes) === 0) {
        heartbeatsSent += 1;
        pair.sender.send(heartbeat(heartbeatsSent));
      }
      return e.kind === "delivered";
    });
    assert.equal(pair.sender.send(installSnapshot(100, data)), true);
    await sampler;
    await pair.inbox.waitFor(heartbeatsSent + 1);
    await pair.sent.waitFor((e) => e.kind === "sendCompleted");
    const [delivered] = snapshotsIn(pair.inbox);
    assert.ok(delivered !== undefined);
    assert.deepEqual(delivered, installSnapshot(100, data));
    // Heartbeats sent mid-transfer were delivered before the transfer ended: not stuck behind it.
    const position = pair.inbox.messages.indexOf(delivered);
    assert.ok(heartbeatsSent >= 7, `only ${heartbeatsSent} heartbeats sent`);
    assert.ok(position >= heartbeatsSent - 1, `snapshot delivered at ${position}`);
    assert.ok(queuedBytesMax <= 5 * (chunkBytes + 256), `queue held ${queuedBytesMax} bytes`);
    const stats = pair.sender.snapshotStats();
    assert.equal(stats.transfersCompleted, 1);
    assert.equal(stats.chunkBytesSent, data.byteLength);
    assert.deepEqual(await partialFiles(pair.dir), []);
  } finally {
    await pair.close();
  }
});

test("the core's retries of the same InstallSnapshot do not start a second transfer",
  opts, async () => {
  const pair = await startPair();
  try {
    const data = bytes(1024 * 1024, 12);
    const delivered = pair.received.waitFor((e) => {
      if (e.kind === "chunkStored") assert.equal(pair.sender.send(installSnapshot(7, data)), true);
      return e.kind === "delivered";
    });
    pair.sender.send(installSnapshot(7, data));
    await delivered;
    const stats = pair.sender.snapshotStats();
    assert.equal(stats.transfersStarted, 1);
    assert.equal(stats.duplicatesIgnored, 16);
    assert.equal(stats.chunkBytesSent, data.byteLength);
    assert.equal(pair.receiver.snapshotStats().transfersDelivered, 1);
  } finally {
    await pair.close();
  }
});

/** Sends `data`, runs `interrupt` once `atBytes` are stored, and checks what was re-sent. */
async function resumeAfter(
  interrupt: (pair: Pair) => Promise<void>,
  atBytes: number,
): Promise<void> {
  const pair = await startPair();
  try {
    const data = bytes(4 * 1024 * 1024, 13);
    pair.sender.send(installSnapshot(50, data));
    await pair.received.waitFor(storedPast(atBytes));
    await interrupt(pair);
    await pair.sent.waitFor((e) => e.kind === "sendCompleted");
    await pair.inbox.waitFor(1);
    assert.deepEqual(snapshotsIn(pair.inbox), [installSnapshot(50, data)]);
    const stats = pair.sender.snapshotStats();
    const resumed = pair.sent.seen.flatMap((e) =>
      e.kind === "sendStarted" ? [e.resumedFromBytes] : []);
    assert.equal(resumed[0], 0);
    assert.ok(resumed.length === 2 && (resumed[1] ?? 0) >= atBytes, `resumed: ${resumed.join()}`);
    const resent = stats.chunkBytesSent - data.byteLength;
    assert.ok(resent <= 5 * chunkBytes, `${resent} bytes re-sent of ${data.byteLength}`);
    assert.equal(stats.transfersResumed, 1);
    assert.deepEqual(await partialFiles(pair.dir), []);
  } finally {
    await pair.close();
  }
}

test("a connection dropped mid-transfer resumes from the receiver's offset", opts, async () => {
  await resumeAfter((pair) => {
    pair.sender.resetPeerConnection(n2);
    return Promise.resolve();
  }, 1024 * 1024);
});

test("a receiver restarted mid-transfer resumes from its partial file", opts, async () => {
  await resumeAfter((pair) => pair.restartReceiver(), 2 * 1024 * 1024);
});

test("a transfer whose receiver is gone ends after idleTimeoutMs; the retry resumes once " +
  "it is back",
  opts, async () => {
  const pair = await startPair({ idleTimeoutMs: 1000 });
  try {
    const data = bytes(2 * 1024 * 1024, 17);
    pair.sender.send(installSnapshot(60, data));
    await pair.received.waitFor(storedPast(512 * 1024));
    await pair.receiver.close();
    await pair.sent.waitFor((e) => e.kind === "sendFailed");
    const [failed] = pair.sent.seen.filter((e) => e.kind === "sendFailed");
    assert.ok(failed?.kind === "sendFailed" && /no progress/.test(failed.reason), failed?.kind);
    assert.ok((await partialFiles(pair.dir)).length === 1, "the partial file is kept");
    await pair.restartReceiver();
    pair.sender.send(installSnapshot(60, data)); // the core's retry
    await pair.inbox.waitFor(1);
    assert.deepEqual(snapshotsIn(pair.inbox), [installSnapshot(60, data)]);
    const resumed = pair.sent.seen.flatMap((e) =>
      e.kind === "sendStarted" ? [e.resumedFromBytes] : []);
    assert.ok((resumed[1] ?? 0) >= 512 * 1024, `resumed: ${resumed.join()}`);
  } finally {
    await pair.close();
  }
});

test("a newer snapshot replaces a transfer under way; the old partial file is deleted",
  opts, async () => {
  const pair = await startPair();
  try {
    const [older, newer] = [bytes(2 * 1024 * 1024, 14), bytes(1024 * 1024, 15)];
    pair.sender.send(installSnapshot(10, older));
    await pair.received.waitFor(storedPast(256 * 1024));
    pair.sender.send(installSnapshot(20, newer));
    await pair.received.waitFor((e) => e.kind === "delivered");
    await pair.inbox.waitFor(1);
    assert.deepEqual(snapshotsIn(pair.inbox), [installSnapshot(20, newer)]);
    const failed = pair.sent.seen.filter((e) => e.kind === "sendFailed");
    assert.deepEqual(failed.map((e) => e.index), [logIndex(10)]);
    assert.deepEqual(await partialFiles(pair.dir), []);
  } finally {
    await pair.close();
  }
});

test("a small InstallSnapshot still goes as one frame", opts, async () => {
  const pair = await startPair();
  try {
    const message = installSnapshot(3, bytes(chunkBytes, 16));
    pair.sender.send(message);
    await pair.inbox.waitFor(1);
    assert.deepEqual(pair.inbox.messages, [message]);
    assert.equal(pair.sender.snapshotStats().transfersStarted, 0);
  } finally {
    await pair.close();
  }
});
