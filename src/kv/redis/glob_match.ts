/**
 * Redis's glob patterns (stringmatchlen): `*`, `?`, `[abc]`, `[^a-z]`, `\x`, on latin1 strings
 * (one char per byte). Compiled to single-character tokens and matched with the classic
 * backtrack-to-the-last-star walk: linear memory, no recursion.
 */
type Token = { kind: "star" } | { kind: "one"; test: (c: string) => boolean };

function compile(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === "*") {
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
    } else if (c === "?") {
      tokens.push({ kind: "one", test: () => true });
    } else if (c === "[") {
      const negate = pattern.charAt(i + 1) === "^";
      if (negate) i++;
      const tests: ((ch: string) => boolean)[] = [];
      for (i++; i < pattern.length; i++) {
        const p = pattern.charAt(i);
        if (p === "\\" && i + 1 < pattern.length) {
          const literal = pattern.charAt(++i);
          tests.push((ch) => ch === literal);
        } else if (p === "]") {
          break;
        } else if (pattern.charAt(i + 1) === "-" && i + 2 < pattern.length) {
          let lo = p;
          let hi = pattern.charAt(i + 2);
          if (lo > hi) [lo, hi] = [hi, lo];
          const [a, b] = [lo, hi];
          tests.push((ch) => ch >= a && ch <= b);
          i += 2;
        } else {
          tests.push((ch) => ch === p);
        }
      }
      tokens.push({ kind: "one", test: (ch) => tests.some((t) => t(ch)) !== negate });
    } else if (c === "\\" && i + 1 < pattern.length) {
      const literal = pattern.charAt(++i);
      tokens.push({ kind: "one", test: (ch) => ch === literal });
    } else {
      tokens.push({ kind: "one", test: (ch) => ch === c });
    }
  }
  return tokens;
}

/** Whether `text` matches the Redis glob `pattern` (case-sensitive). */
export function globMatches(pattern: string, text: string): boolean {
  const tokens = compile(pattern);
  let t = 0;
  let s = 0;
  let starToken = -1;
  let starText = 0;
  while (s < text.length) {
    const token = tokens[t];
    if (token?.kind === "one" && token.test(text.charAt(s))) {
      t++;
      s++;
    } else if (token?.kind === "star") {
      starToken = t++;
      starText = s;
    } else if (starToken >= 0) {
      t = starToken + 1;
      s = ++starText;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === "star") t++;
  return t === tokens.length;
}
