/**
 * List commands as Redis 7.0 answers them: pushes and pops at both ends (with counts), index and
 * range reads, LSET/LREM/LTRIM/LINSERT/LPOS, and the moves between lists (LMOVE, RPOPLPUSH,
 * LMPOP). No blocking forms. Empty lists are removed; memory follows `ListValue.estimatedBytes`.
 */
import {
  arg, command, fail, int64Arg, intArg, optionName, SYNTAX_ERROR, type ExecContext, type RedisCommand,
} from "./command.js";
import { clampSafe, positiveLongArg } from "./collection_args.js";
import type { Bytes } from "./keyspace.js";
import { listAt, listChanged, popItems, pushItems } from "./list_access.js";
import { listMoveCommands } from "./list_moves.js";
import {
  NULL, NULL_ARRAY, OK, array, bulk, error, integer, type Reply,
} from "./reply.js";

/** Redis's (start, end) normalisation for LRANGE and LTRIM: null when the range is empty. */
function listRange(start: number, end: number, length: number): [number, number] | null {
  let from = start < 0 ? length + start : start;
  const to = end < 0 ? length + end : end;
  if (from < 0) from = 0;
  if (from > to || from >= length) return null;
  return [from, Math.min(to, length - 1)];
}

function pushCommand(name: string, left: boolean, onlyExisting: boolean, since: string): RedisCommand {
  const end = left ? "Prepends" : "Appends";
  return command(name, -3, ["write", "denyoom", "fast"], {
    keys: [1, 1, 1], group: "list", since, kind: "write",
    summary: onlyExisting
      ? `${end} one or more elements to a list only when the list exists.`
      : `${end} one or more elements to a list. Creates the key if it doesn't exist.`,
    exec(ctx, args) {
      return integer(pushItems(ctx, arg(args, 1), args.slice(2), { left, onlyExisting }));
    },
  });
}

function popCommand(name: string, left: boolean): RedisCommand {
  return command(name, -2, ["write", "fast"], {
    keys: [1, 1, 1], group: "list", since: "1.0.0", kind: "write",
    summary: `Returns and removes the ${left ? "first" : "last"} elements of a list. Deletes the list if the last element was popped.`,
    exec(ctx, args) {
      if (args.length > 3) return error(`ERR wrong number of arguments for '${name}' command`);
      const count = args.length === 3 ? positiveLongArg(arg(args, 2)) : null;
      const at = listAt(ctx, arg(args, 1));
      if (at === undefined) return count === null ? NULL : NULL_ARRAY;
      if (count === null) {
        const [item] = popItems(ctx, at, left, 1);
        return item === undefined ? NULL : bulk(item);
      }
      if (count === 0) return array([]);
      return array(popItems(ctx, at, left, count).map((item) => bulk(item)));
    },
  });
}

function lpos(ctx: ExecContext, args: readonly Bytes[]): Reply {
  let rank = 1;
  let count: number | null = null;
  let maxlen = 0;
  for (let j = 3; j < args.length; j++) {
    const option = optionName(args[j]);
    const value = args[j + 1];
    if (value === undefined) fail(SYNTAX_ERROR);
    if (option === "rank") {
      const n = int64Arg(value);
      // Redis 7.0 negates LONG_MIN into itself, which then acts as -1 (the first match from the tail).
      rank = n === -(2n ** 63n) ? -1 : clampSafe(n);
      if (rank === 0) {
        fail(error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
          + "or use negative to start from the end of the list"));
      }
    } else if (option === "count") {
      count = positiveLongArg(value, "COUNT can't be negative");
    } else if (option === "maxlen") {
      maxlen = positiveLongArg(value, "MAXLEN can't be negative");
    } else {
      fail(SYNTAX_ERROR);
    }
    j++;
  }
  const at = listAt(ctx, arg(args, 1));
  if (at === undefined) return count === null ? NULL : array([]);
  const element = Buffer.from(arg(args, 2));
  const fromTail = rank < 0;
  let skip = Math.abs(rank) - 1;
  const found: Reply[] = [];
  const length = at.list.length;
  for (let step = 0; step < length && (maxlen === 0 || step < maxlen); step++) {
    const index = fromTail ? length - 1 - step : step;
    if (!element.equals(at.list.at(index) ?? new Uint8Array())) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    found.push(integer(index));
    if (count === null || (count !== 0 && found.length >= count)) break;
  }
  if (count === null) return found[0] ?? NULL;
  return array(found);
}

