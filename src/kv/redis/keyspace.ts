/**
 * The data of the Redis store: 16 numbered databases (SELECT 0-15), each a map from key to a
 * typed value with an optional absolute expiry time and the log index of its last write.
 *
 * Every change goes through a `Db` method (`put`, `remove`, `changed`), so the bookkeeping that
 * other features rely on lives in one place: the modification index (WATCH), the scan index
 * (SCAN cursors), the count of keys with a TTL (INFO keyspace) and the memory estimate (maxmemory).
 *
 * Time: `nowMs` is the replicated time of the entry being applied (or, for a local read, the
 * read's time). A key whose `expiresAtMs <= nowMs` is absent to every lookup; while applying,
 * `lookupForWrite` also removes it (a deterministic lazy delete: every replica applies the same
 * entry with the same stamp). Reads never remove anything.
 *
 * Keys, hash fields and set members are latin1 strings: one char per byte, an exact, cheap,
 * binary-safe map key. `keyOf`/`bytesOf` convert.
 */
import { ListValue } from "./list_value.js";
import { KeyScanIndex } from "./scan_index.js";
import { SortedSet } from "./sorted_set.js";

export type Bytes = Uint8Array;

export type RedisValue =
  | { readonly type: "string"; readonly value: Bytes }
  | { readonly type: "hash"; readonly value: Map<string, Bytes> }
  | { readonly type: "list"; readonly value: ListValue }
  | { readonly type: "set"; readonly value: Set<string> }
  | { readonly type: "zset"; readonly value: SortedSet };

export type RedisType = RedisValue["type"];

/** The JavaScript value held by a key of type `T`. */
export interface ValueByType {
  string: Bytes;
  hash: Map<string, Bytes>;
  list: ListValue;
  set: Set<string>;
  zset: SortedSet;
}
export type ValueOf<T extends RedisType> = ValueByType[T];

export interface KeyEntry {
  value: RedisValue;
  /** Absolute expiry in replicated milliseconds since the epoch, or null (no TTL). */
  expiresAtMs: number | null;
  /** The log index of the last write to this key (WATCH compares it). */
  modifiedIndex: number;
  /** Estimated bytes held by this key (key, value, overhead): INFO memory and maxmemory. */
  bytes: number;
}

export const DATABASES = 16;

/** Fixed per-key overhead in the memory estimate (map slot, entry object). */
export const KEY_OVERHEAD_BYTES = 64;

export function keyOf(bytes: Bytes): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

export function bytesOf(key: string): Buffer {
  return Buffer.from(key, "latin1");
}

/** Estimated bytes of a value (payload plus per-element overhead). */
export function valueBytes(value: RedisValue): number {
  switch (value.type) {
    case "string":
      return value.value.byteLength;
    case "hash": {
      let total = 0;
      for (const [field, v] of value.value) total += field.length + v.byteLength + 16;
      return total;
    }
    case "list":
      return value.value.estimatedBytes();
    case "set": {
      let total = 0;
      for (const member of value.value) total += member.length + 16;
      return total;
    }
    case "zset":
      return value.value.estimatedBytes();
  }
}

export class Db {
  readonly entries = new Map<string, KeyEntry>();
  readonly scanIndex = new KeyScanIndex();
  /** Keys with a TTL (INFO keyspace `expires=`). */
  expiringKeys = 0;
  usedBytes = 0;

  constructor(readonly id: number, private readonly keyspace: Keyspace) {}

