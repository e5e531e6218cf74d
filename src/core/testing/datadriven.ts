/**
 * The golden-trace file format (etcd-io/raft's `testdata/`, after cockroachdb/datadriven): a
 * script of commands, each followed by `----` and the output it is expected to print, ended by a
 * blank line. Lines starting with `#` and blank lines between cases are kept verbatim, so a file
 * can be rewritten with fresh output without losing its commentary.
 *
 *   # The first node campaigns.
 *   campaign 1
 *   ----
 *   1 campaigns after 12 ticks
 *
 * Output never contains blank lines (an empty output is written as `ok`), which keeps parsing a
 * matter of lines. Pure: reading and writing files is the test's job.
 */

/** One command of a script, its arguments, and the output the file expects. */
export interface GoldenCase {
  /** 1-based line of the command in the file, for error messages. */
  readonly line: number;
  readonly command: string;
  readonly args: readonly GoldenArg[];
  /** The command line as written. */
  readonly text: string;
  readonly expected: string;
  /** Comment and blank lines that preceded the command, kept for rewriting. */
  readonly leading: readonly string[];
}

/** `key=value`, `key=(v1,v2)` or a bare word (then `values` is empty). */
export interface GoldenArg {
  readonly key: string;
  readonly values: readonly string[];
}

export interface GoldenScript {
  readonly cases: readonly GoldenCase[];
  /** Comment and blank lines after the last case. */
  readonly trailing: readonly string[];
}

export class GoldenFormatError extends Error {
  readonly code = "GOLDEN_FORMAT";
  constructor(readonly line: number, reason: string) {
    super(`line ${String(line)}: ${reason}`);
    this.name = "GoldenFormatError";
  }
}

const SEPARATOR = "----";

/** Splits `campaign 1 voters=(1,2,3)` into the command and its arguments. */
export function parseCommandLine(text: string, line = 0): { command: string; args: GoldenArg[] } {
  const words = text.trim().match(/[^\s=]+=\([^)]*\)|\S+/g) ?? [];
  const [command, ...rest] = words;
  if (command === undefined) throw new GoldenFormatError(line, "empty command");
  const args = rest.map((word): GoldenArg => {
    const eq = word.indexOf("=");
    if (eq < 0) return { key: word, values: [] };
    const key = word.slice(0, eq);
    let value = word.slice(eq + 1);
    if (value.startsWith("(") && value.endsWith(")")) value = value.slice(1, -1);
    else if (value.startsWith("(")) throw new GoldenFormatError(line, `unclosed list in ${word}`);
    return { key, values: value === "" ? [] : value.split(",").map((v) => v.trim()) };
  });
  return { command, args };
}

/** Parses a whole golden file. @throws GoldenFormatError on a command without `----`. */
export function parseGolden(source: string): GoldenScript {
  const lines = source.replace(/\n$/, "").split("\n");
  const cases: GoldenCase[] = [];
  let leading: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const text = lines[i] ?? "";
    if (text.trim() === "" || text.startsWith("#")) {
      leading.push(text);
      i++;
      continue;
    }
    const line = i + 1;
    if (lines[i + 1] !== SEPARATOR) {
      throw new GoldenFormatError(line, `expected "${SEPARATOR}" after command "${text}"`);
    }
    i += 2;
    const expected: string[] = [];
    while (i < lines.length && (lines[i] ?? "") !== "") expected.push(lines[i++] ?? "");
    i++; // the blank line that ends the case
    const { command, args } = parseCommandLine(text, line);
    cases.push({ line, command, args, text, expected: expected.join("\n"), leading });
    leading = [];
  }
  return { cases, trailing: leading };
}

/** Writes a script back with each case's output replaced by `outputs[i]`. */
export function formatGolden(script: GoldenScript, outputs: readonly string[]): string {
  const out: string[] = [];
  script.cases.forEach((c, i) => {
    out.push(...c.leading, c.text, SEPARATOR, outputs[i] ?? c.expected, "");
  });
  // Each case already ends with its blank line; drop one blank of the trailing block for it.
  const trailing = script.trailing[0] === "" ? script.trailing.slice(1) : script.trailing;
  out.push(...trailing);
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return `${out.join("\n")}\n`;
}

/**
 * A line diff of `expected` against `actual` (longest common subsequence), in the unified style
 * a maintainer reads: `-` lines only expected, `+` lines only printed, ` ` shared. Empty when equal.
 */
export function diffLines(expected: string, actual: string): string {
  if (expected === actual) return "";
  const a = expected.split("\n");
  const b = actual.split("\n");
  // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = lcs[i] ?? [];
      row[j] = a[i] === b[j]
        ? (lcs[i + 1]?.[j + 1] ?? 0) + 1
        : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i++] ?? ""}`);
      j++;
    } else if (i < a.length && (j >= b.length || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      out.push(`- ${a[i++] ?? ""}`);
    } else {
      out.push(`+ ${b[j++] ?? ""}`);
    }
  }
  return out.join("\n");
}
