/**
 * The WAL writer: appends records to the current segment with group commit, cuts new segments,
 * and deletes old ones.
 *
 * Group commit: every `submit` joins a queue; one drain loop takes everything queued so far as a
 * round, writes it with one write call and makes it durable with ONE fdatasync, then resolves
 * every submitter of the round. Saves that arrive while a round is syncing form the next round,
 * so concurrent saves coalesce. A lazy submission (a commit index alone, which need not be
 * durable) starts no round: it waits in the queue for the next submission that must be durable,
 * so it costs no fdatasync and never delays a synced round by one. Nothing is acknowledged
 * before its fdatasync has returned: etcd lost acknowledged writes by acting on entries before
 * they were durable (etcd#14370).
 *
 * Tasks (snapshot writes, deletions) run in queue order, after everything before them is synced.
 * A cut syncs the old segment, creates the next one (O_EXCL), fsyncs the directory at once (a new
 * file's directory entry is not durable until then: etcd#6368) and writes its header record.
 */
import { assert, assertNever } from "../../core/types.js";
import type { FailStop } from "../fail_stop.js";
import { writeAll, type FileHandle, type FileSystem } from "../file_system.js";
import type { SegmentInfo } from "./recovery.js";
import { segmentFileName } from "./segment.js";
import { join } from "node:path";

export type WalJob =
  | { readonly kind: "records"; readonly records: readonly Uint8Array[] }
  | { readonly kind: "task"; readonly run: () => Promise<void> }
  | { readonly kind: "cut"; readonly segment: SegmentInfo; readonly header: Uint8Array };

