/**
 * The one logger contract of raftkv: the subset of pino's API every layer writes to, so a pino
 * logger (or a child of one) can be passed as is and no layer below the application imports pino.
 * It lives in the lowest layer because storage and transport, which may import only the core,
 * log too. The core logs only what an operator must see and no caller asked about (a refused
 * campaign at TERM_MAX, a dropped out-of-bounds message, a refused TimeoutNow), through the
 * logger in its config.
 */

/** pino-compatible: `pino()` and `logger.child({...})` satisfy it. */
export interface Logger {
  /** The finest level (payload sizes, timings); a logger without it gets these at debug. */
  trace?(fields: object, message?: string): void;
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  /**
   * Whether lines at `level` are written (pino's). Callers check it before building a line that
   * costs something (per-message debug lines), so a level that is off costs nothing. A logger
   * without it is treated as writing everything.
   */
  isLevelEnabled?(level: string): boolean;
}

/** Whether `logger` writes lines at `level` (true when it cannot tell). */
export function levelEnabled(logger: Logger, level: "trace" | "debug" | "info"): boolean {
  return logger.isLevelEnabled?.(level) ?? true;
}

/** Discards everything; the default wherever a logger is optional. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  isLevelEnabled: () => false,
};
