/**
 * Hostile peers (issue #11, Done-means 1), over real mutual-TLS sockets between in-process
 * nodes: a compromised member (one holding its own valid certificate from the cluster CA, the
 * only kind of peer mutual TLS still lets in; see src/app/certs/peer_tls.test.ts for the ones it
 * refuses) sends a garbage Propose, a Propose of an unknown
 * command, a message at term 2^53 - 2, and a TimeoutNow while not the leader. Each is refused
 * or dropped and logged, and the cluster keeps serving with its data unchanged: every key is
 * read back from every node after each attack, and a new write succeeds.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createTestPki } from "../app/certs/testing_pki.js";
import { nodeId, type NodeId } from "../core/index.js";
import { InvalidProposalError } from "../node/index.js";
import { encodeEnvelope } from "../node/envelope.js";
import { PeerTlsCredentials, type PeerTlsMaterial } from "../transport/peer_tls.js";
import { type LogEntry, RecordingLogger } from "../transport/test_support.js";
import { sendForgedFrames } from "../transport/testing/forged_peer.js";
import { TcpMesh } from "../transport/testing/tcp_mesh.js";
import { KvTestCluster } from "../kv/testing/kv_test_cluster.js";
import { packStore } from "../kv/binary_store/store_commands.js";

const clusterId = "hostile-peer";
const enc = new TextEncoder();
const dec = new TextDecoder();
const opts = { timeout: 60_000 };
let mesh: TcpMesh;
/** Each member's certificate, key and the cluster CA. */
const material = new Map<NodeId, PeerTlsMaterial>();
let cluster: KvTestCluster<RecordingLogger>;
/** What every node must hold: key -> value. */
const expected = new Map<string, string>();

before(async () => {
  const ids = ["n1", "n2", "n3"].map(nodeId);
  const pki = await createTestPki(clusterId);
  for (const id of ids) material.set(id, await pki.material(id));
  mesh = await TcpMesh.create(clusterId, ids, (id) => new PeerTlsCredentials(materialOf(id)));
  cluster = await KvTestCluster.start({
    ids, logger: () => new RecordingLogger(), transport: (id, logger) => mesh.transport(id, logger),
  });
  const leader = await cluster.leader();
  for (let i = 0; i < 5; i++) {
    await leader.set(enc.encode(`k${i}`), enc.encode(`v${i}`));
    expected.set(`k${i}`, `v${i}`);
  }
});

after(() => cluster.destroy());

interface Roles {
  readonly leader: NodeId;
  readonly followers: readonly [NodeId, NodeId];
  readonly term: number;
}

async function roles(): Promise<Roles> {
  const leader = (await cluster.leader()).node;
  const [a, b] = cluster.members.map((m) => m.id).filter((id) => id !== leader.id);
  assert.ok(a !== undefined && b !== undefined);
  return { leader: leader.id, followers: [a, b], term: leader.status().term };
}

function materialOf(id: NodeId): PeerTlsMaterial {
  const found = material.get(id);
  assert.ok(found !== undefined, `no certificate for ${id}`);
  return found;
}

/** Sends `payloads` to `to` as member `claimedId`, over TLS with that member's certificate. */
async function forge(claimedId: NodeId, to: NodeId, payloads: readonly unknown[]): Promise<void> {
  const answer = await sendForgedFrames({
    host: "127.0.0.1", port: mesh.port(to), clusterId, claimedId, to, tls: materialOf(claimedId),
  }, payloads);
  assert.equal(answer.kind, "welcome", "a member's own certificate passes mutual TLS");
}

function logged(logger: RecordingLogger, code: string, since: number): Promise<LogEntry> {
  return logger.waitFor((e) => e.obj["code"] === code, since);
}

