/**
 * ReplicatedKv on a one-node cluster: the store-wide memory limit (maxmemory, noeviction) refuses
 * "denyoom" writes and transactions holding one with Redis's texts, at proposal; reads and
 * other writes still run; `memory()` reports the estimate and the limit. And WATCH/EXEC
 * through ReplicatedKv: a write after the WATCH aborts the transaction.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { nodeId } from "../../core/index.js";
import { RecordingLogger } from "../../transport/test_support.js";
import { TcpMesh } from "../../transport/testing/tcp_mesh.js";
import { KvTestCluster } from "../testing/kv_test_cluster.js";
import { DEFAULT_STORE_LIMITS, ReplicatedKv } from "./replicated_kv.js";

let cluster: KvTestCluster<RecordingLogger>;

before(async () => {
  const ids = [nodeId("n1")];
  const mesh = await TcpMesh.create("maxmemory", ids);
  cluster = await KvTestCluster.start({
    ids, logger: () => new RecordingLogger(), transport: (id, logger) => mesh.transport(id, logger),
  });
});

after(() => cluster.destroy());

const argv = (...args: string[]): Buffer[] => args.map((a) => Buffer.from(a));

test("past maxmemory, denyoom writes and transactions holding one get -OOM; reads still run", async () => {
  const kv = await cluster.leader();
  assert.deepEqual(await kv.command(0, argv("SET", "m:a", "1")), { type: "simple", text: "OK" });
  const limited = new ReplicatedKv(kv.node, kv.machine, { ...DEFAULT_STORE_LIMITS, maxmemoryBytes: 1 });
  limited.expiry.stop();
  const used = limited.memory();
  assert.ok(used.usedBytes > 1);
  assert.equal(used.maxmemoryBytes, 1);
  assert.deepEqual(await limited.command(0, argv("SET", "m:b", "1")),
    { type: "error", text: "OOM command not allowed when used memory > 'maxmemory'." });
  assert.deepEqual(await limited.command(0, argv("GET", "m:a")), { type: "bulk", value: Uint8Array.from(Buffer.from("1")) });
  assert.deepEqual(await limited.transaction(0, [argv("SET", "m:b", "1")], []), {
    type: "error",
    text: "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.",
  });
  assert.equal((await limited.transaction(0, [argv("GET", "m:a")], [])).type, "array");
  // The unlimited node is not affected, and nothing was written by the refused commands.
  assert.deepEqual(await kv.command(0, argv("GET", "m:b")), { type: "null" });
  assert.equal(kv.memory().maxmemoryBytes, 0);
});

test("WATCH then a write by another session: the transaction aborts and applies nothing", async () => {
  const kv = await cluster.leader();
  await kv.command(0, argv("SET", "w:k", "1"));
  const watches = await kv.watch(0, argv("w:k"));
  const untouched = await kv.watch(0, argv("w:other"));
  await kv.command(0, argv("SET", "w:k", "2"));
  assert.deepEqual(await kv.transaction(0, [argv("SET", "w:k", "3")], watches), { type: "nullArray" });
  assert.deepEqual(await kv.command(0, argv("GET", "w:k")), { type: "bulk", value: Uint8Array.from(Buffer.from("2")) });
  assert.deepEqual(await kv.transaction(0, [argv("SET", "w:k", "4"), argv("GET", "w:k")], untouched), {
    type: "array",
    items: [{ type: "simple", text: "OK" }, { type: "bulk", value: Uint8Array.from(Buffer.from("4")) }],
  });
});
