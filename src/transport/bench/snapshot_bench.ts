/**
 * Loopback throughput of a large InstallSnapshot: streamed in chunks (written to the receiver's
 * partial file, read back, checked whole) next to the same snapshot sent as ONE frame, in the
 * same run. Reports numbers and asserts nothing (STYLE.md rule 15). Run by `npm run
 * bench:transport` (transport_bench.ts), or alone:
 *
 *   node dist/transport/bench/snapshot_bench.js --snapshot-mib 48 --rounds 3
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type InstallSnapshot, logIndex, nodeId, term } from "../../core/index.js";
import type { SnapshotStreamLimits } from "../snapshot_limits.js";
import { TcpTransport } from "../tcp_transport.js";
import { freePort } from "../test_support.js";

const [n1, n2] = [nodeId("n1"), nodeId("n2")];
const host = "127.0.0.1";
const MiB = 1024 * 1024;

function installSnapshot(index: number, data: Uint8Array): InstallSnapshot {
  const confState = { voters: [n1, n2], learners: [], votersOutgoing: [] };
  return {
    type: "InstallSnapshot", from: n1, to: n2, term: term(1),
    snapshot: { metadata: { index: logIndex(index), term: term(1), confState }, data },
  };
}

/** Seconds per delivered snapshot of `data`, over `rounds` sends (each a distinct snapshot). */
async function timeSnapshots(
  data: Uint8Array,
  rounds: number,
  snapshot: Partial<SnapshotStreamLimits>,
): Promise<number> {
  const [p1, p2] = [await freePort(), await freePort()];
  const dir = await mkdtemp(join(tmpdir(), "raftkv-snapshot-bench-"));
  const sender = new TcpTransport({
    clusterId: "bench", nodeId: n1, listen: { host, port: p1 }, snapshot,
    peers: new Map([[n2, { host, port: p2 }]]),
  });
  const receiver = new TcpTransport({
    clusterId: "bench", nodeId: n2, listen: { host, port: p2 }, snapshot, snapshotDir: dir,
    peers: new Map([[n1, { host, port: p1 }]]),
  });
  let wake: () => void = () => undefined;
  receiver.onMessage((m) => { if (m.type === "InstallSnapshot") wake(); });
  sender.onMessage(() => undefined);
  await Promise.all([receiver.start(), sender.start()]);
  let total = 0;
  for (let round = 0; round <= rounds; round++) {
    const delivered = new Promise<void>((resolve) => { wake = resolve; });
    const started = performance.now();
    if (!sender.send(installSnapshot(round + 1, data))) throw new Error("bench: send dropped");
    await delivered;
    if (round > 0) total += performance.now() - started; // round 0 warms up the connection
  }
  await Promise.all([sender.close(), receiver.close()]);
  await rm(dir, { recursive: true, force: true });
  return total / rounds / 1000;
}

/** Prints MiB/s of a streamed snapshot (two chunk sizes) and of a one-frame send. */
export async function benchSnapshots(snapshotMiB: number, rounds: number): Promise<void> {
  const data = new Uint8Array(snapshotMiB * MiB);
  for (let i = 0; i < data.byteLength; i += 4096) data[i] = i & 0xff;
  const cases: [string, Partial<SnapshotStreamLimits>][] = [
    ["one frame", { chunkBytes: 64 * MiB - 256, chunksInflightMax: 1 }],
    ["1 MiB chunks x 4 in flight", {}],
    ["256 KiB chunks x 4 in flight", { chunkBytes: 256 * 1024 }],
  ];
  console.log(`InstallSnapshot of ${snapshotMiB} MiB, mean of ${rounds} rounds:`);
  for (const [name, limits] of cases) {
    const seconds = await timeSnapshots(data, rounds, limits);
    const rate = (snapshotMiB / seconds).toFixed(0);
    console.log(`  ${name.padEnd(30)} ${rate.padStart(6)} MiB/s (${seconds.toFixed(3)} s each)`);
  }
}

const isMain = process.argv[1]?.endsWith("snapshot_bench.js") === true;
if (isMain) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  await benchSnapshots(arg("--snapshot-mib", 48), arg("--rounds", 3));
}
