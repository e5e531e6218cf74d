/**
 * Test instrumentation for the rule "persist before send" (Figure 2; ARCHITECTURE.md, "The core
 * contract"): `SlowDurableStorage` makes saves durable only some time after they are issued and
 * keeps a copy of what is durable; `checkDurableBeforeSend` says whether a message about to
 * leave rests only on durable state. Only tests import this file.
 */
import { assertNever, type Message } from "../../core/index.js";
import { MemoryStorage, type SaveBatch, type StableStorage } from "../../storage/index.js";
import type { ConfState, Entry, LogIndex, Snapshot, Term } from "../../core/index.js";
import type { InitialState } from "../../core/index.js";

/**
 * A MemoryStorage whose writes are visible at once (as DiskStorage's are) but durable only
 * `delayMs` later; `durable` holds exactly what has become durable.
 */
export class SlowDurableStorage implements StableStorage {
  readonly durable: MemoryStorage;
  private readonly inner: MemoryStorage;
  savesInFlight = 0;

  constructor(confState: ConfState, private readonly delayMs = 2) {
    this.inner = new MemoryStorage(confState);
    this.durable = new MemoryStorage(confState);
  }

  save(batch: SaveBatch): Promise<void> {
    this.inner.saveSync(batch);
    this.savesInFlight++;
    return new Promise((resolve) => {
      setTimeout(() => {
        this.durable.saveSync(batch);
        this.savesInFlight--;
        resolve();
      }, this.delayMs);
    });
  }

  initialState(): InitialState {
    return this.inner.initialState();
  }

  entries(lo: LogIndex, hi: LogIndex, options: { bytesMax: number }): readonly Entry[] {
    return this.inner.entries(lo, hi, options);
  }

  term(index: LogIndex): Term {
    return this.inner.term(index);
  }

  firstIndex(): LogIndex {
    return this.inner.firstIndex();
  }

  lastIndex(): LogIndex {
    return this.inner.lastIndex();
  }

  snapshot(): Snapshot {
    return this.inner.snapshot();
  }

  createSnapshot(index: LogIndex, confState: ConfState, data: Uint8Array): Promise<Snapshot> {
    return this.inner.createSnapshot(index, confState, data);
  }

  compact(index: LogIndex): Promise<void> {
    return this.inner.compact(index);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Null when everything `message` promises is durable in its sender's `durable` storage;
 * otherwise what is not. Pre-vote messages promise nothing (§9.6) and are not checked.
 */
export function checkDurableBeforeSend(message: Message, durable: MemoryStorage): string | null {
  const hard = durable.initialState().hardState;
  const what = `${message.type} ${message.from}->${message.to} term ${message.term}`;
  const termRests = message.type !== "PreVote" && message.type !== "PreVoteResponse";
  if (termRests && message.term > hard.term) return `${what}: durable term is only ${hard.term}`;
  switch (message.type) {
    case "RequestVote":
      return hard.vote === message.from ? null : `${what}: own vote not durable`;
    case "RequestVoteResponse":
      return message.reject || hard.vote === message.to ? null : `${what}: granted vote not durable`;
    case "AppendEntries":
      // §10.2.1: the entries may still be on their way to the leader's disk (the leader counts
      // its own copy only once durable); only their term must be durable, checked above.
      return null;
    case "AppendEntriesResponse":
      return message.reject || durable.lastIndex() >= message.index
        ? null : `${what}: acknowledges index ${message.index} but only ${durable.lastIndex()} is durable`;
    case "PreVote":
    case "PreVoteResponse":
    case "Heartbeat":
    case "HeartbeatResponse":
    case "InstallSnapshot":
    case "Propose":
    case "ReadIndexRequest":
    case "ReadIndexResponse":
    case "TimeoutNow":
      return null;
    default:
      return assertNever(message, "message");
  }
}