  /** The live entry at `key`, or undefined if absent or expired. Never changes anything. */
  lookup(key: string, nowMs: number): KeyEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs !== null && entry.expiresAtMs <= nowMs) return undefined;
    return entry;
  }

  /** As `lookup`, removing an expired key first (apply only: a replicated, deterministic delete). */
  lookupForWrite(key: string, nowMs: number, index: number): KeyEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs !== null && entry.expiresAtMs <= nowMs) {
      this.remove(key, index);
      return undefined;
    }
    return entry;
  }

  /**
   * Stores `value` at `key`, replacing what was there. `expiresAtMs`: an absolute time, null
   * (no TTL), or "keep" to keep the old key's TTL (KEEPTTL, INCR, APPEND, ...).
   */
  put(key: string, value: RedisValue, index: number, expiresAtMs: number | null | "keep"): KeyEntry {
    const old = this.entries.get(key);
    const expiry = expiresAtMs === "keep" ? (old?.expiresAtMs ?? null) : expiresAtMs;
    const bytes = key.length + valueBytes(value) + KEY_OVERHEAD_BYTES;
    if (old === undefined) {
      this.scanIndex.add(key);
    } else {
      this.usedBytes -= old.bytes;
      if (old.expiresAtMs !== null) this.expiringKeys--;
    }
    const entry: KeyEntry = { value, expiresAtMs: expiry, modifiedIndex: index, bytes };
    // Replace in place keeps the key's position in iteration order (Map.set on an existing key).
    this.entries.set(key, entry);
    this.usedBytes += bytes;
    if (expiry !== null) this.expiringKeys++;
    this.keyspace.noteWrite(this.id, key, index);
    return entry;
  }

  /** Removes `key`. @returns whether it existed (expired or not). */
  remove(key: string, index: number): boolean {
    const old = this.entries.get(key);
    if (old === undefined) return false;
    this.entries.delete(key);
    this.scanIndex.delete(key);
    this.usedBytes -= old.bytes;
    if (old.expiresAtMs !== null) this.expiringKeys--;
    this.keyspace.noteWrite(this.id, key, index);
    return true;
  }

  /**
   * Records an in-place change of `entry`'s value (HSET, LPUSH, ...): the modification index and
   * the memory estimate (`deltaBytes`, the change in estimated size). A collection left empty
   * must be removed by the caller (`remove`), as Redis never keeps empty collections.
   */
  changed(key: string, entry: KeyEntry, index: number, deltaBytes: number): void {
    entry.modifiedIndex = index;
    entry.bytes += deltaBytes;
    this.usedBytes += deltaBytes;
    this.keyspace.noteWrite(this.id, key, index);
  }

  /** Sets or clears `entry`'s TTL (EXPIRE, PERSIST). */
  setExpiry(key: string, entry: KeyEntry, expiresAtMs: number | null, index: number): void {
    if (entry.expiresAtMs !== null) this.expiringKeys--;
    entry.expiresAtMs = expiresAtMs;
    if (expiresAtMs !== null) this.expiringKeys++;
    entry.modifiedIndex = index;
    this.keyspace.noteWrite(this.id, key, index);
  }

  /** Removes every key (FLUSHDB). */
  clear(index: number): void {
    for (const key of [...this.entries.keys()]) this.remove(key, index);
  }

  get size(): number {
    return this.entries.size;
  }
}

export class Keyspace {
  readonly dbs: Db[] = [];
  /**
   * The log index of the last write to a key that no longer exists, by `${db}:${key}`; a
   * WATCHed key deleted (or expired, or flushed) after the WATCH aborts the EXEC. Bounded by
   * `transactions.ts`, which owns its pruning (see `watchFloorIndex`).
   */
  readonly removedAt = new Map<string, number>();
  /** Writes at or below this index may have been pruned from `removedAt`. */
  watchFloorIndex = 0;

  constructor() {
    for (let id = 0; id < DATABASES; id++) this.dbs.push(new Db(id, this));
  }

  db(id: number): Db {
    const db = this.dbs[id];
    if (db === undefined) throw new RangeError(`database ${id} out of range`);
    return db;
  }

  /** Called by every Db change; keeps the tombstones WATCH needs for removed keys. */
  noteWrite(db: number, key: string, index: number): void {
    const name = `${db}:${key}`;
    if (this.dbs[db]?.entries.has(key) === true) this.removedAt.delete(name);
    else this.removedAt.set(name, index);
  }

  get usedBytes(): number {
    let total = 0;
    for (const db of this.dbs) total += db.usedBytes;
    return total;
  }

  get size(): number {
    let total = 0;
    for (const db of this.dbs) total += db.size;
    return total;
  }
}
