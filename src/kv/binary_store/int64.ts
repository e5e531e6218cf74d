/**
 * Signed 64-bit integers stored as decimal text, exactly as Redis parses them for INCRBY
 * (string2ll): optional '-', no '+', no leading zeros, no spaces, no "-0", at most 20 bytes.
 */

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

const DECIMAL = /^(0|-?[1-9][0-9]*)$/;
const TEXT_BYTES_MAX = 20;
const encoder = new TextEncoder();

export function isInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}

/** The integer `bytes` hold as decimal text, or null when they hold none in range. */
export function parseInt64(bytes: Uint8Array): bigint | null {
  if (bytes.byteLength === 0 || bytes.byteLength > TEXT_BYTES_MAX) return null;
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  if (!DECIMAL.test(text)) return null;
  const value = BigInt(text);
  return isInt64(value) ? value : null;
}

export function formatInt64(value: bigint): Uint8Array {
  return encoder.encode(value.toString());
}
