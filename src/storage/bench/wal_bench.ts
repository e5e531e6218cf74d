/**
 * `npm run bench:wal`: WAL append throughput with group commit, against a BASELINE of a plain
 * loop of write + fdatasync of a small buffer on the same disk, run in the same invocation
 * (before and after the WAL cases; the reference is their mean, so drift on a shared machine
 * shows). Also compares the hand-written record encoding with msgpackr.
 * RAFTKV_BENCH_MS sets the time per case (default 2000).
 */
import { mkdtemp, open, rm } from "node:fs/promises";
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

const CASE_MS = Number(process.env.RAFTKV_BENCH_MS ?? 2000);
const ENTRY_DATA_BYTES = 64;
const CONF = { voters: [nodeId("n1")], learners: [], votersOutgoing: [] };

interface Result {
  readonly name: string;
  readonly entriesPerSec: number;
  readonly syncsPerSec: number;
}

async function baseline(dir: string, name: string): Promise<Result> {
  const handle = await open(join(dir, `${name}.dat`), "wx");
  const buffer = new Uint8Array(ENTRY_DATA_BYTES + 33).fill(7); // one framed entry's size
  let syncs = 0;
  const start = performance.now();
  while (performance.now() - start < CASE_MS) {
    await handle.write(buffer, 0, buffer.byteLength, null);
    await handle.datasync();
    syncs++;
  }
  const seconds = (performance.now() - start) / 1000;
  await handle.close();
  return { name, entriesPerSec: syncs / seconds, syncsPerSec: syncs / seconds };
}

/** `proposers` loops each save `batch` entries at a time, awaiting each save. */
async function walCase(dir: string, name: string, batch: number, proposers: number): Promise<Result> {
  const fs = new InstrumentedFileSystem(nodeFileSystem);
  const storage = await DiskStorage.open(join(dir, name), { confState: CONF, fs });
  const data = new Uint8Array(ENTRY_DATA_BYTES).fill(1);
  const syncsBefore = fs.count("datasync");
  let entries = 0;
  const start = performance.now();
  const proposer = async (): Promise<void> => {
    while (performance.now() - start < CASE_MS) {
      const first = storage.lastIndex() + 1;
      const batchEntries: Entry[] = [];
      for (let i = 0; i < batch; i++) {
        batchEntries.push({ index: logIndex(first + i), term: term(1), kind: "normal", data });
      }
      const commit = logIndex(first + batch - 1);
      await storage.save({ hardState: { term: term(1), vote: null, commit }, entries: batchEntries, snapshot: null });
      entries += batch;
    }
  };
  await Promise.all(Array.from({ length: proposers }, proposer));
  const seconds = (performance.now() - start) / 1000;
  const syncs = fs.count("datasync") - syncsBefore;
  await storage.close();
  return { name, entriesPerSec: entries / seconds, syncsPerSec: syncs / seconds };
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
    const before = await baseline(dir, "baseline-before");
    const cases: Result[] = [];
    for (const batch of [1, 16, 256]) cases.push(await walCase(dir, `wal-batch-${batch}`, batch, 1));
    cases.push(await walCase(dir, "wal-batch-1-x16-concurrent", 1, 16));
    const after = await baseline(dir, "baseline-after");
    const reference = (before.syncsPerSec + after.syncsPerSec) / 2;
    const header = ["case", "entries/s", "fsyncs/s", "fsyncs vs baseline", "entries vs baseline"];
    const rows = [before, after, ...cases].map((r) => [
      r.name,
      fmt(r.entriesPerSec),
      fmt(r.syncsPerSec),
      `${((100 * r.syncsPerSec) / reference).toFixed(0)}%`,
      `${(r.entriesPerSec / reference).toFixed(2)}x`,
    ]);
    console.log(`WAL benchmark: ${CASE_MS} ms per case, ${ENTRY_DATA_BYTES}-byte entries, ` +
      `baseline = mean of before/after (${fmt(reference)} fdatasync/s), dir ${dir}`);
    console.log(table([header, ...rows]));
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
