/**
 * Transactions (MULTI ... EXEC) and WATCH on a replicated log.
 *
 * A transaction is one log entry (store op "multi"): every replica runs its queued commands one
 * after another while applying that entry, all at the entry's stamp and from one seeded random
 * source, so it is atomic and reads inside it see the state at that log position. The front end
 * checks commands when they are queued (unknown command, arity: EXECABORT); errors while running
 * are per-command replies, and the commands after them still run, as in Redis.
 *
 * WATCH: after a read barrier the front end records, per key, the applied index (every write to
 * the key afterwards has a larger index) and whether the key was already expired then. The
 * entry carries that list; applying it aborts (a null array) if a watched key:
 * - exists with `modifiedIndex` above the watch index (written, expiry changed, re-created);
 * - was live at the WATCH and is expired at the entry's time (expiry counts as a write);
 * - was removed after the WATCH (`keyspace.removedAt`, which DEL, expiry and FLUSH* fill),
 *   unless it was already expired at the WATCH (Redis: deleting a stale key changes nothing);
 * - is absent with no tombstone while tombstones above the watch index may have been pruned
 *   (`watchFloorIndex`): a conservative abort.
 * `pruneTombstones` bounds `removedAt` deterministically (insertion order, a fixed maximum).
 */
import { commandName, type ExecContext } from "./command.js";
import type { RedisEngine } from "./engine.js";
import { DATABASES, keyOf, type Bytes, type Keyspace } from "./keyspace.js";
import {
  NULL_ARRAY, OK, array, bulk, error, simple, type Reply,
} from "./reply.js";

/** One WATCHed key as the EXEC entry carries it. */
export interface WatchedKey {
  readonly db: number;
  readonly key: Bytes;
  /** The applied index at the WATCH: every later write to the key has a larger index. */
  readonly index: number;
  /** The key existed but was expired at the WATCH (a stale key). */
  readonly expired: boolean;
}

export interface Transaction {
  readonly db: number;
  readonly stampMs: number;
  readonly seed: number;
  readonly watches: readonly WatchedKey[];
  readonly commands: readonly (readonly Bytes[])[];
}

/** At most this many tombstones are kept for WATCH; the oldest are pruned first. */
export const TOMBSTONES_MAX = 100_000;

/** Connection commands that a transaction runs itself (queued, answered in the EXEC reply). */
export const TRANSACTION_LOCAL_COMMANDS: ReadonlySet<string> = new Set(["ping", "echo", "select"]);

/** What WATCH records for `keys` of database `db`, read at `nowMs` at applied index `index`. */
export function watchKeys(
  keyspace: Keyspace, db: number, keys: readonly Bytes[], at: { nowMs: number; index: number },
): WatchedKey[] {
  const entries = keyspace.db(db).entries;
  return keys.map((key) => {
    const entry = entries.get(keyOf(key));
    const expired = entry?.expiresAtMs !== undefined && entry.expiresAtMs !== null &&
      entry.expiresAtMs <= at.nowMs;
    return { db, key: Uint8Array.from(key), index: at.index, expired };
  });
}

/** Whether `watch`'s key changed since its WATCH, as of the entry time `nowMs`. */
export function isWatchedKeyDirty(keyspace: Keyspace, watch: WatchedKey, nowMs: number): boolean {
  const db = keyspace.dbs[watch.db];
  if (db === undefined) return true;
  const name = keyOf(watch.key);
  const entry = db.entries.get(name);
  if (entry !== undefined) {
    if (entry.modifiedIndex > watch.index) return true;
    // Live at the WATCH, expired now: the expiry is a write.
    return !watch.expired && entry.expiresAtMs !== null && entry.expiresAtMs <= nowMs;
  }
  const removedAt = keyspace.removedAt.get(`${watch.db}:${name}`);
  if (removedAt !== undefined) return removedAt > watch.index && !watch.expired;
  return watch.index < keyspace.watchFloorIndex;
}

/**
 * Applies a transaction at log index `index`: a null array if a watched key changed, else the
 * array of the queued commands' replies. Deterministic; never throws for bad input.
 */
export function applyTransaction(engine: RedisEngine, tx: Transaction, index: number): Reply {
  if (tx.db < 0 || tx.db >= DATABASES) return error("ERR DB index is out of range");
  const ctx = engine.writeContext(tx, index);
  for (const watch of tx.watches) {
    if (isWatchedKeyDirty(engine.keyspace, watch, ctx.nowMs)) return NULL_ARRAY;
  }
  return array(tx.commands.map((argv) => runQueued(engine, ctx, argv)));
}

function runQueued(engine: RedisEngine, ctx: ExecContext, argv: readonly Bytes[]): Reply {
  const name = commandName(argv).toLowerCase();
  const arg1 = argv[1];
  switch (name) {
    case "ping":
      if (argv.length > 2) return error("ERR wrong number of arguments for 'ping' command");
      return arg1 === undefined ? simple("PONG") : bulk(Uint8Array.from(arg1));
    case "echo":
      if (argv.length !== 2 || arg1 === undefined) return error("ERR wrong number of arguments for 'echo' command");
      return bulk(Uint8Array.from(arg1));
    case "select": {
      if (argv.length !== 2) return error("ERR wrong number of arguments for 'select' command");
      const text = Buffer.from(arg1 ?? new Uint8Array()).toString("latin1");
      if (!/^-?[0-9]{1,10}$/.test(text)) return error("ERR value is not an integer or out of range");
      const db = Number(text);
      if (db < 0 || db >= DATABASES) return error("ERR DB index is out of range");
      ctx.db = ctx.keyspace.db(db);
      return OK;
    }
    default:
      return engine.run(ctx, argv);
  }
}

/** The database a transaction leaves its connection in (its last valid SELECT), or `db`. */
export function databaseAfter(db: number, commands: readonly (readonly Bytes[])[]): number {
  let selected = db;
  for (const argv of commands) {
    if (argv.length !== 2 || Buffer.from(argv[0] ?? new Uint8Array()).toString("latin1").toLowerCase() !== "select") continue;
    const text = Buffer.from(argv[1] ?? new Uint8Array()).toString("latin1");
    if (!/^[0-9]{1,10}$/.test(text)) continue;
    const n = Number(text);
    if (n < DATABASES) selected = n;
  }
  return selected;
}

/**
 * Keeps at most `max` tombstones: removes the oldest (in the replicated insertion order) and
 * raises `watchFloorIndex` past them, so a WATCH older than a pruned removal aborts.
 */
export function pruneTombstones(keyspace: Keyspace, max = TOMBSTONES_MAX): void {
  if (keyspace.removedAt.size <= max) return;
  let excess = keyspace.removedAt.size - max;
  for (const [name, removedIndex] of keyspace.removedAt) {
    if (excess-- <= 0) break;
    keyspace.removedAt.delete(name);
    if (removedIndex > keyspace.watchFloorIndex) keyspace.watchFloorIndex = removedIndex;
  }
}

/** Removes the keys of `db` that are expired at `nowMs` (active expiry's entry). */
export function removeExpired(
  ctx: Pick<ExecContext, "nowMs" | "index">, keyspace: Keyspace, db: number, keys: readonly Bytes[],
): number {
  const target = keyspace.db(db);
  let removed = 0;
  for (const key of keys) {
    const name = keyOf(key);
    const entry = target.entries.get(name);
    if (entry?.expiresAtMs === undefined || entry.expiresAtMs === null || entry.expiresAtMs > ctx.nowMs) continue;
    target.remove(name, ctx.index);
    removed++;
  }
  return removed;
}
