/**
 * `npm run bench:wal`: WAL append throughput with group commit, against a BASELINE of a plain
 * loop of write + fdatasync of a small buffer on the same disk, run in the same invocation and
 * interleaved with each case. Also compares the hand-written record encoding with msgpackr.
 * RAFTKV_BENCH_MS sets the time per case (default 6000: shorter runs are dominated by disk noise).
 */
import { mkdtemp, open, rm, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { pack } from "msgpackr";
import type { Entry } from "../../core/messages.js";
import { logIndex, nodeId, term } from "../../core/types.js";
import { DiskStorage } from "../disk_storage.js";
import { nodeFileSystem } from "../file_system.js";
import { InstrumentedFileSystem } from "../instrumented_file_system.js";
import { encodeRecords, type WalRecord } from "../wal/record.js";

const CASE_MS = Number(process.env.RAFTKV_BENCH_MS ?? 6000);
const ENTRY_DATA_BYTES = 64;
const CONF = { voters: [nodeId("n1")], learners: [], votersOutgoing: [] };

const SLICES = 8;

interface Counts {
  entries: number;
  syncs: number;
  ms: number;
}

/** One slice of the BASELINE: write + fdatasync of one small buffer, in a loop. */
async function baselineSlice(handle: FileHandle, sliceMs: number, into: Counts): Promise<void> {
  const buffer = new Uint8Array(ENTRY_DATA_BYTES + 33).fill(7); // one framed entry's size
  const start = performance.now();
  while (performance.now() - start < sliceMs) {
    await handle.write(buffer, 0, buffer.byteLength, null);
    await handle.datasync();
    into.entries++;
    into.syncs++;
  }
  into.ms += performance.now() - start;
}

/** One slice of a WAL case: `proposers` loops each save `batch` entries, awaiting each save. */
async function walSlice(
  storage: DiskStorage,
  fs: InstrumentedFileSystem,
  shape: { batch: number; proposers: number; sliceMs: number },
  into: Counts,
): Promise<void> {
  const data = new Uint8Array(ENTRY_DATA_BYTES).fill(1);
  const syncsBefore = fs.count("datasync");
  const start = performance.now();
  const proposer = async (): Promise<void> => {
    while (performance.now() - start < shape.sliceMs) {
      const first = storage.lastIndex() + 1;
      const entries: Entry[] = [];
      for (let i = 0; i < shape.batch; i++) {
        entries.push({ index: logIndex(first + i), term: term(1), kind: "normal", data });
      }
      const commit = logIndex(first + shape.batch - 1);
      await storage.save({ hardState: { term: term(1), vote: null, commit }, entries, snapshot: null });
      into.entries += shape.batch;
    }
  };
  await Promise.all(Array.from({ length: shape.proposers }, proposer));
  into.ms += performance.now() - start;
  into.syncs += fs.count("datasync") - syncsBefore;
}

/**
 * Runs a WAL case and the baseline in alternating slices, so both see the same disk: on a
 * shared machine the fdatasync rate drifts by 2x within seconds.
 */
async function pairedCase(dir: string, batch: number, proposers: number): Promise<string[]> {
  const name = proposers === 1 ? `WAL, batch ${batch}` : `WAL, batch ${batch}, ${proposers} concurrent saves`;
  const handle = await open(join(dir, `baseline-${batch}-${proposers}.dat`), "wx");
  const fs = new InstrumentedFileSystem(nodeFileSystem);
  const storage = await DiskStorage.open(join(dir, `wal-${batch}-${proposers}`), { confState: CONF, fs });
  const base: Counts = { entries: 0, syncs: 0, ms: 0 };
  const wal: Counts = { entries: 0, syncs: 0, ms: 0 };
  const sliceMs = CASE_MS / SLICES;
  for (let i = 0; i < SLICES; i++) {
    await baselineSlice(handle, sliceMs, base);
    await walSlice(storage, fs, { batch, proposers, sliceMs }, wal);
  }
  await handle.close();
  await storage.close();
  const rate = (n: number, c: Counts): number => n / (c.ms / 1000);
  const baseSyncs = rate(base.syncs, base);
  return [
    name,
    fmt(rate(wal.entries, wal)),
    fmt(rate(wal.syncs, wal)),
    fmt(baseSyncs),
    `${((100 * rate(wal.syncs, wal)) / baseSyncs).toFixed(0)}%`,
    `${(rate(wal.entries, wal) / baseSyncs).toFixed(1)}x`,
  ];
}

/** Encodes 256-entry batches as save() does: hand-written into one buffer vs msgpackr + crc32s. */
function encodeBench(): string[] {
  const batches: WalRecord[][] = [];
  for (let b = 0; b < 100; b++) {
    const batch: WalRecord[] = [];
    for (let i = 1; i <= 256; i++) {
      const data = new Uint8Array(ENTRY_DATA_BYTES).fill(i & 0xff);
      batch.push({ type: "entry", entry: { index: logIndex(b * 256 + i), term: term(3), kind: "normal", data } });
    }
    batches.push(batch);
  }
  const time = (encode: (batch: WalRecord[]) => number): { perSec: number; bytes: number } => {
    let bytes = 0;
    const start = performance.now();
    for (let round = 0; round < 5; round++) for (const batch of batches) bytes += encode(batch);
    const count = 5 * batches.length * 256;
    return { perSec: count / ((performance.now() - start) / 1000), bytes: bytes / count };
  };
  time((batch) => encodeRecords(batch).byteLength); // warm up
  const hand = time((batch) => encodeRecords(batch).byteLength);
  const msgpack = time((batch) => {
    let bytes = 0;
    for (const record of batch) {
      if (record.type !== "entry") continue;
      const { entry } = record;
      const payload = pack([entry.index, entry.term, entry.kind, entry.data]);
      crc32(payload); // the same two checksums the hand-written frame computes
      crc32(payload.subarray(0, 12));
      bytes += payload.byteLength + 16;
    }
    return bytes;
  });
  return [
    `record encoding, 256-entry batches of ${ENTRY_DATA_BYTES}-byte entries: hand-written ` +
      `${fmt(hand.perSec)} entries/s, ${hand.bytes.toFixed(0)} bytes/entry framed; msgpackr ` +
      `${fmt(msgpack.perSec)} entries/s, ${msgpack.bytes.toFixed(0)} bytes/entry framed`,
  ];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "raftkv-wal-bench-"));
  try {
    const header = ["case", "appends/s", "fsyncs/s", "baseline fsyncs/s", "fsyncs vs baseline", "appends vs baseline"];
    const rows = [header];
    for (const batch of [1, 16, 256]) rows.push(await pairedCase(dir, batch, 1));
    rows.push(await pairedCase(dir, 1, 16));
    console.log(`WAL benchmark: ${CASE_MS} ms per case in ${SLICES} slices alternating with the ` +
      `BASELINE (write + fdatasync of a ${ENTRY_DATA_BYTES + 33}-byte buffer), ${ENTRY_DATA_BYTES}-byte entries`);
    console.log(table(rows));
    for (const line of encodeBench()) console.log(line);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  const line = (r: string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(" | ")} |`;
  const [head, ...body] = rows;
  return [line(head ?? []), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}

await main();
