/**
 * The one history recorder of raftkv (docs/history-format.md), shared by the simulator, the
 * Maelstrom runner and the end-to-end tests. Every event is stamped from one monotonic
 * nanosecond clock the caller injects (virtual time in the simulator, the process's monotonic
 * clock elsewhere), so the recorder itself stays deterministic. Process numbers follow Jepsen:
 * after an `info` completion the client continues under a fresh number from `newProcess`.
 */
import type { CompletionType, HistoryEvent } from "./history.js";

/** What an invocation and its completion share. */
export interface RecordedOp {
  readonly process: number;
  /** "read" | "write" | "cas". */
  readonly f: string;
  readonly key: string;
}

/** Extra fields kept on an event (`node`, `error`, `exception`, ...), after the standard ones. */
export type EventExtras = Readonly<Record<string, unknown>>;

interface EventHead {
  readonly process: number | "nemesis";
  readonly type: "invoke" | CompletionType;
  readonly f: string;
  readonly key?: string;
  readonly value: unknown;
}

export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private processNext: number;

  /**
   * @param nowNs nanoseconds on the run's monotonic clock; must never go backwards.
   * @param options.firstProcess the first number `newProcess` hands out (default 0).
   */
  constructor(
    private readonly nowNs: () => number,
    options: { readonly firstProcess?: number } = {},
  ) {
    this.processNext = options.firstProcess ?? 0;
  }

  /** A process number not used before in this history. */
  newProcess(): number {
    return this.processNext++;
  }

  /** Records an invocation (`value`: null for a read, the value written, or cas's `[from, to]`). */
  invoke(op: RecordedOp, value: unknown, extras: EventExtras = {}): number {
    return this.push({ process: op.process, type: "invoke", f: op.f, key: op.key, value }, extras);
  }

  /** Records the completion of `op`; `value` is what a read returned, else the invoked value. */
  complete(op: RecordedOp, type: CompletionType, value: unknown, extras: EventExtras = {}): number {
    return this.push({ process: op.process, type, f: op.f, key: op.key, value }, extras);
  }

  /** A nemesis event (`process: "nemesis"`, type info, as Jepsen records them). */
  nemesis(f: string, value: unknown): number {
    return this.push({ process: "nemesis", type: "info", f, value }, {});
  }

  /** `time` goes after the standard fields and before the extras, as the files always had it. */
  private push(head: EventHead, extras: EventExtras): number {
    const time = this.nowNs();
    const last = this.events[this.events.length - 1];
    if (last !== undefined && time < last.time) {
      throw new RangeError(`history clock went backwards: ${String(time)} < ${String(last.time)}`);
    }
    // `head` is a fresh literal of the caller's: completing it in place keeps the key order of
    // `{ ...head, time, ...extras }` and costs a fraction of that spread, which V8 builds in
    // dictionary mode (microseconds per event).
    this.events.push(Object.assign(head, { time }, extras));
    return time;
  }
}
