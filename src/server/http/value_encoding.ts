/**
 * How the HTTP API carries binary-safe values in JSON. A value travels as `value` plus
 * `encoding`: "utf8" (the default; the string's UTF-8 bytes) or "base64" (standard alphabet,
 * padded). Responses use "utf8" when the stored bytes are valid UTF-8, else "base64"; a client
 * may ask for base64 always with `?encoding=base64`. Keys are the URL path segment, decoded from
 * percent-encoding, as UTF-8 bytes.
 */
import { isUtf8 } from "node:buffer";

export type ValueEncoding = "utf8" | "base64";

export interface EncodedValue {
  readonly value: string;
  readonly encoding: ValueEncoding;
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Thrown for a value whose text does not match its declared encoding. */
export class ValueEncodingError extends Error {
  override readonly name = "ValueEncodingError";
  readonly code = "BAD_REQUEST";
}

/** @throws ValueEncodingError if `text` is not valid in `encoding`. */
export function decodeValue(text: string, encoding: ValueEncoding = "utf8"): Buffer {
  if (encoding === "utf8") return Buffer.from(text, "utf8");
  if (!base64Pattern.test(text)) {
    throw new ValueEncodingError("The value is not valid base64 (standard alphabet, padded)");
  }
  return Buffer.from(text, "base64");
}

export function encodeValue(bytes: Uint8Array, forced?: ValueEncoding): EncodedValue {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const encoding = forced ?? (isUtf8(buffer) ? "utf8" : "base64");
  return { value: buffer.toString(encoding), encoding };
}

export function keyBytes(key: string): Buffer {
  return Buffer.from(key, "utf8");
}

const base64UrlPattern = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/;

/**
 * A key from the `/v1/kv-b64/` routes: base64url (RFC 4648 §5), padding optional.
 * @throws ValueEncodingError if `text` is not base64url or names the empty key.
 */
export function decodeBase64UrlKey(text: string): Buffer {
  if (text === "" || !base64UrlPattern.test(text)) {
    throw new ValueEncodingError("The key is not valid base64url (RFC 4648 §5: A-Z a-z 0-9 - _)");
  }
  return Buffer.from(text, "base64url");
}
