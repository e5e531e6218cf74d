/**
 * Running out of file descriptors is loud, once per burst. On Linux, libuv hides EMFILE from
 * `accept` (it accepts and closes the waiting connections with a reserved descriptor, and Node's
 * listener sees nothing), so `FdWatch` looks for it: while the client connections come within
 * reach of the open-files limit, it counts /proc/self/fd, and at the limit it reports EMFILE.
 * An accept error that does surface (other platforms) is reported the same way. The first
 * report of a burst is logged with the limit and what to raise; later ones within `burstMs` are
 * only counted, and the count is logged when the next burst starts.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Logger } from "../core/logger.js";

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
  /** Read at construction: at exhaustion not even /proc/self/limits can be opened. */
  readonly #limitAtStart: number | null;
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
    this.#limitAtStart = this.#limit();
  }

  /** The open-files limit now, or as read at start when it cannot be read now. */
  get limit(): number | null {
    return this.#limit() ?? this.#limitAtStart;
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
    const limit = this.limit;
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

/** What `FdWatch` reads; injected so tests can feed it. */
export interface FdSources {
  /** Descriptors open now. */
  readonly openCount: () => number;
  /** Client connections open now (cheap: decides whether counting descriptors is worth it). */
  readonly clientCount: () => number;
}

/** Descriptors this process opens besides client sockets: peers, WAL, listeners, stdio. */
const otherDescriptorsMax = 256;

/** Counts this process's open descriptors on Linux. */
function countOpenDescriptors(): number {
  return readdirSync("/proc/self/fd").length;
}

/** See the file comment. */
export class FdWatch {
  readonly #log: FdExhaustionLog;
  readonly #sources: FdSources;
  #timer: NodeJS.Timeout | null = null;

  /** The limit comes from `log` (read when it was created). */
  constructor(log: FdExhaustionLog, sources: Partial<FdSources> & Pick<FdSources, "clientCount">) {
    this.#log = log;
    this.#sources = { openCount: countOpenDescriptors, ...sources };
  }

  /** One check: reports EMFILE when the open descriptors reached the limit. */
  check(frontEnd = "client"): boolean {
    const limit = this.#log.limit;
    if (limit === null || this.#sources.clientCount() + otherDescriptorsMax < limit) return false;
    let open: number;
    try {
      open = this.#sources.openCount();
    } catch (error) {
      if (!isFdExhaustion(error)) throw error;
      open = limit; // not even one descriptor left to list them with
    }
    // libuv keeps one descriptor in reserve for its EMFILE handling.
    if (open < limit - 1) return false;
    this.#log.record(Object.assign(new Error("accept EMFILE"), { code: "EMFILE" }), frontEnd);
    return true;
  }

  /** Checks every `intervalMs` until `stop()` (the timer does not keep the process alive). */
  start(intervalMs = 1000): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => { this.check(); }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
