/**
 * Sorted-set scores as Redis 7.0 reads and writes them: `strtod` parsing (with its checks in
 * getDoubleFromObject and zslParseRange), "%.17g" formatting (addReplyDouble, d2string) and the
 * score and lex range items of ZRANGEBYSCORE / ZRANGEBYLEX.
 */
import { fail, NOT_FLOAT } from "./command.js";
import type { Bytes } from "./keyspace.js";
import { error, type Reply } from "./reply.js";

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/;
const INFINITY = /^[+-]?inf(?:inity)?/i;
const HEX = /^[+-]?0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?/i;

interface Strtod {
  value: number;
  /** How many characters strtod consumed (0: no number). */
  used: number;
  /** ERANGE: the value overflowed to ±inf or underflowed to 0. */
  range: boolean;
}

/** C's strtod on `text` (decimal, hex and infinity forms; NaN is reported as NaN). */
function strtod(text: string): Strtod {
  let start = 0;
  while (start < text.length && " \t\n\v\f\r".includes(text.charAt(start))) start++;
  const rest = text.slice(start);
  if (/^[+-]?nan/i.test(rest)) return { value: NaN, used: start + (/^[+-]/.test(rest) ? 4 : 3), range: false };
  const inf = INFINITY.exec(rest);
  if (inf !== null) {
    return { value: inf[0].startsWith("-") ? -Infinity : Infinity, used: start + inf[0].length, range: false };
  }
  const hex = HEX.exec(rest);
  if (hex !== null) return { value: hexValue(hex[0]), used: start + hex[0].length, range: false };
  const dec = DECIMAL.exec(rest);
  if (dec === null) return { value: 0, used: 0, range: false };
  const value = Number(dec[0]);
  const mantissa = (/^[+-]?([0-9.]*)/.exec(dec[0])?.[1] ?? "").replace(".", "");
  const range = !Number.isFinite(value) || (value === 0 && /[1-9]/.test(mantissa));
  return { value, used: start + dec[0].length, range };
}

function hexValue(text: string): number {
  const negative = text.startsWith("-");
  const body = text.replace(/^[+-]?0x/i, "");
  const [digits = "", exp = "0"] = body.split(/p/i);
  const [whole = "", frac = ""] = digits.split(".");
  let value = 0;
  for (const c of whole + frac) value = value * 16 + parseInt(c, 16);
  value *= 2 ** (Number(exp) - 4 * frac.length);
  return negative ? -value : value;
}

/**
 * A score argument as getDoubleFromObject reads it: the whole text is one number, no leading
 * space, no overflow or underflow to zero, not NaN. -0 reads as 0 (as Redis stores it).
 * @throws CommandError `reply` (default "ERR value is not a valid float").
 */
export function scoreArg(value: Bytes, reply: Reply = NOT_FLOAT): number {
  const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1");
  if (text.length === 0 || " \t\n\v\f\r".includes(text.charAt(0))) fail(reply);
  const parsed = strtod(text);
  if (parsed.used !== text.length || parsed.range || Number.isNaN(parsed.value)) fail(reply);
  return parsed.value + 0;
}

/** A score as Redis 7.0 replies it (addReplyDouble): "%.17g", "inf", "-inf". */
export function formatScore(score: number): string {
  if (score === Infinity) return "inf";
  if (score === -Infinity) return "-inf";
  if (Number.isNaN(score)) return "nan";
  if (score === 0) return Object.is(score, -0) ? "-0" : "0";
  const exponential = score.toExponential(16);
  const exponent = Number(exponential.slice(exponential.indexOf("e") + 1));
  if (exponent < -4 || exponent >= 17) {
    const [mantissa = "", exp = ""] = exponential.split("e");
    const digits = mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
    const sign = exp.startsWith("-") ? "-" : "+";
    const magnitude = exp.replace(/^[+-]/, "");
    return `${digits}e${sign}${magnitude.padStart(2, "0")}`;
  }
  const fixed = score.toFixed(16 - exponent);
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

const D2STRING_INTEGER_MAX = 2 ** 62;

/**
 * A score as Redis 7.0's d2string writes it (ZSCAN, and scores kept as text): an integral
 * value within ±2^62 in integer form, anything else as `formatScore`.
 */
export function scoreText(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= D2STRING_INTEGER_MAX && score !== 0) {
    return BigInt(score).toString();
  }
  return formatScore(score);
}

export interface ScoreRange {
  readonly min: number;
  readonly max: number;
  readonly minExclusive: boolean;
  readonly maxExclusive: boolean;
}

const NOT_FLOAT_RANGE = error("ERR min or max is not a float");

function rangeItem(value: Bytes): [number, boolean] {
  const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1");
  const exclusive = text.startsWith("(");
  const body = exclusive ? text.slice(1) : text;
  const parsed = strtod(body);
  // zslParseRange: strtod must consume everything (an empty item reads as 0) and not give NaN.
  if (parsed.used !== body.length && !(parsed.used === 0 && body.length === 0)) fail(NOT_FLOAT_RANGE);
  if (Number.isNaN(parsed.value)) fail(NOT_FLOAT_RANGE);
  return [parsed.value, exclusive];
}

/** ZRANGEBYSCORE's min and max. @throws CommandError "ERR min or max is not a float". */
export function scoreRangeArg(min: Bytes, max: Bytes): ScoreRange {
  const [lo, minExclusive] = rangeItem(min);
  const [hi, maxExclusive] = rangeItem(max);
  return { min: lo, max: hi, minExclusive, maxExclusive };
}

export function isEmptyScoreRange(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minExclusive || range.maxExclusive));
}

export function scoreAboveMin(score: number, range: ScoreRange): boolean {
  return range.minExclusive ? score > range.min : score >= range.min;
}

export function scoreBelowMax(score: number, range: ScoreRange): boolean {
  return range.maxExclusive ? score < range.max : score <= range.max;
}

/** A lex range bound: "-" (below everything), "+" (above everything), or a member. */
export type LexBound = "-" | "+" | { readonly member: string; readonly exclusive: boolean };

export interface LexRange {
  readonly min: LexBound;
  readonly max: LexBound;
}

const NOT_LEX_RANGE = error("ERR min or max not valid string range item");

function lexItem(value: Bytes): LexBound {
  const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1");
  if (text === "-" || text === "+") return text;
  if (text.startsWith("(")) return { member: text.slice(1), exclusive: true };
  if (text.startsWith("[")) return { member: text.slice(1), exclusive: false };
  return fail(NOT_LEX_RANGE);
}

/** ZRANGEBYLEX's min and max. @throws CommandError "ERR min or max not valid string range item". */
export function lexRangeArg(min: Bytes, max: Bytes): LexRange {
  return { min: lexItem(min), max: lexItem(max) };
}

export function lexAboveMin(member: string, range: LexRange): boolean {
  const min = range.min;
  if (min === "-") return true;
  if (min === "+") return false;
  return min.exclusive ? member > min.member : member >= min.member;
}

export function lexBelowMax(member: string, range: LexRange): boolean {
  const max = range.max;
  if (max === "+") return true;
  if (max === "-") return false;
  return max.exclusive ? member < max.member : member <= max.member;
}

export function isEmptyLexRange(range: LexRange): boolean {
  const { min, max } = range;
  if (min === "+" || max === "-") return true;
  if (min === "-" || max === "+") return false;
  return min.member > max.member || (min.member === max.member && (min.exclusive || max.exclusive));
}
