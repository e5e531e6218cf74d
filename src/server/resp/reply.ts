/**
 * A reply as a value, independent of the protocol version: command handlers build `Reply`s and
 * `encoder.ts` writes them as RESP2 or RESP3 for the connection that asked. Keeping the two apart
 * lets a pipelined reply be encoded with the protocol that was in force when its command ran,
 * even if a later HELLO changed it.
 */

export type Reply =
  | { readonly type: "simple"; readonly text: string }
  /** `text` starts with the error code, e.g. "ERR syntax error" or "TRYAGAIN no leader". */
  | { readonly type: "error"; readonly text: string }
  | { readonly type: "integer"; readonly value: bigint | number }
  | { readonly type: "bulk"; readonly value: Uint8Array | string }
  /** RESP2 `$-1`, RESP3 `_`. */
  | { readonly type: "null" }
  | { readonly type: "array"; readonly items: readonly Reply[] }
  /** RESP3 `%`; a flat array of alternating keys and values in RESP2. */
  | { readonly type: "map"; readonly entries: readonly (readonly [Reply, Reply])[] };

export type ProtocolVersion = 2 | 3;

export const OK: Reply = { type: "simple", text: "OK" };
export const NULL: Reply = { type: "null" };

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

/** A map whose keys are bulk strings, the common case (HELLO, COMMAND DOCS). */
export function map(entries: readonly (readonly [string, Reply])[]): Reply {
  return { type: "map", entries: entries.map(([key, value]) => [bulk(key), value] as const) };
}
