/**
 * Splits an inline command (`SET "a key" 'x'` typed into telnet) into arguments the way Redis's
 * `sdssplitargs` does: whitespace separates arguments; double quotes allow the escapes
 * \n \r \t \b \a \\ \" and \xHH; single quotes allow \'; a closing quote must be followed by
 * whitespace or the end of the line.
 */

const escapes: Readonly<Record<string, number>> = {
  n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, a: 0x07,
};

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0x0b ||
    byte === 0x0c;
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  const c = String.fromCharCode(byte);
  return /^[0-9a-fA-F]$/.test(c) ? parseInt(c, 16) : -1;
}

/** One quoted argument starting at `line[start]` (the quote); returns its bytes and end. */
function readQuoted(line: Buffer, start: number): { bytes: number[]; end: number } | null {
  const quote = line[start];
  const bytes: number[] = [];
  let i = start + 1;
  while (i < line.length) {
    const c = line[i] ?? 0;
    if (c === quote) {
      // A closing quote must be followed by a space or the end of the line.
      return i + 1 < line.length && !isSpace(line[i + 1]) ? null : { bytes, end: i + 1 };
    }
    if (c === 0x5c && i + 1 < line.length) {
      const next = line[i + 1] ?? 0;
      if (quote === 0x22) {
        const hi = hexValue(line[i + 2]);
        const lo = hexValue(line[i + 3]);
        if (next === 0x78 && hi >= 0 && lo >= 0) {
          bytes.push(hi * 16 + lo);
          i += 4;
          continue;
        }
        bytes.push(escapes[String.fromCharCode(next)] ?? next);
        i += 2;
        continue;
      }
      if (next === 0x27) {
        bytes.push(next);
        i += 2;
        continue;
      }
    }
    bytes.push(c);
    i += 1;
  }
  return null; // unterminated quotes
}

/** @returns the arguments, or null when the quotes are unbalanced. */
export function splitInlineArgs(line: Buffer): Buffer[] | null {
  const args: Buffer[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && isSpace(line[i])) i += 1;
    if (i >= line.length) break;
    const c = line[i];
    if (c === 0x22 || c === 0x27) {
      const quoted = readQuoted(line, i);
      if (quoted === null) return null;
      args.push(Buffer.from(quoted.bytes));
      i = quoted.end;
      continue;
    }
    const start = i;
    while (i < line.length && !isSpace(line[i])) i += 1;
    args.push(Buffer.from(line.subarray(start, i)));
  }
  return args;
}
