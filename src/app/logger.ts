/**
 * The process logger: pino, structured JSON by default, human-readable (pino-pretty, in-process
 * and synchronous so nothing is lost on exit) when writing to a terminal or when asked.
 */
import { pino, type Logger } from "pino";
import pretty from "pino-pretty";
import type { LogLevel } from "./config.js";

export type LogFormat = "json" | "pretty";

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Default: pretty when stdout is a terminal. */
  readonly format?: LogFormat | undefined;
  /** Fields on every line (e.g. `{ node: "n1" }`). */
  readonly base?: Record<string, unknown>;
}

export type { Logger };

export function createLogger(options: LoggerOptions): Logger {
  const format = options.format ?? (process.stdout.isTTY ? "pretty" : "json");
  const settings = { level: options.level, base: options.base ?? null };
  if (format === "json") return pino(settings);
  return pino(settings, prettyStream(process.stdout.isTTY));
}

/** pino-pretty writing ONE line per event (fields inline after the message), synchronously. */
export function prettyStream(colorize: boolean, destination?: NodeJS.WritableStream): ReturnType<typeof pretty> {
  return pretty({
    colorize, sync: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname", singleLine: true,
    ...(destination === undefined ? {} : { destination }),
  });
}

/** Parses `--log-format`. @throws RangeError for anything else. */
export function parseLogFormat(text: string | undefined): LogFormat | undefined {
  if (text === undefined || text === "json" || text === "pretty") return text;
  throw new RangeError(`--log-format must be json or pretty, got ${JSON.stringify(text)}`);
}
