/**
 * CONFIG GET / SET of the encoding thresholds (hash-max-listpack-entries, ...): their names and
 * aliases, Redis 7.0's parsing (string2ll for integers, memtoull for memory values), ranges and
 * error texts. The values live in kv's encoding settings, which only OBJECT ENCODING reads.
 */
import { encodingSettings, type EncodingSettings } from "../../kv/redis/encoding_settings.js";

type Kind = "int" | "size" | "memory";

interface Parameter {
  readonly setting: keyof EncodingSettings;
  readonly kind: Kind;
}

const LONG_MAX = 2n ** 63n - 1n;
const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;

const hashEntries: Parameter = { setting: "hashMaxListpackEntries", kind: "size" };
const hashValue: Parameter = { setting: "hashMaxListpackValue", kind: "memory" };
const zsetEntries: Parameter = { setting: "zsetMaxListpackEntries", kind: "size" };
const zsetValue: Parameter = { setting: "zsetMaxListpackValue", kind: "memory" };
const listSize: Parameter = { setting: "listMaxListpackSize", kind: "int" };

/** Every name CONFIG GET lists (aliases too, as Redis 7.0 does), in CONFIG GET's order here. */
export const ENCODING_PARAMETERS: ReadonlyMap<string, Parameter> = new Map<string, Parameter>([
  ["list-max-listpack-size", listSize],
  ["list-max-ziplist-size", listSize],
  ["list-compress-depth", { setting: "listCompressDepth", kind: "int" }],
  ["hash-max-listpack-entries", hashEntries],
  ["hash-max-listpack-value", hashValue],
  ["hash-max-ziplist-entries", hashEntries],
  ["hash-max-ziplist-value", hashValue],
  ["set-max-intset-entries", { setting: "setMaxIntsetEntries", kind: "size" }],
  ["zset-max-listpack-entries", zsetEntries],
  ["zset-max-listpack-value", zsetValue],
  ["zset-max-ziplist-entries", zsetEntries],
  ["zset-max-ziplist-value", zsetValue],
]);

const MEMORY_UNITS: Readonly<Record<string, bigint>> = {
  "": 1n, b: 1n, k: 1000n, kb: 1024n, m: 1_000_000n, mb: 1024n * 1024n, g: 1_000_000_000n, gb: 1024n ** 3n,
};

function parse(kind: Kind, text: string): bigint | string {
  if (kind === "memory") {
    const match = /^([0-9]*)([a-z]*)$/i.exec(text);
    const unit = MEMORY_UNITS[match?.[2]?.toLowerCase() ?? "?"];
    if (match === null || unit === undefined) return "argument must be a memory value";
    return BigInt(match[1] === "" ? "0" : (match[1] ?? "0")) * unit;
  }
  const int64 = /^(0|-?[1-9][0-9]{0,18})$/.test(text) ? BigInt(text) : null;
  if (int64 === null || int64 > LONG_MAX || int64 < -LONG_MAX - 1n) return "argument couldn't be parsed into an integer";
  return int64;
}

/** The value CONFIG GET reports for `name` (one of ENCODING_PARAMETERS). */
export function encodingValue(name: string): string | undefined {
  const parameter = ENCODING_PARAMETERS.get(name);
  return parameter === undefined ? undefined : String(encodingSettings[parameter.setting]);
}

/**
 * Validates `text` for `name` as Redis 7.0 does: the new value, or the reason (Redis's text after
 * "CONFIG SET failed (possibly related to argument '...') - ").
 */
export function parseEncodingValue(name: string, text: string): { value: number } | { why: string } | undefined {
  const parameter = ENCODING_PARAMETERS.get(name);
  if (parameter === undefined) return undefined;
  const value = parse(parameter.kind, text);
  if (typeof value === "string") return { why: value };
  const [min, max] = parameter.setting === "listMaxListpackSize" ? [INT_MIN, INT_MAX]
    : parameter.setting === "listCompressDepth" ? [0n, INT_MAX] : [0n, LONG_MAX];
  if (value < min || value > max) return { why: `argument must be between ${String(min)} and ${String(max)} inclusive` };
  return { value: Number(value) };
}

/** Applies a value `parseEncodingValue` accepted. */
export function setEncodingValue(name: string, value: number): void {
  const parameter = ENCODING_PARAMETERS.get(name);
  if (parameter !== undefined) encodingSettings[parameter.setting] = value;
}
