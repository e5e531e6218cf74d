/**
 * Client history files (JSON Lines), exactly as docs/history-format.md
 * describes them: one event per line, Jepsen's history model. Parsing checks each line's shape
 * and the pairing of invocations with completions, so that a malformed file is rejected with the
 * line that is wrong instead of being judged.
 */
import { HistoryFormatError } from "./history_format_error.js";
import { collectOperations } from "./operations.js";

export { HistoryFormatError };

export type CompletionType = "ok" | "fail" | "info";

/** One JSONL line. Extra fields (`node`, `error`, ...) are allowed and preserved. */
export interface HistoryEvent {
  readonly process: number | "nemesis";
  readonly type: "invoke" | CompletionType;
  /** "read" | "write" | "cas" for client operations; free-form for nemesis events. */
  readonly f: string;
  readonly key?: string;
  /** read: the value on `ok` (null = absent); write: the value written; cas: `[from, to]`. */
  readonly value?: unknown;
  /** Nanoseconds from one monotonic clock shared by every client of the run. */
  readonly time: number;
  readonly [extra: string]: unknown;
}

const eventTypes: ReadonlySet<string> = new Set(["invoke", "ok", "fail", "info"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks the fields every line must have; the pairing is checked afterwards. */
function toEvent(parsed: unknown, line: number): HistoryEvent {
  if (!isRecord(parsed)) throw new HistoryFormatError(line, "expected a JSON object");
  const { process, type, f, key, time } = parsed;
  if (process !== "nemesis" && !(typeof process === "number" && Number.isSafeInteger(process))) {
    const got = show(process);
    throw new HistoryFormatError(line, `"process" must be an integer or "nemesis", got ${got}`);
  }
  if (typeof type !== "string" || !eventTypes.has(type)) {
    const got = show(type);
    throw new HistoryFormatError(line, `"type" must be invoke, ok, fail or info, got ${got}`);
  }
  if (typeof f !== "string") {
    throw new HistoryFormatError(line, `"f" must be a string, got ${show(f)}`);
  }
  if (typeof time !== "number" || !Number.isFinite(time)) {
    throw new HistoryFormatError(line, `"time" must be a finite number, got ${show(time)}`);
  }
  if (key !== undefined && typeof key !== "string") {
    throw new HistoryFormatError(line, `"key" must be a string, got ${show(key)}`);
  }
  return parsed as HistoryEvent;
}

function show(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

/**
 * Parses a JSONL history. Blank lines are ignored; every other line must be one event.
 * @throws HistoryFormatError naming the 1-based line: not JSON, a missing or mistyped field, a
 *   process with two invocations open at once, a completion with no invocation, a completion
 *   whose `f` or `key` differs from its invocation, a cas whose value is not `[from, to]`.
 */
export function parseHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const lines: number[] = [];
  const rawLines = text.split("\n");
  for (let i = 0; i < rawLines.length; i++) {
    const raw = (rawLines[i] ?? "").trim();
    if (raw === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error: unknown) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new HistoryFormatError(i + 1, `not valid JSON (${detail})`);
    }
    events.push(toEvent(parsed, i + 1));
    lines.push(i + 1);
  }
  // Validates the pairing now, with real line numbers; the checker pairs again for itself.
  collectOperations(events, (index) => lines[index] ?? index + 1);
  return events;
}

/** Formats events as JSONL: one event per line, with a trailing newline (none if empty). */
export function formatHistory(events: readonly HistoryEvent[]): string {
  let out = "";
  for (const event of events) out += JSON.stringify(event) + "\n";
  return out;
}
