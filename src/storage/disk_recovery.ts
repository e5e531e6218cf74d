/**
 * Opening a data directory: create it, or recover it (WAL replay, torn-tail truncation, snapshot
 * choice with fallback) into the state DiskStorage serves, plus what the new segment must start
 * with. Nothing acknowledged is ever dropped silently: anything that is not a torn tail of the
 * last segment refuses to open with an error naming the file and offset.
 */
import { join } from "node:path";
import { ConfigError } from "../core/errors.js";
import type { HardState, Snapshot } from "../core/messages.js";
import { INDEX_ZERO, TERM_ZERO, type LogIndex } from "../core/types.js";
import { EntryLog } from "./entry_log.js";
import { SnapshotCorruptError, WalCorruptError } from "./errors.js";
import type { FailStop } from "./fail_stop.js";
import type { ResolvedDiskStorageOptions } from "./options.js";
import {
  decodeSnapshot,
  parseSnapshotFileName,
  snapshotFileName,
  writeSnapshotFile,
} from "./snapshot_file.js";
import { encodeRecord } from "./wal/record.js";
import { logEnd, replayWal, type SegmentInfo } from "./wal/recovery.js";
import { parseSegmentFileName, segmentFileName, type TornTail } from "./wal/segment.js";

/** What open() found and did; also passed to the logger as it happens. */
export interface RecoveryReport {
  /** The directory held no data and was initialised. */
  readonly created: boolean;
  readonly segmentsRead: number;
  readonly entriesRead: number;
  /** The torn record cut from the end of the last segment, if any. */
  readonly tornTail: TornTail | null;
  readonly snapshotIndex: LogIndex;
  /** Corrupt snapshots passed over for an older one that the log still covers. */
  readonly snapshotsSkipped: readonly { readonly file: string; readonly reason: string }[];
}

export interface RecoveredState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot;
  readonly log: EntryLog;
  readonly segments: readonly SegmentInfo[];
  /** Indexes of the snapshot files present, ascending. */
  readonly snapshotIndexes: readonly number[];
  /** The records the next segment starts with (header first). */
  readonly firstRecords: (seq: number) => readonly Uint8Array[];
  /** The base index the next segment is recorded with (see SegmentInfo). */
  readonly nextBaseIndex: LogIndex;
  readonly report: RecoveryReport;
}

interface Context {
  readonly dir: string;
  readonly options: ResolvedDiskStorageOptions;
  readonly failStop: FailStop;
}

const ZERO_HARD_STATE: HardState = { term: TERM_ZERO, vote: null, commit: INDEX_ZERO };

/**
 * @throws WalCorruptError, SnapshotCorruptError, DiskFailedError, ConfigError (a new directory
 * without `confState`).
 */
export async function recoverDirectory(ctx: Context): Promise<RecoveredState> {
  const { dir, options, failStop } = ctx;
  const { fs } = options;
  await failStop.run("mkdir", dir, () => fs.mkdir(dir));
  const names = await failStop.run("readdir", dir, () => fs.readdir(dir));
  await removeTempFiles(ctx, names);
  const segmentFiles = names
    .flatMap((name) => {
      const seq = parseSegmentFileName(name);
      return seq === null ? [] : [{ seq, name }];
    })
    .sort((a, b) => a.seq - b.seq);
  const snapshotIndexes = names
    .flatMap((name) => {
      const index = parseSnapshotFileName(name);
      return index === null ? [] : [index];
    })
    .sort((a, b) => a - b);
  if (segmentFiles.length > 0) {
    const replay = await replayWal(segmentFiles, {
      readFile: (name) => failStop.run("read", name, () => fs.readFile(join(dir, name))),
      payloadBytesMax: options.recordBytesMax,
    });
    if (replay.kind === "log") return recoverLog(ctx, replay, snapshotIndexes);
    if (replay.torn !== null) reportTorn(ctx, replay.torn);
    await removeFile(ctx, replay.file);
  }
  return initialise(ctx, snapshotIndexes);
}

