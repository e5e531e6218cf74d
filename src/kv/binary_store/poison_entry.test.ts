/**
 * A committed entry that cannot be decoded never crash-loops the cluster (issue #11). Before,
 * a Propose of two garbage bytes was committed unchecked and every node that applied it
 * fail-stopped ("log entry is not a proposal envelope"), again on every restart. Validation now
 * keeps such entries out of the log; this test switches it off (NodeTestingHooks, as the core's
 * TestingBugs do) to commit them anyway, through a forged forwarded Propose and a local
 * proposal, and shows every replica applies each as a counted, logged error no-op, keeps
 * serving, and survives a restart of the whole cluster with the same state.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { nodeId } from "../../core/index.js";
import { InvalidProposalError } from "../../node/index.js";
import { encodeEnvelope } from "../../node/envelope.js";
import { RecordingLogger } from "../../transport/test_support.js";
import { sendForgedFrames } from "../../transport/testing/forged_peer.js";
import { TcpMesh } from "../../transport/testing/tcp_mesh.js";
import { KvTestCluster } from "../testing/kv_test_cluster.js";
import type { ReplicatedKv } from "./replicated_kv.js";
import { packStore } from "./store_commands.js";

const clusterId = "poison-entry";
const enc = new TextEncoder();
const dec = new TextDecoder();
let mesh: TcpMesh;
let cluster: KvTestCluster<RecordingLogger>;
const keys = ["a", "b", "c"];

before(async () => {
  const ids = ["n1", "n2", "n3"].map(nodeId);
  mesh = await TcpMesh.create(clusterId, ids);
  cluster = await KvTestCluster.start({
    ids, logger: () => new RecordingLogger(), transport: (id, logger) => mesh.transport(id, logger),
    testing: { skipProposalValidation: true },
  });
});

after(() => cluster.destroy());

async function readAll(kv: ReplicatedKv): Promise<(string | null)[]> {
  const values: (string | null)[] = [];
  for (const key of keys) {
    const value = await kv.get(enc.encode(key));
    values.push(value === null ? null : dec.decode(value));
  }
  return values;
}

async function assertEveryNodeHolds(values: readonly (string | null)[]): Promise<void> {
  for (const member of cluster.members) {
    assert.equal(cluster.kv(member.id).node.status().state, "running", member.id);
    assert.deepEqual(await readAll(cluster.kv(member.id)), values, member.id);
  }
}

test("undecodable entries are applied as error no-ops everywhere, and survive a restart",
  { timeout: 90_000 }, async () => {
    let leader = await cluster.leader();
    await leader.set(enc.encode("a"), enc.encode("1"));
    await leader.set(enc.encode("b"), enc.encode("2"));
    const to = leader.node.id;
    const sender = cluster.members.find((m) => m.id !== to)?.id;
    assert.ok(sender !== undefined);
    const unknownCommand = encodeEnvelope({ proposer: sender, incarnation: 7, seq: 1 },
      packStore(["x", "evil", 1, enc.encode("a")]));
    const answer = await sendForgedFrames(
      { host: "127.0.0.1", port: mesh.port(to), clusterId, claimedId: sender, to },
      [new Uint8Array([0xde, 0xad]), unknownCommand].map((data) => ({
        type: "Propose", from: sender, to, term: 0, data,
      })));
    assert.equal(answer.kind, "welcome");
    // A local caller's entry is applied as a no-op too, and its promise says so.
    await assert.rejects(leader.node.propose(new Uint8Array([1, 2, 3])), (error: unknown) =>
      error instanceof InvalidProposalError && /applied as a no-op/.test(error.message));
    await cluster.waitFor(() => (cluster.members.every((m) => m.applyErrors >= 3) ? true : null),
      "every member applying the three undecodable entries");
    await cluster.appliedEverywhere(leader.node.status().commit);
    for (const member of cluster.members) {
      assert.equal(member.applyErrors, 3, `${member.id} counted ${member.applyErrors}`);
      const logged = member.logger.entries.filter((e) => e.obj["code"] === "ENTRY_APPLY_FAILED");
      assert.equal(logged.length, 3, `${member.id}: once per entry`);
      assert.match(logged.map((e) => e.msg).join("\n"), /not a proposal envelope/);
      assert.match(logged.map((e) => e.msg).join("\n"), /unknown tag "x"/);
    }
    await leader.set(enc.encode("c"), enc.encode("3"));
    await assertEveryNodeHolds(["1", "2", "3"]);

    await cluster.restartAll();
    leader = await cluster.leader();
    await cluster.appliedEverywhere(leader.node.status().commit);
    for (const member of cluster.members) {
      assert.equal(member.applyErrors, 6, `${member.id} re-applied the three no-ops once each`);
    }
    await assertEveryNodeHolds(["1", "2", "3"]);
    await leader.set(enc.encode("a"), enc.encode("4"));
    await assertEveryNodeHolds(["4", "2", "3"]);
  });
