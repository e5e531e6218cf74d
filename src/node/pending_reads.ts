/**
 * Read barriers waiting on this node (§6.4). Each gets a unique context; the core answers with
 * a ReadState (index, context) once the leader confirmed its leadership with a quorum round,
 * and the barrier is released once this node's applied index reaches that index. Reads change
 * nothing, so a timeout is a definite failure.
 */
import { assert, type LogIndex } from "../core/index.js";
import { ReadTimeoutError } from "./errors.js";

interface PendingRead {
  readonly context: string;
  readonly deadlineMs: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  index: LogIndex | null;
}

export class PendingReads {
  /** Insertion order is deadline order (every read has the same timeout). */
  private readonly byContext = new Map<string, PendingRead>();

  get size(): number {
    return this.byContext.size;
  }

  add(context: string, deadlineMs: number): Promise<void> {
    assert(!this.byContext.has(context), `read context ${context} registered twice`);
    return new Promise<void>((resolve, reject) => {
      this.byContext.set(context, { context, deadlineMs, resolve, reject, index: null });
    });
  }

  fail(context: string, error: Error): void {
    const read = this.byContext.get(context);
    if (read === undefined) return;
    this.byContext.delete(context);
    read.reject(error);
  }

  /** The core released the read `context` at `index`; unknown contexts (timed out) are ignored. */
  confirmed(context: string, index: LogIndex): void {
    const read = this.byContext.get(context);
    if (read !== undefined && read.index === null) read.index = index;
  }

  /** Resolves every confirmed read whose index this node has applied. */
  release(applied: LogIndex): void {
    for (const read of this.byContext.values()) {
      if (read.index === null || read.index > applied) continue;
      this.byContext.delete(read.context);
      read.resolve();
    }
  }

  expire(nowMs: number, timeoutMs: number): void {
    for (const read of this.byContext.values()) {
      if (read.deadlineMs > nowMs) break;
      this.byContext.delete(read.context);
      read.reject(new ReadTimeoutError(timeoutMs));
    }
  }

  rejectAll(error: () => Error): void {
    for (const read of [...this.byContext.values()]) {
      this.byContext.delete(read.context);
      read.reject(error());
    }
  }
}
