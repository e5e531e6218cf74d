/**
 * INCRBYFLOAT's arithmetic as Redis 7 does it on x86-64: the stored text and the increment are
 * read with `strtold` into 80-bit long doubles (64-bit significand), added with one rounding,
 * and the sum is written with `%.17Lf` and trailing zeros trimmed (util.c `ld2string`,
 * LD_STR_HUMAN). JavaScript has no long double, so this module computes exactly with BigInt:
 * a value is sign * m * 2^e with m < 2^64, rounded to nearest-even like the FPU. That is why
 * 10.5 + 0.1 gives "10.6" here as in Redis, where doubles would give "10.59999999999999964".
 */

export type LongDouble =
  | { readonly kind: "finite"; readonly negative: boolean; readonly m: bigint; readonly e: number }
  | { readonly kind: "inf"; readonly negative: boolean }
  | { readonly kind: "nan" };

/** Redis's MAX_LONG_DOUBLE_CHARS: longer texts are not read as numbers. */
export const LONG_DOUBLE_CHARS_MAX = 5 * 1024;

const SIGNIFICAND_BITS = 64;
/** The exponent of the smallest subnormal (2^-16445) and the first overflowing power (2^16384). */
const EXPONENT_MIN = -16445;
const OVERFLOW_BITS = 16384;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds num/den (> 0) * 2^shift to nearest-even: a finite value, or inf, or zero. */
function roundRational(negative: boolean, num: bigint, den: bigint, shift: number): LongDouble {
  if (num === 0n) return { kind: "finite", negative, m: 0n, e: 0 };
  // Choose e so that num/den * 2^(shift - e) lies in [2^63, 2^64).
  let e = shift + bitLength(num) - bitLength(den) - SIGNIFICAND_BITS;
  if (e < EXPONENT_MIN) e = EXPONENT_MIN;
  for (;;) {
    const k = shift - e;
    const top = k >= 0 ? num << BigInt(k) : num;
    const bottom = k >= 0 ? den : den << BigInt(-k);
    let m = top / bottom;
    if (m >= 1n << 64n) {
      e++;
      continue;
    }
    if (m < 1n << 63n && e > EXPONENT_MIN) {
      e--;
      continue;
    }
    const rest = top - m * bottom;
    if (rest * 2n > bottom || (rest * 2n === bottom && (m & 1n) === 1n)) m++;
    if (m === 1n << 64n) {
      m = 1n << 63n;
      e++;
    }
    if (e + SIGNIFICAND_BITS > OVERFLOW_BITS) return { kind: "inf", negative };
    return { kind: "finite", negative, m, e };
  }
}

const decimalPattern = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const hexPattern = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const specialPattern = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * Reads `text` as Redis's getLongDoubleFromObject does (strtold, whole string, no leading
 * space, no NaN, no overflow or underflow to zero). @returns the value, or null when invalid.
 */
export function parseLongDouble(text: string): LongDouble | null {
  if (text.length > LONG_DOUBLE_CHARS_MAX) return null;
  const special = specialPattern.exec(text);
  if (special !== null) {
    if ((special[2] ?? "").toLowerCase() === "nan") return null;
    return { kind: "inf", negative: special[1] === "-" };
  }
  let value: LongDouble;
  const hex = hexPattern.exec(text);
  if (hex !== null) {
    const digits = (hex[2] ?? "") + (hex[3] ?? "") + (hex[4] ?? "");
    const fraction = (hex[3] ?? "").length + (hex[4] ?? "").length;
    const exponent = clampExponent(hex[5]);
    value = roundRational(hex[1] === "-", BigInt(`0x${digits}`), 1n, exponent - 4 * fraction);
  } else {
    const dec = decimalPattern.exec(text);
    if (dec === null) return null;
    const digits = (dec[2] ?? "") + (dec[3] ?? "") + (dec[4] ?? "");
    const exponent = clampExponent(dec[5]) - (dec[3] ?? "").length - (dec[4] ?? "").length;
    const mantissa = BigInt(digits);
    if (mantissa === 0n) return { kind: "finite", negative: dec[1] === "-", m: 0n, e: 0 };
    // Far outside the range: the answer is overflow or underflow, whatever the digits.
    const magnitude = exponent + mantissa.toString().length;
    if (magnitude > 5000 || magnitude < -5000) return null;
    value = exponent >= 0
      ? roundRational(dec[1] === "-", mantissa * 10n ** BigInt(exponent), 1n, 0)
      : roundRational(dec[1] === "-", mantissa, 10n ** BigInt(-exponent), 0);
  }
  // ERANGE: overflow (HUGE_VAL) or a non-zero number rounded to zero.
  if (value.kind === "inf") return null;
  if (value.kind === "finite" && value.m === 0n) return null;
  return value;
}

function clampExponent(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  return Math.max(-100_000, Math.min(100_000, n));
}

/** a + b with one rounding, as the FPU adds long doubles. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === "nan" || b.kind === "nan") return { kind: "nan" };
  if (a.kind === "inf" || b.kind === "inf") {
    if (a.kind === "inf" && b.kind === "inf" && a.negative !== b.negative) return { kind: "nan" };
    return a.kind === "inf" ? a : b;
  }
  const e = Math.min(a.e, b.e);
  const sa = (a.negative ? -a.m : a.m) << BigInt(a.e - e);
  const sb = (b.negative ? -b.m : b.m) << BigInt(b.e - e);
  const sum = sa + sb;
  if (sum === 0n) {
    // Round-to-nearest: x + (-x) is +0; -0 + -0 is -0.
    return { kind: "finite", negative: a.negative && b.negative, m: 0n, e: 0 };
  }
  return roundRational(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
}

/**
 * `%.17Lf` of a finite value with trailing zeros (and a trailing '.') removed, and "-0" written
 * "0", as Redis's ld2string(LD_STR_HUMAN).
 */
export function formatLongDoubleHuman(value: LongDouble): string {
  if (value.kind !== "finite") throw new RangeError("formatLongDoubleHuman: not a finite value");
  // round(m * 2^e * 10^17) to nearest-even, exactly.
  const scaled = value.m * 10n ** 17n;
  let n: bigint;
  if (value.e >= 0) {
    n = scaled << BigInt(value.e);
  } else {
    const den = 1n << BigInt(-value.e);
    n = scaled / den;
    const rest = scaled - n * den;
    if (rest * 2n > den || (rest * 2n === den && (n & 1n) === 1n)) n++;
  }
  const digits = n.toString().padStart(18, "0");
  const whole = digits.slice(0, -17);
  const fraction = digits.slice(-17).replace(/0+$/, "");
  const text = (value.negative ? "-" : "") + whole + (fraction === "" ? "" : `.${fraction}`);
  return text === "-0" ? "0" : text;
}

export function isFinite(value: LongDouble): value is Extract<LongDouble, { kind: "finite" }> {
  return value.kind === "finite";
}
