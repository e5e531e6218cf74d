/**
 * Redis's glob matching (util.c stringmatchlen), for CONFIG GET and CLIENT KILL patterns:
 * `*`, `?`, `[abc]`, `[^a-z]`, and `\` escaping the next character. Iterative over `*` with
 * backtracking to the last star only, so it runs in O(pattern x text) at worst.
 */
function classMatches(pattern: string, start: number, ch: string, nocase: boolean):
  { matched: boolean; end: number } {
  let i = start;
  const negate = pattern[i] === "^";
  if (negate) i += 1;
  let matched = false;
  const fold = (c: string): string => (nocase ? c.toLowerCase() : c);
  for (; i < pattern.length && pattern[i] !== "]"; i++) {
    const c = pattern[i] ?? "";
    if (c === "\\" && i + 1 < pattern.length) {
      i += 1;
      if (fold(pattern[i] ?? "") === fold(ch)) matched = true;
    } else if (pattern[i + 1] === "-" && i + 2 < pattern.length && pattern[i + 2] !== "]") {
      let lo = fold(c);
      let hi = fold(pattern[i + 2] ?? "");
      if (lo > hi) [lo, hi] = [hi, lo];
      if (fold(ch) >= lo && fold(ch) <= hi) matched = true;
      i += 2;
    } else if (fold(c) === fold(ch)) {
      matched = true;
    }
  }
  return { matched: negate ? !matched : matched, end: i };
}

export function globMatch(pattern: string, text: string, nocase = false): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  const fold = (c: string): string => (nocase ? c.toLowerCase() : c);
  while (t < text.length) {
    const c = pattern[p];
    let advanced = false;
    if (c === "*") {
      while (pattern[p] === "*") p += 1;
      if (p === pattern.length) return true;
      starP = p;
      starT = t;
      continue;
    }
    if (c === "?") {
      advanced = true;
      p += 1;
    } else if (c === "[") {
      const { matched, end } = classMatches(pattern, p + 1, text[t] ?? "", nocase);
      if (matched) {
        advanced = true;
        p = end + 1;
      }
    } else if (c !== undefined) {
      const literal = c === "\\" && p + 1 < pattern.length ? pattern[p + 1] : c;
      if (fold(literal ?? "") === fold(text[t] ?? "")) {
        advanced = true;
        p += c === "\\" && p + 1 < pattern.length ? 2 : 1;
      }
    }
    if (advanced) {
      t += 1;
    } else if (starP >= 0) {
      p = starP;
      starT += 1;
      t = starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p += 1;
  return p === pattern.length;
}
