/**
 * The in-memory log DiskStorage serves the core's synchronous reads from, and the log WAL replay
 * rebuilds. Like MemoryStorage, `ents[0]` is a dummy entry holding the index and term of the
 * position just before the first entry (the snapshot, or the start of the retained WAL);
 * real entries follow at `ents[i]` for index `offset + i`.
 *
 * Trade-off: every entry since the last compaction is held in memory so reads never touch the
 * disk. Memory is bounded by compaction (the runtime snapshots once `shouldSnapshot` says so).
 */
import type { Entry } from "../core/messages.js";
import { CompactedError, LogUnavailableError } from "../core/errors.js";
import { entrySizeBytes } from "../core/storage.js";
import {
  assert, AssertionError, logIndex, type LogIndex, type Term,
} from "../core/types.js";

const EMPTY = new Uint8Array(0);

export class EntryLog {
  private ents: Entry[];

  constructor(index: LogIndex, term: Term) {
    this.ents = [dummy(index, term)];
  }

  /** The index of the dummy entry: everything at or below it is outside the log. */
  offset(): LogIndex {
    const first = this.ents[0];
    assert(first !== undefined, "entry log lost its dummy entry");
    return first.index;
  }

  firstIndex(): LogIndex {
    return logIndex(this.offset() + 1);
  }

  lastIndex(): LogIndex {
    return logIndex(this.offset() + this.ents.length - 1);
  }

  /** @throws CompactedError below `offset()`; LogUnavailableError past `lastIndex()`. */
  term(index: LogIndex): Term {
    const offset = this.offset();
    if (index < offset) throw new CompactedError(index, this.firstIndex());
    const entry = this.ents[index - offset];
    if (entry === undefined) throw new LogUnavailableError(index, this.lastIndex());
    return entry.term;
  }

  /** The term at `index`, or null when it is outside `offset() .. lastIndex()`. */
  termOrNull(index: number): Term | null {
    return this.ents[index - this.offset()]?.term ?? null;
  }

  /** See Storage.entries. */
  entries(lo: LogIndex, hi: LogIndex, bytesMax: number): readonly Entry[] {
    if (lo > hi) throw new AssertionError(`entries(${lo}, ${hi}): lo must not exceed hi`);
    const offset = this.offset();
    if (lo <= offset) throw new CompactedError(lo, this.firstIndex());
    if (hi > this.lastIndex() + 1) throw new LogUnavailableError(logIndex(hi - 1), this.lastIndex());
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const entry = this.ents[i - offset];
      if (entry === undefined) {
        throw new AssertionError(`entry ${i} missing inside the stored range`);
      }
      bytes += entrySizeBytes(entry);
      if (out.length > 0 && bytes > bytesMax) break;
      out.push(entry);
    }
    return out;
  }

  /** Appends consecutive entries, first dropping any conflicting suffix (§5.3). */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    const offset = this.offset();
    if (first.index <= offset) {
      throw new AssertionError(`append at ${first.index} overwrites the log start at ${offset}`);
    }
    assert(
      first.index <= this.lastIndex() + 1,
      `append at ${first.index} leaves a gap after ${this.lastIndex()}`,
    );
    for (let i = 1; i < entries.length; i++) {
      assert(entries[i]?.index === first.index + i, "appended entries must have consecutive indexes");
    }
    this.ents.length = first.index - offset;
    for (const entry of entries) this.ents.push(entry);
  }

  /** Empties the log so that it continues after (`index`, `term`), as a snapshot install does. */
  reset(index: LogIndex, term: Term): void {
    this.ents = [dummy(index, term)];
  }

  /** Drops entries up to and including `index`, which must be inside the log. */
  compact(index: LogIndex): void {
    const offset = this.offset();
    if (index <= offset) return;
    const entry = this.ents[index - offset];
    assert(entry !== undefined, `compact(${index}) past the last index ${this.lastIndex()}`);
    this.ents = [dummy(index, entry.term), ...this.ents.slice(index - offset + 1)];
  }
}

function dummy(index: LogIndex, term: Term): Entry {
  return { index, term, kind: "noop", data: EMPTY };
}
