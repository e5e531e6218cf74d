/**
 * Pairs each client invocation with its completion to form operations (history-format.md,
 * "What each completion means"). A process has at most one operation open; an invocation that
 * is never completed counts as `info`. Nemesis lines and lines whose `f` is not read, write or
 * cas are skipped.
 */
import type { CompletionType, HistoryEvent } from "./history.js";
import { HistoryFormatError } from "./history_format_error.js";

export type OpKind = "read" | "write" | "cas";

/** One client operation: an invocation and its completion (or none). */
export interface Operation {
  /** Position among the history's operations, in invocation order. */
  readonly id: number;
  readonly process: number;
  readonly f: OpKind;
  readonly key: string;
  /** read: the value returned (null when not `ok`); write: the value; cas: `[from, to]`. */
  readonly value: unknown;
  readonly outcome: CompletionType;
  readonly invokeTime: number;
  /** Index of the invocation event: breaks ties between equal times by history order. */
  readonly invokeSeq: number;
  /** Completion time; null when the outcome is `info` (pending forever) or never completed. */
  readonly completeTime: number | null;
  readonly completeSeq: number;
}

interface OpenInvoke {
  readonly event: HistoryEvent;
  readonly f: OpKind;
  readonly key: string;
  readonly index: number;
  readonly id: number;
}

function isOpKind(f: string): f is OpKind {
  return f === "read" || f === "write" || f === "cas";
}

function checkInvoke(event: HistoryEvent, f: OpKind, line: number): string {
  if (typeof event.key !== "string") {
    throw new HistoryFormatError(line, `${f} invocation needs a string "key"`);
  }
  if (f === "write" && event.value === undefined) {
    throw new HistoryFormatError(line, `write invocation needs a "value"`);
  }
  if (f === "cas" && !(Array.isArray(event.value) && event.value.length === 2)) {
    throw new HistoryFormatError(line, `cas invocation needs "value": [from, to]`);
  }
  return event.key;
}

function checkCompletion(open: OpenInvoke, event: HistoryEvent, line: number): void {
  const bad = (reason: string): HistoryFormatError => new HistoryFormatError(line, reason);
  if (event.f !== open.f) {
    throw bad(`completion f "${event.f}" differs from its invocation's "${open.f}"`);
  }
  if (event.key !== undefined && event.key !== open.key) {
    throw bad(`completion key "${event.key}" differs from its invocation's "${open.key}"`);
  }
  if (event.time < open.event.time) {
    throw bad(`completion time ${event.time} is before its invocation's ${open.event.time}`);
  }
  if (event.type === "ok" && open.f === "read" && event.value === undefined) {
    throw bad(`read completion "ok" needs the "value" it returned (null = absent)`);
  }
}

function toOperation(
  open: OpenInvoke,
  completion: HistoryEvent | null,
  completeSeq: number,
): Operation {
  const outcome = completion === null ? "info" : (completion.type as CompletionType);
  const isRead = open.f === "read";
  return {
    id: open.id,
    process: open.event.process as number,
    f: open.f,
    key: open.key,
    value: isRead ? (outcome === "ok" ? completion?.value : null) : open.event.value,
    outcome,
    invokeTime: open.event.time,
    invokeSeq: open.index,
    completeTime: outcome === "info" || completion === null ? null : completion.time,
    completeSeq,
  };
}

/**
 * Pairs invocations with completions.
 * @param lineOf maps an event's index to the line number an error should name.
 * @throws HistoryFormatError for a process with two invocations open at once, a completion with
 *   no open invocation, a completion that does not match its invocation, or a malformed op value.
 */
export function collectOperations(
  events: readonly HistoryEvent[],
  lineOf: (index: number) => number = (index) => index + 1,
): Operation[] {
  const open = new Map<number, OpenInvoke>();
  const slots: (Operation | undefined)[] = [];
  for (let index = 0; index < events.length; index++) {
    const event = events[index];
    if (event === undefined || event.process === "nemesis" || !isOpKind(event.f)) continue;
    const line = lineOf(index);
    const previous = open.get(event.process);
    if (event.type === "invoke") {
      if (previous !== undefined) {
        throw new HistoryFormatError(
          line,
          `process ${event.process} invoked ${event.f} while its ${previous.f} ` +
            `from line ${lineOf(previous.index)} is still open`,
        );
      }
      const key = checkInvoke(event, event.f, line);
      open.set(event.process, { event, f: event.f, key, index, id: slots.length });
      slots.push(undefined);
      continue;
    }
    if (previous === undefined) {
      throw new HistoryFormatError(
        line,
        `completion "${event.type}" of ${event.f} for process ${event.process} ` +
          "has no open invocation",
      );
    }
    checkCompletion(previous, event, line);
    open.delete(event.process);
    slots[previous.id] = toOperation(previous, event, index);
  }
  for (const pending of open.values()) {
    slots[pending.id] = toOperation(pending, null, events.length);
  }
  return slots.map((op, id) => {
    if (op === undefined) throw new Error(`operation ${id} was never built`);
    return op;
  });
}
