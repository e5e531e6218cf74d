/**
 * `raftkv check FILE`: judges a client history file (history-format.md) for linearizability and
 * reports the verdict through the exit status, as Maelstrom does (0 valid, 1 invalid, 2 unknown),
 * plus 3 when the history cannot be judged at all.
 */
import { readFile } from "node:fs/promises";
import { type Command, InvalidArgumentError } from "commander";
import {
  type CheckedOp,
  type CheckResult,
  checkHistory,
  defaultBudgetSteps,
  HistoryFormatError,
  parseHistory,
} from "../check/index.js";

export const checkExitCodes = {
  linearizable: 0,
  notLinearizable: 1,
  unknown: 2,
  badInput: 3,
} as const;

/** Where the command writes; tests pass their own. */
export interface CheckOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleOutput: CheckOutput = {
  out: (line) => { process.stdout.write(line + "\n"); },
  err: (line) => { process.stderr.write(line + "\n"); },
};

function parseBudget(text: string): number {
  const budget = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(budget) || budget < 1) {
    throw new InvalidArgumentError("expected a positive integer number of search steps");
  }
  return budget;
}

function describeChecked(op: CheckedOp): string {
  const span = op.completeTime === null
    ? `invoked t=${op.invokeTime}, pending`
    : `t=${op.invokeTime}..${op.completeTime}`;
  return `  process ${op.process}: ${op.f} ${JSON.stringify(op.value)} -> ${op.outcome} (${span})`;
}

function report(result: CheckResult, output: CheckOutput, elapsedMs: number): number {
  switch (result.verdict) {
    case "linearizable":
      output.out("linearizable");
      output.err(`${result.ops} ops on ${result.keys} keys checked in ${elapsedMs} ms`);
      return checkExitCodes.linearizable;
    case "not-linearizable":
      output.out("NOT linearizable");
      output.out(`key: ${JSON.stringify(result.key)}`);
      output.out(result.counterexample.explanation);
      output.out("operations (value: read result, write value, or cas [from, to]):");
      for (const op of result.counterexample.ops) output.out(describeChecked(op));
      return checkExitCodes.notLinearizable;
    case "unknown":
      output.out("unknown");
      output.out(result.reason);
      return checkExitCodes.unknown;
  }
}

/**
 * Reads, parses and checks one history file, prints the verdict and returns the exit status.
 * A missing file or a malformed history prints an error naming the file (and line) and returns 3.
 * @throws only what is not a history problem: an AssertionError from the checker is a bug.
 */
export async function runCheck(
  file: string,
  budget: number,
  output: CheckOutput = consoleOutput,
): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error: unknown) {
    const detail = error instanceof Error ? error.message : String(error);
    output.err(`Cannot read history file ${file}: ${detail}`);
    return checkExitCodes.badInput;
  }
  try {
    const started = performance.now();
    const result = checkHistory(parseHistory(text), { budget });
    return report(result, output, Math.round(performance.now() - started));
  } catch (error: unknown) {
    if (!(error instanceof HistoryFormatError)) throw error;
    output.err(`Malformed history file ${file}, line ${error.line}: ${error.reason}`);
    return checkExitCodes.badInput;
  }
}

const exitStatusHelp = `
Exit status:
  0  linearizable
  1  NOT linearizable (the key and a counterexample are printed)
  2  unknown (the search budget ran out)
  3  the file is missing or unreadable, the history is
     malformed (the line is named), or the arguments are invalid`;

/** Registers `raftkv check` on the program. */
export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description("Check a client history file (JSON Lines) for linearizability")
    .argument("<file>", "history file: one JSON event per line, see docs on the history format")
    .option(
      "--budget <steps>",
      "search steps allowed per key before giving up",
      parseBudget,
      defaultBudgetSteps,
    )
    .addHelpText("after", exitStatusHelp)
    // Usage errors must not exit 1, which means "NOT linearizable" here.
    .exitOverride((error) => {
      process.exit(error.exitCode === 0 ? 0 : checkExitCodes.badInput);
    })
    .action(async (file: string, options: { budget: number }) => {
      process.exitCode = await runCheck(file, options.budget);
    });
}
