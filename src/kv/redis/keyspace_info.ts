/**
 * What INFO keyspace and INFO memory show of a keyspace: each non-empty database's key count and
 * how many of its keys have a TTL, and the memory estimate. Read from the applied state.
 */
import type { Keyspace } from "./keyspace.js";

export interface KeyspaceInfo {
  /** Every non-empty database, in order: its keys and how many of them have a TTL. */
  readonly dbs: readonly { readonly db: number; readonly keys: number; readonly expires: number }[];
  /** The store's estimate of the bytes its keys and values hold. */
  readonly usedBytes: number;
  /** The store-wide memory limit in bytes; 0: none. */
  readonly maxBytes: number;
}

export function keyspaceInfoOf(keyspace: Keyspace, maxBytes = 0): KeyspaceInfo {
  return {
    dbs: keyspace.dbs.filter((db) => db.size > 0)
      .map((db) => ({ db: db.id, keys: db.size, expires: db.expiringKeys })),
    usedBytes: keyspace.usedBytes,
    maxBytes,
  };
}