/** Same leader, same term everywhere; every key reads back on every node; a new write works. */
async function assertServingUnchanged(before: Roles, label: string): Promise<void> {
  for (const member of cluster.members) {
    const status = cluster.kv(member.id).node.status();
    assert.equal(status.term, before.term, `${member.id}'s term moved`);
    assert.equal(status.state, "running");
  }
  const now = await roles();
  assert.equal(now.leader, before.leader, "the leader changed");
  assert.equal(now.term, before.term);
  await cluster.kv(before.leader).set(enc.encode(`after-${label}`), enc.encode(label));
  expected.set(`after-${label}`, label);
  for (const member of cluster.members) {
    const kv = cluster.kv(member.id);
    for (const [key, value] of expected) {
      const got = await kv.get(enc.encode(key));
      assert.equal(got === null ? null : dec.decode(got), value, `${member.id}: ${key}`);
    }
    assert.equal(await kv.dbSize(), expected.size, `${member.id} holds keys nobody wrote`);
  }
}

test("a member's Propose of garbage bytes is dropped, logged with the sender", opts, async () => {
  const r = await roles();
  const leaderNode = cluster.kv(r.leader).node;
  const logger = cluster.member(r.leader).logger;
  const since = logger.entries.length;
  const commit = leaderNode.status().commit;
  const [sender] = r.followers;
  await forge(sender, r.leader, [
    { type: "Propose", from: sender, to: r.leader, term: 0, data: new Uint8Array([0xde, 0xad]) },
  ]);
  const entry = await logged(logger, "INVALID_PROPOSAL", since);
  assert.equal(entry.obj["from"], sender);
  assert.match(entry.msg, new RegExp(`forwarded by ${sender}: .*not a proposal envelope`));
  assert.equal(leaderNode.status().commit, commit, "the garbage reached the log");
  await assertServingUnchanged(r, "garbage");
});

test("a member's Propose of an unknown command is dropped, logged with the sender", opts,
  async () => {
    const r = await roles();
    const logger = cluster.member(r.leader).logger;
    const since = logger.entries.length;
    const [sender] = r.followers;
    const command = packStore(["x", "evil-client", 1, enc.encode("k0")]);
    const data = encodeEnvelope({ proposer: sender, incarnation: 1, seq: 1 }, command);
    await forge(sender, r.leader, [{ type: "Propose", from: sender, to: r.leader, term: 0, data }]);
    const entry = await logged(logger, "INVALID_PROPOSAL", since);
    assert.match(entry.msg, /unknown tag "x"/);
    await assertServingUnchanged(r, "unknown-command");
  });

test("a local caller's invalid command is refused before the log with InvalidProposalError",
  opts, async () => {
    const r = await roles();
    for (const id of [r.leader, r.followers[0]]) {
      const node = cluster.kv(id).node;
      await assert.rejects(node.propose(new Uint8Array([1, 2, 3])), (error: unknown) =>
        error instanceof InvalidProposalError && /not msgpack/.test(error.message));
    }
    await assertServingUnchanged(r, "local-invalid");
  });

test("a message at term 2^53 - 2 is dropped at decode and logged; no term moves", opts,
  async () => {
    const r = await roles();
    const [sender, target] = r.followers;
    for (const to of [target, r.leader]) {
      const logger = cluster.member(to).logger;
      const since = logger.entries.length;
      await forge(sender, to, [{
        type: "Heartbeat", from: sender, to, term: 2 ** 53 - 2, commit: 0, context: null,
      }]);
      const entry = await logged(logger, "MESSAGE_OUT_OF_RANGE", since);
      assert.equal(entry.obj["peer"], sender);
      assert.match(entry.msg, /term: 9007199254740990 is past TERM_MAX/);
    }
    await assertServingUnchanged(r, "term-overflow");
  });

test("a TimeoutNow from a node that is not the leader starts no election; logged", opts,
  async () => {
    const r = await roles();
    const [sender, target] = r.followers;
    const logger = cluster.member(target).logger;
    const since = logger.entries.length;
    await forge(sender, target, [{ type: "TimeoutNow", from: sender, to: target, term: r.term }]);
    const entry = await logged(logger, "TIMEOUT_NOW_REFUSED", since);
    assert.match(entry.msg, new RegExp(`${sender} is not the leader this node follows`));
    await assertServingUnchanged(r, "timeout-now");
  });
