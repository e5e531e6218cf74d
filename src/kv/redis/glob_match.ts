/**
 * Redis's glob patterns (KEYS, SCAN MATCH, HSCAN/SSCAN/ZSCAN MATCH), a port of `stringmatchlen`
 * in Redis 7's util.c so every odd pattern matches as it does there: `*`, `?`, `[abc]`,
 * `[^abc]`, `[a-z]` (reversed ranges too, bytes compared as C's signed chars), `\` escapes, an
 * unclosed `[` and a trailing `\` taken literally. Patterns and subjects are bytes (latin1
 * strings: one char per byte). Nesting is bounded like Redis's (1000 levels of `*`).
 */

/** C's `char` on x86-64 is signed: a byte >= 0x80 compares below 'a'. */
function signedByte(code: number): number {
  return code >= 0x80 ? code - 0x100 : code;
}

const NESTING_MAX = 1000;

/** Whether `subject` matches the glob `pattern` (both latin1 strings), as Redis decides. */
export function globMatch(pattern: string, subject: string): boolean {
  return matchFrom(pattern, 0, subject, 0, { skipLonger: false }, 0);
}

function matchFrom(
  pattern: string, patternStart: number, subject: string, subjectStart: number,
  state: { skipLonger: boolean }, nesting: number,
): boolean {
  if (nesting > NESTING_MAX) return false;
  let p = patternStart;
  let s = subjectStart;
  // Beyond the end reads as C's terminating NUL (0), as the original does.
  const pat = (i: number): number => (i < pattern.length ? pattern.charCodeAt(i) : 0);
  while (p < pattern.length && s < subject.length) {
    const c = pat(p);
    if (c === 0x2a /* * */) {
      while (p + 1 < pattern.length && pat(p + 1) === 0x2a) p++;
      if (p + 1 === pattern.length) return true;
      while (s < subject.length) {
        if (matchFrom(pattern, p + 1, subject, s, state, nesting + 1)) return true;
        if (state.skipLonger) return false;
        s++;
      }
      // No match for the rest anywhere in the rest of the subject: earlier stars cannot help.
      state.skipLonger = true;
      return false;
    } else if (c === 0x3f /* ? */) {
      s++;
    } else if (c === 0x5b /* [ */) {
      p++;
      const not = pat(p) === 0x5e; /* ^ */
      if (not) p++;
      let match = false;
      const sc = subject.charCodeAt(s);
      for (;;) {
        const left = pattern.length - p;
        if (pat(p) === 0x5c /* \ */ && left >= 2) {
          p++;
          if (pat(p) === sc) match = true;
        } else if (pat(p) === 0x5d /* ] */ && left > 0) {
          break;
        } else if (left <= 0) {
          p--; // an unclosed class: the loop's p++ below lands on the end
          break;
        } else if (left >= 3 && pat(p + 1) === 0x2d /* - */) {
          let start = signedByte(pat(p));
          let end = signedByte(pat(p + 2));
          if (start > end) [start, end] = [end, start];
          const ch = signedByte(sc);
          p += 2;
          if (ch >= start && ch <= end) match = true;
        } else if (pat(p) === sc) {
          match = true;
        }
        p++;
      }
      if (not) match = !match;
      if (!match) return false;
      s++;
    } else {
      if (c === 0x5c /* \ */ && pattern.length - p >= 2) p++;
      if (pat(p) !== subject.charCodeAt(s)) return false;
      s++;
    }
    p++;
    if (s === subject.length) {
      while (p < pattern.length && pat(p) === 0x2a) p++;
      break;
    }
  }
  return p >= pattern.length && s === subject.length;
}