/** A new directory, or one whose creation crashed before its first segment held a header. */
async function initialise(ctx: Context, snapshotIndexes: readonly number[]): Promise<RecoveredState> {
  const { dir, options, failStop } = ctx;
  if (snapshotIndexes.some((index) => index !== 0)) {
    throw new WalCorruptError(segmentFileName(1), 0, "no WAL segment, but snapshots exist");
  }
  let snapshot: Snapshot;
  if (snapshotIndexes.length === 0) {
    if (options.confState === null) {
      throw new ConfigError("confState", `is required to create a new data directory (${dir})`);
    }
    const metadata = { index: INDEX_ZERO, term: TERM_ZERO, confState: options.confState };
    snapshot = { metadata, data: new Uint8Array(0) };
    await writeSnapshotFile(options.fs, failStop, dir, snapshot);
  } else {
    snapshot = await readSnapshot(ctx, 0);
  }
  const log = new EntryLog(INDEX_ZERO, TERM_ZERO);
  return {
    hardState: ZERO_HARD_STATE,
    snapshot,
    log,
    segments: [],
    snapshotIndexes: [0],
    firstRecords: (seq) => [headerRecord(seq, log, ZERO_HARD_STATE)],
    nextBaseIndex: INDEX_ZERO,
    report: {
      created: true,
      segmentsRead: 0,
      entriesRead: 0,
      tornTail: null,
      snapshotIndex: INDEX_ZERO,
      snapshotsSkipped: [],
    },
  };
}

async function recoverLog(
  ctx: Context,
  replay: Extract<Awaited<ReturnType<typeof replayWal>>, { kind: "log" }>,
  snapshotIndexes: readonly number[],
): Promise<RecoveredState> {
  const { log } = replay;
  // Cut the torn tail before a new segment follows it: in a non-last segment it would read as
  // corruption. The cut bytes were never synced, so never acknowledged.
  if (replay.torn !== null) reportTorn(ctx, replay.torn);
  if (replay.emptyLastSegment !== null) await removeFile(ctx, replay.emptyLastSegment);
  else if (replay.torn !== null) await truncateFile(ctx, replay.torn.file, replay.lastValidBytes);
  const { snapshot, skipped } = await chooseSnapshot(ctx, snapshotIndexes, log);
  const si = snapshot.metadata.index;
  const st = snapshot.metadata.term;
  if (log.offset() > si) {
    const first = replay.segments[0]?.name ?? "(none)";
    throw new WalCorruptError(first, 0, `the log starts after index ${log.offset()} but the newest ` +
      `snapshot ends at ${si}: older segments are missing`);
  }
  const streamEnd = logEnd(log);
  // A snapshot past the log, or conflicting with it, replaces it (a crash between writing an
  // installed snapshot's file and its WAL record); one inside the log compacts it.
  const replaced = si > log.lastIndex() || log.term(si) !== st;
  if (replaced) log.reset(si, st);
  else log.compact(si);
  const hardState = normaliseHardState(replay.hardState, snapshot);
  return {
    hardState,
    snapshot,
    log,
    segments: replay.segments,
    snapshotIndexes,
    firstRecords: (seq) => {
      const header = encodeRecord({
        type: "segmentHeader",
        header: { seq, baseIndex: streamEnd.index, baseTerm: streamEnd.term, hardState },
      });
      if (!replaced) return [header];
      return [header, encodeRecord({ type: "snapshotInstall", index: si, term: st })];
    },
    nextBaseIndex: replaced ? si : streamEnd.index,
    report: {
      created: false,
      segmentsRead: replay.segments.length + (replay.emptyLastSegment === null ? 0 : 1),
      entriesRead: replay.entriesRead,
      tornTail: replay.torn,
      snapshotIndex: si,
      snapshotsSkipped: skipped,
    },
  };
}

/**
 * A snapshot only holds committed state (§7), so the commit index is at least its index, and a
 * node holding a log entry of term T has seen term T. Raising the term clears the vote: a vote
 * in the raised term was never durable, so none was cast.
 */
function normaliseHardState(hardState: HardState, snapshot: Snapshot): HardState {
  const { index, term } = snapshot.metadata;
  const raised = term > hardState.term;
  return {
    term: raised ? term : hardState.term,
    vote: raised ? null : hardState.vote,
    commit: index > hardState.commit ? index : hardState.commit,
  };
}

