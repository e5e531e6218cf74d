/**
 * A Redis reply as a value, independent of the protocol version: commands build `Reply`s, the
 * store keeps them as results of applied entries (so a duplicate gets the same answer), and the
 * RESP front end (server/resp/encoder.ts) writes them as RESP2 or RESP3 for the connection that
 * asked. RESP3-only types (`set`, `double`, `verbatim`, `map`) have the RESP2 form Redis uses.
 */

export type Reply =
  | { readonly type: "simple"; readonly text: string }
  /** `text` starts with the error code, e.g. "ERR syntax error" or "WRONGTYPE ...". */
  | { readonly type: "error"; readonly text: string }
  | { readonly type: "integer"; readonly value: bigint | number }
  | { readonly type: "bulk"; readonly value: Uint8Array | string }
  /** RESP2 `$-1`, RESP3 `_`. */
  | { readonly type: "null" }
  /** RESP2 `*-1` (a null array: EXEC aborted by WATCH, BLPOP timeout), RESP3 `_`. */
  | { readonly type: "nullArray" }
  | { readonly type: "array"; readonly items: readonly Reply[] }
  /** RESP3 `~`; an array in RESP2. */
  | { readonly type: "set"; readonly items: readonly Reply[] }
  /** RESP3 `%`; a flat array of alternating keys and values in RESP2. */
  | { readonly type: "map"; readonly entries: readonly (readonly [Reply, Reply])[] }
  /**
   * Pairs as Redis 7 answers WITHSCORES / WITHVALUES (ZRANGE, ZRANDMEMBER, ZPOPMIN with a count):
   * an array of 2-element arrays in RESP3, a flat array of alternating items in RESP2.
   */
  | { readonly type: "pairs"; readonly entries: readonly (readonly [Reply, Reply])[] }
  /** RESP3 `,`; a bulk string in RESP2. `text` is Redis's formatting of the number. */
  | { readonly type: "double"; readonly text: string }
  /** RESP3 `=` with a 3-letter format ("txt"); a bulk string in RESP2 (INFO). */
  | { readonly type: "verbatim"; readonly format: string; readonly text: string };

export type ProtocolVersion = 2 | 3;

export const OK: Reply = { type: "simple", text: "OK" };
export const NULL: Reply = { type: "null" };
export const NULL_ARRAY: Reply = { type: "nullArray" };

export function simple(text: string): Reply {
  return { type: "simple", text };
}

export function error(text: string): Reply {
  return { type: "error", text };
}

export function integer(value: bigint | number): Reply {
  return { type: "integer", value };
}

export function bulk(value: Uint8Array | string): Reply {
  return { type: "bulk", value };
}

export function array(items: readonly Reply[]): Reply {
  return { type: "array", items };
}

export function set(items: readonly Reply[]): Reply {
  return { type: "set", items };
}

export function double(text: string): Reply {
  return { type: "double", text };
}

export function verbatim(text: string, format = "txt"): Reply {
  return { type: "verbatim", format, text };
}

/** A map whose keys are bulk strings, the common case (HELLO, COMMAND DOCS). */
export function map(entries: readonly (readonly [string, Reply])[]): Reply {
  return { type: "map", entries: entries.map(([key, value]) => [bulk(key), value] as const) };
}

/** A map with any keys (HGETALL, CONFIG GET). */
export function mapOf(entries: readonly (readonly [Reply, Reply])[]): Reply {
  return { type: "map", entries };
}

/** Pairs: nested 2-element arrays in RESP3, one flat array in RESP2 (ZRANGE ... WITHSCORES). */
export function pairs(entries: readonly (readonly [Reply, Reply])[]): Reply {
  return { type: "pairs", entries };
}

export function isError(reply: Reply): reply is Extract<Reply, { type: "error" }> {
  return reply.type === "error";
}
