/**
 * Records the run's history (history-format.md) on one monotonic nanosecond clock, and keeps a
 * parallel record of each client operation as Maelstrom itself would classify it, for the stats,
 * availability and latency figures.
 */
import type { HistoryEvent } from "../../check/index.js";
import { HistoryRecorder } from "../../check/history_recorder.js";
import type { Completion, OpRequest } from "./lin_kv_ops.js";

export class Clock {
  private readonly startNs = process.hrtime.bigint();

  /** Nanoseconds since the test started. */
  nowNs(): number {
    return Number(process.hrtime.bigint() - this.startNs);
  }

  nowMs(): number {
    return this.nowNs() / 1e6;
  }
}

/** One client operation as Maelstrom would count it. */
export interface OpRecord {
  readonly process: number;
  readonly node: string;
  readonly f: OpRequest["f"];
  readonly key: string;
  readonly invokeNs: number;
  readonly completeNs: number;
  readonly maelstromType: "ok" | "fail" | "info";
  readonly error?: string;
  readonly exception?: string;
}

export interface OpenOp {
  readonly process: number;
  readonly node: string;
  readonly op: OpRequest;
  readonly invokeNs: number;
}

/** The shared history recorder plus Maelstrom's own classification of each operation. */
export class Recorder {
  readonly ops: OpRecord[] = [];
  private readonly history: HistoryRecorder;

  constructor(clock: Clock) {
    this.history = new HistoryRecorder(() => clock.nowNs());
  }

  get events(): readonly HistoryEvent[] {
    return this.history.events;
  }

  invoke(process: number, node: string, op: OpRequest): OpenOp {
    const value = op.f === "read" ? null : op.value;
    const invokeNs = this.history.invoke({ process, f: op.f, key: String(op.key) }, value, { node });
    return { process, node, op, invokeNs };
  }

  complete(open: OpenOp, completion: Completion): void {
    const { process, node, op } = open;
    const extra: Record<string, unknown> = { node };
    if (completion.error !== undefined) extra.error = completion.error;
    if (completion.exception !== undefined) extra.exception = completion.exception;
    if (completion.type !== completion.maelstromType) extra.maelstrom_type = completion.maelstromType;
    const completeNs = this.history.complete(
      { process, f: op.f, key: String(op.key) }, completion.type, completion.value, extra,
    );
    this.ops.push({
      process,
      node,
      f: op.f,
      key: String(op.key),
      invokeNs: open.invokeNs,
      completeNs,
      maelstromType: completion.maelstromType,
      ...(completion.error === undefined ? {} : { error: completion.error }),
      ...(completion.exception === undefined ? {} : { exception: completion.exception }),
    });
  }

  /** A nemesis event (`process: "nemesis"`, type info, as Jepsen records them). */
  nemesis(f: string, value: unknown): void {
    this.history.nemesis(f, value);
  }
}
