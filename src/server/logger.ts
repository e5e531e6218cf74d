/**
 * The logging interface the front ends take by injection: the subset of pino's API they use, so
 * a pino logger can be passed as is without this folder importing pino.
 */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** Discards everything; the default when no logger is given. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
