/**
 * The process the crash test kills: `node crash_child.js <dir> <seed>`. It loads, waits for a
 * line on stdin (so the test can start the next child while the previous one runs, hiding Node's
 * start-up time), opens DiskStorage, checks every entry's payload, prints
 * `ready <lastIndex> <commit>` (or `corrupt <problem>` and exits 1), then appends batches of self-verifying entries forever (up to
 * `IN_FLIGHT_SAVES_MAX` saves in flight, so group commit coalesces them), printing
 * `durable <index>` only after the save holding entry `index` resolved. Every
 * `SNAPSHOT_EVERY_ENTRIES` it snapshots and compacts, so segments and snapshots get deleted too.
 */
import { SeededRng } from "../../core/rng.js";
import { logIndex, nodeId, term, type LogIndex } from "../../core/types.js";
import type { Entry } from "../../core/messages.js";
import { DiskStorage } from "../disk_storage.js";
import { checkStorage, makePayload } from "./payload.js";

const IN_FLIGHT_SAVES_MAX = 4;
const BATCH_ENTRIES_MAX = 16;
const SNAPSHOT_EVERY_ENTRIES = 300;
export const CRASH_SEGMENT_BYTES_MAX = 16 * 1024;
export const CRASH_CONF = { voters: [nodeId("n1")], learners: [], votersOutgoing: [] };

async function main(dir: string, seed: number): Promise<void> {
  const rng = new SeededRng(seed);
  const storage = await DiskStorage.open(dir, { confState: CRASH_CONF, segmentBytesMax: CRASH_SEGMENT_BYTES_MAX });
  const problem = checkStorage(storage);
  if (problem !== null) {
    process.stdout.write(`corrupt ${problem}\n`);
    process.exit(1);
  }
  process.stdout.write(`ready ${storage.lastIndex()} ${storage.initialState().hardState.commit}\n`);
  let next = storage.lastIndex() + 1;
  let snapshotAt: number = storage.snapshot().metadata.index;
  const inFlight = new Set<Promise<void>>();
  for (;;) {
    while (inFlight.size >= IN_FLIGHT_SAVES_MAX) await Promise.race(inFlight);
    const entries: Entry[] = [];
    const count = 1 + rng.nextInt(BATCH_ENTRIES_MAX);
    for (let i = 0; i < count; i++, next++) {
      entries.push({ index: logIndex(next), term: term(1), kind: "normal", data: makePayload(next, rng, 200) });
    }
    const last = next - 1;
    const hardState = { term: term(1), vote: nodeId("n1"), commit: logIndex(last) };
    const save = storage.save({ hardState, entries, snapshot: null }).then(() => {
      process.stdout.write(`durable ${last}\n`);
      inFlight.delete(save);
    });
    inFlight.add(save);
    if (last - snapshotAt >= SNAPSHOT_EVERY_ENTRIES) {
      await Promise.all(inFlight);
      const index: LogIndex = logIndex(last);
      await storage.createSnapshot(index, CRASH_CONF, makePayload(index, rng, 64));
      await storage.compact(index);
      snapshotAt = last;
    }
  }
}

const [dir, seed] = process.argv.slice(2);
if (dir !== undefined && seed !== undefined && process.argv[1]?.endsWith("crash_child.js") === true) {
  process.stdin.once("data", () => {
    main(dir, Number(seed)).catch((error: unknown) => {
      process.stderr.write(`crash child failed: ${String(error)}\n`);
      process.exit(1);
    });
  });
}