export const listCommands: readonly RedisCommand[] = [
  pushCommand("lpush", true, false, "1.0.0"),
  pushCommand("rpush", false, false, "1.0.0"),
  pushCommand("lpushx", true, true, "2.2.0"),
  pushCommand("rpushx", false, true, "2.2.0"),
  popCommand("lpop", true),
  popCommand("rpop", false),
  command("llen", 2, ["readonly", "fast"], {
    keys: [1, 1, 1], group: "list", since: "1.0.0", kind: "read", summary: "Returns the length of a list.",
    exec(ctx, args) {
      return integer(listAt(ctx, arg(args, 1))?.list.length ?? 0);
    },
  }),
  command("lrange", 4, ["readonly"], {
    keys: [1, 1, 1], group: "list", since: "1.0.0", kind: "read", summary: "Returns a range of elements from a list.",
    exec(ctx, args) {
      const start = intArg(arg(args, 2));
      const end = intArg(arg(args, 3));
      const at = listAt(ctx, arg(args, 1));
      if (at === undefined) return array([]);
      const range = listRange(start, end, at.list.length);
      return array(range === null ? [] : at.list.slice(range[0], range[1]).map((item) => bulk(item)));
    },
  }),
  command("lindex", 3, ["readonly"], {
    keys: [1, 1, 1], group: "list", since: "1.0.0", kind: "read", summary: "Returns an element from a list by its index.",
    exec(ctx, args) {
      const at = listAt(ctx, arg(args, 1));
      if (at === undefined) return NULL;
      const index = intArg(arg(args, 2));
      const item = at.list.at(index < 0 ? at.list.length + index : index);
      return item === undefined ? NULL : bulk(item);
    },
  }),
  command("lset", 4, ["write", "denyoom"], {
    keys: [1, 1, 1], group: "list", since: "1.0.0", kind: "write", summary: "Sets the value of an element in a list by its index.",
    exec(ctx, args) {
      const at = listAt(ctx, arg(args, 1));
      if (at === undefined) return error("ERR no such key");
      const index = intArg(arg(args, 2));
      const position = index < 0 ? at.list.length + index : index;
      if (position < 0 || position >= at.list.length) return error("ERR index out of range");
      at.list.set(position, Uint8Array.from(arg(args, 3)));
      listChanged(ctx, at);
      return OK;
    },
  }),
  command("lrem", 4, ["write"], {
    keys: [1, 1, 1], group: "list", since: "1.0.0", kind: "write", summary: "Removes elements from a list. Deletes the list if the last element was removed.",
    exec(ctx, args) {
      const count = intArg(arg(args, 2));
      const at = listAt(ctx, arg(args, 1));
      if (at === undefined) return integer(0);
      const element = Buffer.from(arg(args, 3));
      const items = at.list.toArray();
      const limit = count === 0 ? Infinity : Math.abs(count);
      let removed = 0;
      const keep: (Bytes | null)[] = [...items];
      for (let step = 0; step < items.length && removed < limit; step++) {
        const index = count < 0 ? items.length - 1 - step : step;
        if (element.equals(items[index] ?? new Uint8Array())) {
          keep[index] = null;
          removed++;
        }
      }
      if (removed > 0) {
        at.list.replaceAll(keep.filter((item): item is Bytes => item !== null));
        listChanged(ctx, at);
      }
      return integer(removed);
    },
  }),
  command("ltrim", 4, ["write"], {
    keys: [1, 1, 1], group: "list", since: "1.0.0", kind: "write", summary: "Removes elements from both ends a list. Deletes the list if all elements were trimmed.",
    exec(ctx, args) {
      const start = intArg(arg(args, 2));
      const end = intArg(arg(args, 3));
      const at = listAt(ctx, arg(args, 1));
      if (at === undefined) return OK;
      const length = at.list.length;
      const range = listRange(start, end, length);
      const [left, right] = range === null ? [length, 0] : [range[0], length - range[1] - 1];
      for (let i = 0; i < left; i++) at.list.popLeft();
      for (let i = 0; i < right; i++) at.list.popRight();
      listChanged(ctx, at);
      return OK;
    },
  }),
  command("linsert", 5, ["write", "denyoom"], {
    keys: [1, 1, 1], group: "list", since: "2.2.0", kind: "write", summary: "Inserts an element before or after another element in a list.",
    exec(ctx, args) {
      const where = optionName(arg(args, 2));
      if (where !== "before" && where !== "after") fail(SYNTAX_ERROR);
      const at = listAt(ctx, arg(args, 1));
      if (at === undefined) return integer(0);
      const pivot = Buffer.from(arg(args, 3));
      const items = at.list.toArray();
      const index = items.findIndex((item) => pivot.equals(item));
      if (index < 0) return integer(-1);
      items.splice(where === "before" ? index : index + 1, 0, Uint8Array.from(arg(args, 4)));
      at.list.replaceAll(items);
      listChanged(ctx, at);
      return integer(at.list.length);
    },
  }),
  command("lpos", -3, ["readonly"], {
    keys: [1, 1, 1], group: "list", since: "6.0.6", kind: "read", summary: "Returns the index of matching elements in a list.",
    exec: lpos,
  }),
  ...listMoveCommands,
];
