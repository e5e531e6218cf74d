/**
 * Key commands (db.c): DEL, UNLINK, EXISTS, TOUCH, TYPE, RENAME, RENAMENX, COPY, MOVE, and the
 * database-wide ones from keyspace_commands.ts (KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL,
 * SWAPDB). Expired keys are invisible to all of them; replies and errors are Redis 7's.
 */
import {
  arg, command, fail, lookup, optionName, SYNTAX_ERROR, type ExecContext, type RedisCommand,
} from "./command.js";
import { dbArg, keyspaceCommands } from "./keyspace_commands.js";
import { ListValue } from "./list_value.js";
import { keyOf, type Bytes, type Db, type RedisValue } from "./keyspace.js";
import { OK, error, integer, simple, type Reply } from "./reply.js";
import { SortedSet } from "./sorted_set.js";

const SAME_OBJECT = error("ERR source and destination objects are the same");
const NO_SUCH_KEY = error("ERR no such key");

/** A deep copy of a value (COPY): the copy shares nothing with the original. */
export function copyValue(value: RedisValue): RedisValue {
  switch (value.type) {
    case "string":
      return { type: "string", value: Uint8Array.from(value.value) };
    case "hash":
      return { type: "hash", value: new Map([...value.value].map(([f, v]) => [f, Uint8Array.from(v)])) };
    case "list":
      return { type: "list", value: ListValue.fromArray(value.value.toArray().map((v) => Uint8Array.from(v))) };
    case "set":
      return { type: "set", value: new Set(value.value) };
    case "zset":
      return { type: "zset", value: SortedSet.fromEntries(value.value.entries()) };
  }
}

/** The live entry of `key` in `db` (another database than ctx.db: MOVE, COPY DB). */
function lookupIn(ctx: ExecContext, db: Db, key: string): ReturnType<typeof lookup> {
  return ctx.write ? db.lookupForWrite(key, ctx.nowMs, ctx.index) : db.lookup(key, ctx.nowMs);
}

function deleteKeys(ctx: ExecContext, args: readonly Bytes[]): Reply {
  let removed = 0;
  for (const key of args.slice(1)) {
    if (lookup(ctx, key) !== undefined && ctx.db.remove(keyOf(key), ctx.index)) removed++;
  }
  return integer(removed);
}

function countExisting(ctx: ExecContext, args: readonly Bytes[]): Reply {
  let found = 0;
  for (const key of args.slice(1)) if (lookup(ctx, key) !== undefined) found++;
  return integer(found);
}

/** RENAME / RENAMENX (renameGenericCommand): the key keeps its value and TTL. */
function rename(ctx: ExecContext, args: readonly Bytes[], nx: boolean): Reply {
  const from = keyOf(arg(args, 1));
  const to = keyOf(arg(args, 2));
  const entry = lookup(ctx, arg(args, 1));
  if (entry === undefined) return NO_SUCH_KEY;
  if (from === to) return nx ? integer(0) : OK;
  if (lookup(ctx, arg(args, 2)) !== undefined) {
    if (nx) return integer(0);
    ctx.db.remove(to, ctx.index);
  }
  ctx.db.put(to, entry.value, ctx.index, entry.expiresAtMs);
  ctx.db.remove(from, ctx.index);
  return nx ? integer(1) : OK;
}

/** COPY source destination [DB destination-db] [REPLACE] (copyCommand). */
function copy(ctx: ExecContext, args: readonly Bytes[]): Reply {
  let replace = false;
  let target = ctx.db;
  for (let j = 3; j < args.length; j++) {
    const name = optionName(args[j]);
    if (name === "replace") {
      replace = true;
    } else if (name === "db" && j + 1 < args.length) {
      target = dbArg(ctx, args[j + 1]);
      j++;
    } else {
      fail(SYNTAX_ERROR);
    }
  }
  const from = keyOf(arg(args, 1));
  const to = keyOf(arg(args, 2));
  if (target === ctx.db && from === to) return SAME_OBJECT;
  const entry = lookup(ctx, arg(args, 1));
  if (entry === undefined) return integer(0);
  if (lookupIn(ctx, target, to) !== undefined) {
    if (!replace) return integer(0);
    target.remove(to, ctx.index);
  }
  target.put(to, copyValue(entry.value), ctx.index, entry.expiresAtMs);
  return integer(1);
}

/** MOVE key db (moveCommand): only into another database, never over an existing key. */
function move(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const target = dbArg(ctx, args[2]);
  if (target === ctx.db) return SAME_OBJECT;
  const key = keyOf(arg(args, 1));
  const entry = lookup(ctx, arg(args, 1));
  if (entry === undefined) return integer(0);
  if (lookupIn(ctx, target, key) !== undefined) return integer(0);
  target.put(key, entry.value, ctx.index, entry.expiresAtMs);
  ctx.db.remove(key, ctx.index);
  return integer(1);
}

const keyed = { keys: [1, 1, 1] as const, group: "generic" };

export const keyCommands: readonly RedisCommand[] = [
  command("del", -2, ["write"], {
    ...keyed, keys: [1, -1, 1], since: "1.0.0", summary: "Deletes one or more keys.", kind: "write",
    exec: deleteKeys,
  }),
  command("unlink", -2, ["write", "fast"], {
    ...keyed, keys: [1, -1, 1], since: "4.0.0",
    summary: "Asynchronously deletes one or more keys.", kind: "write", exec: deleteKeys,
  }),
  command("exists", -2, ["readonly", "fast"], {
    ...keyed, keys: [1, -1, 1], since: "1.0.0", summary: "Determines whether one or more keys exist.",
    kind: "read", exec: countExisting,
  }),
  command("touch", -2, ["readonly", "fast"], {
    ...keyed, keys: [1, -1, 1], since: "3.2.1",
    summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.",
    kind: "read", exec: countExisting,
  }),
  command("type", 2, ["readonly", "fast"], {
    ...keyed, since: "1.0.0", summary: "Determines the type of value stored at a key.", kind: "read",
    exec: (ctx, args) => simple(lookup(ctx, arg(args, 1))?.value.type ?? "none"),
  }),
  command("rename", 3, ["write"], {
    ...keyed, keys: [1, 2, 1], since: "1.0.0", summary: "Renames a key and overwrites the destination.",
    kind: "write", exec: (ctx, args) => rename(ctx, args, false),
  }),
  command("renamenx", 3, ["write", "fast"], {
    ...keyed, keys: [1, 2, 1], since: "1.0.0", summary: "Renames a key only when the target key name doesn't exist.",
    kind: "write", exec: (ctx, args) => rename(ctx, args, true),
  }),
  command("copy", -3, ["write", "denyoom"], {
    ...keyed, keys: [1, 2, 1], since: "6.2.0", summary: "Copies the value of a key to a new key.",
    kind: "write", exec: copy,
  }),
  command("move", 3, ["write", "fast"], {
    ...keyed, since: "1.0.0", summary: "Moves a key to another database.", kind: "write", exec: move,
  }),
  ...keyspaceCommands,
];
