/** The typed error for a history file that cannot be judged (STYLE.md rule 10). */

/** A history that cannot be judged because a line is malformed; `line` is 1-based. */
export class HistoryFormatError extends Error {
  override readonly name = "HistoryFormatError";
  readonly code = "HISTORY_FORMAT";
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`History line ${line}: ${reason}`);
  }
}