/**
 * The newest valid snapshot. A corrupt one is passed over only if the log still covers both the
 * older snapshot's position and everything up to the corrupt one's index: then nothing is lost.
 */
async function chooseSnapshot(
  ctx: Context,
  snapshotIndexes: readonly number[],
  log: EntryLog,
): Promise<{ snapshot: Snapshot; skipped: { file: string; reason: string }[] }> {
  const skipped: { file: string; reason: string }[] = [];
  let newestCorrupt: { index: number; error: SnapshotCorruptError } | null = null;
  for (const index of [...snapshotIndexes].reverse()) {
    let snapshot: Snapshot;
    try {
      snapshot = await readSnapshot(ctx, index);
    } catch (error) {
      if (!(error instanceof SnapshotCorruptError)) throw error;
      skipped.push({ file: error.file, reason: error.reason });
      newestCorrupt ??= { index, error };
      continue;
    }
    if (newestCorrupt !== null) {
      const { error } = newestCorrupt;
      if (log.offset() > index || log.lastIndex() < newestCorrupt.index) {
        throw new SnapshotCorruptError(error.file, error.offsetBytes, `${error.reason}, and the log ` +
          `no longer covers the entries back to the previous snapshot at ${index}`);
      }
      ctx.options.logger.warn({ file: error.file, fallbackIndex: index },
        `Snapshot ${error.file} is corrupt (${error.reason}); fell back ` +
        `to the snapshot at index ${index} and the log after it`);
    }
    return { snapshot, skipped };
  }
  if (newestCorrupt !== null) {
    const { error } = newestCorrupt;
    throw new SnapshotCorruptError(error.file, error.offsetBytes, `${error.reason}; no older valid snapshot`);
  }
  throw new SnapshotCorruptError(ctx.dir, null, "the WAL exists but no snapshot file does");
}

async function readSnapshot(ctx: Context, index: number): Promise<Snapshot> {
  const { dir, options, failStop } = ctx;
  const name = snapshotFileName(index);
  const bytes = await failStop.run("read", name, () => options.fs.readFile(join(dir, name)));
  const snapshot = decodeSnapshot(name, bytes);
  if (snapshot.metadata.index !== index) {
    throw new SnapshotCorruptError(name, null, `metadata says index ${snapshot.metadata.index}`);
  }
  return snapshot;
}

function headerRecord(seq: number, log: EntryLog, hardState: HardState): Uint8Array {
  const end = logEnd(log);
  return encodeRecord({
    type: "segmentHeader",
    header: { seq, baseIndex: end.index, baseTerm: end.term, hardState },
  });
}

function reportTorn(ctx: Context, torn: TornTail): void {
  ctx.options.logger.warn({ file: torn.file, offsetBytes: torn.offsetBytes },
    `WAL segment ${torn.file}: cut a torn tail of ${torn.cutBytes} bytes ` +
    `at offset ${torn.offsetBytes} (${torn.reason}); it was never acknowledged`);
}

async function removeTempFiles(ctx: Context, names: readonly string[]): Promise<void> {
  const temps = names.filter((name) => name.endsWith(".tmp"));
  for (const name of temps) await removeFile(ctx, name, false);
  if (temps.length > 0) await ctx.failStop.run("fsync directory", ctx.dir, () => ctx.options.fs.syncDir(ctx.dir));
}

async function removeFile(ctx: Context, name: string, syncDir = true): Promise<void> {
  const { dir, options, failStop } = ctx;
  await failStop.run("unlink", name, () => options.fs.unlink(join(dir, name)));
  if (syncDir) await failStop.run("fsync directory", dir, () => options.fs.syncDir(dir));
}

async function truncateFile(ctx: Context, name: string, lengthBytes: number): Promise<void> {
  const { dir, options, failStop } = ctx;
  const handle = await failStop.run("open", name, () => options.fs.openExisting(join(dir, name)));
  try {
    await failStop.run("truncate", name, () => handle.truncate(lengthBytes));
    await failStop.run("fdatasync", name, () => handle.datasync());
  } finally {
    await handle.close().catch(() => undefined);
  }
}
