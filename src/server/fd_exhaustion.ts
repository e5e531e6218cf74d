/**
 * Running out of file descriptors is loud, once per burst: when `accept` fails with EMFILE (the
 * process's limit) or ENFILE (the system's), Node's listener emits an error and the client is
 * refused. The first such error of a burst is logged with the limit and what to raise; later
 * ones within `burstMs` are only counted, and the count is logged when the next burst starts.
 */
import { readFileSync } from "node:fs";
import type { Logger } from "./logger.js";

/** Errors of `accept` that mean "no descriptor left". */
const exhaustionCodes = new Set(["EMFILE", "ENFILE"]);

/** Whether `error` is an accept failure for lack of descriptors. */
export function isFdExhaustion(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && exhaustionCodes.has(code);
}

/**
 * The soft "Max open files" limit from the text of /proc/self/limits, or null if absent.
 * ("unlimited" reads as null too: then the system-wide table ran out, not ours.)
 */
export function parseOpenFilesLimit(limitsText: string): number | null {
  const line = limitsText.split("\n").find((l) => l.startsWith("Max open files"));
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
  const value = Number(soft);
  return soft !== undefined && Number.isSafeInteger(value) ? value : null;
}

/** This process's open-files limit on Linux; null elsewhere or when unreadable. */
export function openFilesLimit(): number | null {
  try {
    return parseOpenFilesLimit(readFileSync("/proc/self/limits", "utf8"));
  } catch {
    return null;
  }
}

export class FdExhaustionLog {
  readonly #logger: Logger;
  readonly #burstMs: number;
  readonly #now: () => number;
  readonly #limit: () => number | null;
  #burstStartMs = -Infinity;
  #suppressed = 0;

  constructor(logger: Logger, options: {
    burstMs?: number;
    now?: () => number;
    limit?: () => number | null;
  } = {}) {
    this.#logger = logger;
    this.#burstMs = options.burstMs ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
    this.#limit = options.limit ?? openFilesLimit;
  }

  /**
   * Logs or counts `error` if it is descriptor exhaustion.
   * @returns whether it was (the caller handles any other error itself).
   */
  record(error: unknown, frontEnd: string): boolean {
    if (!isFdExhaustion(error)) return false;
    const now = this.#now();
    if (now - this.#burstStartMs < this.#burstMs) {
      this.#suppressed += 1;
      return true;
    }
    const code = (error as { code: string }).code;
    const limit = this.#limit();
    const what = code === "EMFILE"
      ? `this process's open-files limit (ulimit -n: ${limit ?? "unknown"})`
      : "the system-wide file table (fs.file-max)";
    this.#logger.error({
      code, frontEnd, openFilesLimit: limit, refusedSinceLastLog: this.#suppressed,
    }, `Out of file descriptors (${code}): ${frontEnd} connections are being refused. ` +
      `Raise ${what}, e.g. LimitNOFILE= in the systemd unit or ulimit -n before starting, or ` +
      `lower clientsMax / connectionsPerAddressMax`);
    this.#burstStartMs = now;
    this.#suppressed = 0;
    return true;
  }
}