interface Submission {
  readonly jobs: readonly WalJob[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface WalOptions {
  readonly fs: FileSystem;
  readonly failStop: FailStop;
  readonly dir: string;
  readonly segmentBytesMax: number;
}

export class Wal {
  private handle: FileHandle | null = null;
  private currentName = "";
  private readonly segments: SegmentInfo[];
  /** Bytes the current segment will hold once everything queued is written. */
  private projectedBytes = 0;
  private nextSeq: number;
  private queue: Submission[] = [];
  /** The queue holds a submission that must not wait for another (anything but a lazy one). */
  private urgent = false;
  private draining = false;
  private closed = false;

  private constructor(
    private readonly options: WalOptions,
    retained: readonly SegmentInfo[],
  ) {
    this.segments = [...retained];
    this.nextSeq = (retained.at(-1)?.seq ?? 0) + 1;
  }

  /**
   * Starts a new segment after the `retained` ones (recovery never appends to an old segment),
   * beginning with `records` (its header first), made durable before this resolves.
   * @throws DiskFailedError if creating or syncing it fails.
   */
  static async start(
    options: WalOptions,
    retained: readonly SegmentInfo[],
    first: { segment: (seq: number) => SegmentInfo; records: (seq: number) => readonly Uint8Array[] },
  ): Promise<Wal> {
    const wal = new Wal(options, retained);
    const seq = wal.nextSeq;
    const [header, ...rest] = first.records(seq);
    assert(header !== undefined, "a new segment needs its header record");
    wal.enqueueCut(first.segment(seq), header);
    await wal.submit([{ kind: "records", records: rest }]);
    return wal;
  }

  /** Retained segments, oldest first (the last is the one being written). */
  segmentList(): readonly SegmentInfo[] {
    return this.segments;
  }

  /**
   * Queues jobs; resolves once they are done and every record in them is durable. `lazy` jobs
   * wait for the next submission that is not lazy (or `close`) and are done in its round.
   * @throws DiskFailedError if any disk operation of this or an earlier round failed.
   */
  submit(jobs: readonly WalJob[], lazy = false): Promise<void> {
    const failure = this.options.failStop.error;
    if (failure !== null) return Promise.reject(failure);
    assert(!this.closed, "WAL used after close");
    for (const job of jobs) {
      if (job.kind === "records") for (const r of job.records) this.projectedBytes += r.byteLength;
    }
    const done = new Promise<void>((resolve, reject) => {
      this.queue.push({ jobs, resolve, reject });
    });
    if (!lazy) this.urgent = true;
    if (this.urgent && !this.draining) {
      this.draining = true;
      void this.drain();
    }
    return done;
  }

  /** True when the current segment has reached `segmentBytesMax` and the next save should cut. */
  isSegmentFull(): boolean {
    return this.projectedBytes >= this.options.segmentBytesMax;
  }

  /** Queues a cut to a new segment, whose header `makeHeader` encodes from the state now. */
  cut(makeHeader: (seq: number) => { segment: SegmentInfo; header: Uint8Array }): void {
    const { segment, header } = makeHeader(this.nextSeq);
    this.enqueueCut(segment, header);
  }

  private enqueueCut(segment: SegmentInfo, header: Uint8Array): void {
    assert(segment.seq === this.nextSeq, `cut to segment ${segment.seq}, expected ${this.nextSeq}`);
    this.nextSeq++;
    this.projectedBytes = header.byteLength;
    this.queue.push({ jobs: [{ kind: "cut", segment, header }], resolve: noop, reject: noop });
  }

  /**
   * Deletes the oldest segments while the next one starts at or before `keepIndex`, so the
   * retained log still covers every entry after `keepIndex`. Runs as a queued task.
   */
  async removeSegmentsBefore(keepIndex: number): Promise<number> {
    const { fs, failStop, dir } = this.options;
    let removed = 0;
    for (;;) {
      const [oldest, next] = this.segments;
      if (oldest === undefined || next === undefined || next.baseIndex > keepIndex) break;
      await failStop.run("unlink", oldest.name, () => fs.unlink(join(dir, oldest.name)));
      this.segments.shift();
      removed++;
    }
    if (removed > 0) await failStop.run("fsync directory", dir, () => fs.syncDir(dir));
    return removed;
  }

  /** Waits for everything queued, then closes the segment. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.options.failStop.error === null) await this.submit([]);
    this.closed = true;
    const handle = this.handle;
    this.handle = null;
    if (handle !== null) await handle.close().catch(noop);
  }

  private async drain(): Promise<void> {
    while (this.urgent) {
      const round = this.queue;
      this.queue = [];
      this.urgent = false;
      try {
        await this.runRound(round);
        for (const s of round) s.resolve();
      } catch (error) {
        const failure = this.options.failStop.error ?? this.options.failStop.fail("WAL round", this.currentName, error);
        for (const s of round) s.reject(error);
        for (const s of this.queue) s.reject(failure);
        this.queue = [];
        this.urgent = false;
      }
    }
    this.draining = false; // in the same synchronous step as the urgent check: no lost wakeup
  }

  private async runRound(round: readonly Submission[]): Promise<void> {
    const pending: Uint8Array[] = [];
    let dirty = false;
    const sync = async (): Promise<void> => {
      if (pending.length > 0) {
        const data = pending.length === 1 ? (pending[0] ?? new Uint8Array(0)) : Buffer.concat(pending);
        pending.length = 0;
        const handle = this.currentHandle();
        const append = handle.appendDurable?.bind(handle);
        if (append !== undefined) {
          // write + fdatasync in one thread-pool trip (file_system.ts); durable when it resolves
          await this.options.failStop.run("write+fdatasync", this.currentName, () => append(data));
          dirty = false;
          return;
        }
        await this.options.failStop.run("write", this.currentName, () => writeAll(handle, data));
        dirty = true;
      }
      if (!dirty) return;
      const handle = this.currentHandle();
      await this.options.failStop.run("fdatasync", this.currentName, () => handle.datasync());
      dirty = false;
    };
    for (const submission of round) {
      for (const job of submission.jobs) {
        switch (job.kind) {
          case "records":
            pending.push(...job.records);
            break;
          case "task":
            await sync();
            await job.run();
            break;
          case "cut":
            await sync();
            await this.openSegment(job.segment);
            pending.push(job.header);
            break;
          default:
            assertNever(job, "WAL job");
        }
      }
    }
    await sync();
  }

  private async openSegment(segment: SegmentInfo): Promise<void> {
    const { fs, failStop, dir } = this.options;
    const old = this.handle;
    if (old !== null) await failStop.run("close", this.currentName, () => old.close());
    this.handle = null;
    this.currentName = segment.name;
    assert(segment.name === segmentFileName(segment.seq), `segment name ${segment.name} for ${segment.seq}`);
    this.handle = await failStop.run("create", segment.name, () => fs.create(join(dir, segment.name)));
    await failStop.run("fsync directory", dir, () => fs.syncDir(dir));
    this.segments.push(segment);
  }

  private currentHandle(): FileHandle {
    assert(this.handle !== null, "WAL has no open segment");
    return this.handle;
  }
}

function noop(): void {
  // A cut has no submitter of its own: whoever submitted after it waits for the round.
}
