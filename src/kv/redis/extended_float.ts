/**
 * The x87 80-bit `long double` that Redis's HINCRBYFLOAT computes with, in software (BigInt), so
 * every replica answers as Redis does on x86-64, byte for byte: 10.5 + 0.1 is "10.6" (a 64-bit
 * significand), and 1e308 + 1e308 is a 309-digit number rather than an overflow.
 *
 * - `parseLongDouble` reads text as Redis's `string2ld` does (glibc `strtold`: decimal, hex
 *   `0x1.8p3`, `inf`/`infinity`; no leading space, nothing left over, NaN refused, a value that
 *   overflows or underflows to zero refused), rounding to nearest, ties to even.
 * - `addLongDouble` rounds the exact sum once, as the FPU does.
 * - `formatLongDoubleHuman` is `ld2string(..., LD_STR_HUMAN)`: `%.17Lf` with trailing zeros (and a
 *   bare '.') removed, and "-0" written "0".
 *
 * A finite value is `sign * m * 2^e` with `m < 2^64`; normal values have `m >= 2^63`.
 */

export type LongDouble =
  | { readonly kind: "finite"; readonly negative: boolean; readonly m: bigint; readonly e: number }
  | { readonly kind: "inf"; readonly negative: boolean };

/** Redis's MAX_LONG_DOUBLE_CHARS: longer text is never a float. */
export const LONG_DOUBLE_TEXT_MAX = 5 * 1024;

const SIGNIFICAND_BITS = 64;
/** Smallest exponent of the last significand bit (subnormals): 2^-16445. */
const E_MIN = -16382 - 63;
/** Largest exponent of the last significand bit: values stay below 2^16384. */
const E_MAX = 16384 - 64;
/** Beyond this decimal exponent (4x for hex's binary one) a non-zero value surely overflows or underflows. */
const DECIMAL_EXP_LIMIT = 20_000;

const DECIMAL = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^([+-]?)(?:inf|infinity)$/i;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** num / den (both > 0) rounded to nearest, ties to even. */
function divRound(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** The long double nearest to `num / den` (num >= 0, den > 0). */
function roundRational(negative: boolean, num: bigint, den: bigint): LongDouble {
  if (num === 0n) return { kind: "finite", negative, m: 0n, e: 0 };
  // Choose e so that num / den / 2^e lies in [2^63, 2^64).
  let e = bitLength(num) - bitLength(den) - SIGNIFICAND_BITS;
  const scaledAt = (exp: number): [bigint, bigint] =>
    exp >= 0 ? [num, den << BigInt(exp)] : [num << BigInt(-exp), den];
  for (;;) {
    const [n, d] = scaledAt(e);
    if (n >= d << 64n) e++;
    else if (n < d << 63n) e--;
    else break;
  }
  if (e < E_MIN) e = E_MIN;
  const [n, d] = scaledAt(e);
  let m = divRound(n, d);
  if (m === 1n << 64n) {
    m >>= 1n;
    e++;
  }
  if (e > E_MAX) return { kind: "inf", negative };
  return { kind: "finite", negative, m, e };
}

function isZero(value: LongDouble): boolean {
  return value.kind === "finite" && value.m === 0n;
}

/** A value read as Redis's string2ld reads it, or null when Redis refuses it. */
export function parseLongDouble(text: string): LongDouble | null {
  if (text.length === 0 || text.length >= LONG_DOUBLE_TEXT_MAX) return null;
  const inf = INFINITY.exec(text);
  if (inf !== null) return { kind: "inf", negative: inf[1] === "-" };
  const dec = DECIMAL.exec(text);
  const hex = dec === null ? HEX.exec(text) : null;
  const match = dec ?? hex;
  if (match === null) return null;
  const negative = match[1] === "-";
  const intDigits = match[2] ?? "";
  const fracDigits = match[3] ?? match[4] ?? "";
  const digits = (intDigits + fracDigits).replace(/^0+/, "");
  if (digits === "") return { kind: "finite", negative, m: 0n, e: 0 };
  const exp = Number(match[5] ?? "0");
  // Text is under 5120 characters, so beyond these exponents the value surely overflows or
  // underflows (refused either way), and no huge power is ever built.
  const limit = dec !== null ? DECIMAL_EXP_LIMIT : 4 * DECIMAL_EXP_LIMIT;
  if (Math.abs(exp) > limit) return null;
  let value: LongDouble;
  if (dec !== null) {
    const power = exp - fracDigits.length;
    const d = BigInt(digits);
    value = power >= 0
      ? roundRational(negative, d * 10n ** BigInt(power), 1n)
      : roundRational(negative, d, 10n ** BigInt(-power));
  } else {
    const power = exp - 4 * fracDigits.length;
    const d = BigInt(`0x${digits}`);
    value = power >= 0
      ? roundRational(negative, d << BigInt(power), 1n)
      : roundRational(negative, d, 1n << BigInt(-power));
  }
  // strtold's ERANGE: an overflow (HUGE_VAL) or an underflow to zero is refused.
  if (value.kind === "inf" || isZero(value)) return null;
  return value;
}

/** a + b rounded once; infinities propagate (Redis refuses them before and after). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.kind === "inf" || b.kind === "inf") {
    if (a.kind === "inf" && b.kind === "inf" && a.negative !== b.negative) return null; // NaN
    return a.kind === "inf" ? a : b;
  }
  const e = Math.min(a.e, b.e);
  const sa = (a.negative ? -a.m : a.m) << BigInt(a.e - e);
  const sb = (b.negative ? -b.m : b.m) << BigInt(b.e - e);
  const sum = sa + sb;
  if (sum === 0n) {
    // Round to nearest: x + (-x) is +0; -0 + -0 is -0.
    return { kind: "finite", negative: a.negative && b.negative, m: 0n, e: 0 };
  }
  const negative = sum < 0n;
  const magnitude = negative ? -sum : sum;
  return e >= 0
    ? roundRational(negative, magnitude << BigInt(e), 1n)
    : roundRational(negative, magnitude, 1n << BigInt(-e));
}

/** Redis's ld2string(LD_STR_HUMAN). */
export function formatLongDoubleHuman(value: LongDouble): string {
  if (value.kind === "inf") return value.negative ? "-inf" : "inf";
  const scale = 10n ** 17n;
  const scaled = value.e >= 0
    ? (value.m << BigInt(value.e)) * scale
    : divRound(value.m * scale, 1n << BigInt(-value.e));
  const whole = (scaled / scale).toString();
  const fraction = (scaled % scale).toString().padStart(17, "0").replace(/0+$/, "");
  let text = (value.negative ? "-" : "") + whole + (fraction === "" ? "" : `.${fraction}`);
  if (text === "-0") text = "0";
  return text;
}
