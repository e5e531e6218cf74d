/**
 * Set algebra as Redis 7.0 answers it: SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE,
 * SDIFF, SDIFFSTORE, and SMOVE. A missing key is an empty set; any source of another type is
 * WRONGTYPE (every key is checked, even after a missing one). A STORE form replaces the
 * destination whatever its type (dropping its TTL) and deletes it when the result is empty.
 * Reply order follows the replicated insertion order (Redis's is its hash table's order).
 */
import {
  arg, command, fail, lookup, optionName, SYNTAX_ERROR, WRONGTYPE,
  type ExecContext, type RedisCommand,
} from "./command.js";
import {
  createSet, lookupEntry, memberBytes, noteChanged, strictInt64Arg,
} from "./collection_write.js";
import { bytesOf, keyOf, type Bytes } from "./keyspace.js";
import { wholeSetOrder } from "./set_order.js";
import { bulk, error, integer, set, type Reply } from "./reply.js";

type Operation = "inter" | "union" | "diff";

/** The sets at `keys` (a missing key: undefined). @throws CommandError WRONGTYPE. */
function sourceSets(ctx: ExecContext, keys: readonly Bytes[]): (Set<string> | undefined)[] {
  return keys.map((key) => lookupEntry(ctx, key, "set")?.value);
}

/** The intersection, iterating the smallest set (as Redis does); stops at `limit` (0: none). */
function intersect(sets: readonly (Set<string> | undefined)[], limit = 0): string[] {
  if (sets.some((s) => s === undefined || s.size === 0)) return [];
  const ordered = [...(sets as Set<string>[])].sort((a, b) => a.size - b.size);
  const [smallest, ...others] = ordered;
  const result: string[] = [];
  for (const member of smallest ?? []) {
    if (others.every((s) => s.has(member))) {
      result.push(member);
      if (limit > 0 && result.length >= limit) break;
    }
  }
  return result;
}

function combine(operation: Operation, sets: readonly (Set<string> | undefined)[]): string[] {
  if (operation === "inter") return intersect(sets);
  if (operation === "union") {
    const union = new Set<string>();
    for (const s of sets) for (const member of s ?? []) union.add(member);
    return [...union];
  }
  const [first, ...others] = sets;
  return [...(first ?? [])].filter((member) => !others.some((s) => s?.has(member) === true));
}

function readCommand(name: string, operation: Operation, summary: string): RedisCommand {
  return command(name, -2, ["readonly"], {
    keys: [1, -1, 1], group: "set", since: "1.0.0", summary, kind: "read",
    exec(ctx, args) {
      const result = combine(operation, sourceSets(ctx, args.slice(1)));
      return set(wholeSetOrder(result).map((m) => bulk(bytesOf(m))));
    },
  });
}

function storeCommand(name: string, operation: Operation, summary: string): RedisCommand {
  return command(name, -3, ["write", "denyoom"], {
    keys: [1, -1, 1], group: "set", since: "1.0.0", summary, kind: "write",
    exec(ctx, args) {
      const result = combine(operation, sourceSets(ctx, args.slice(2)));
      const destination = arg(args, 1);
      if (result.length === 0) {
        ctx.db.remove(keyOf(destination), ctx.index);
        return integer(0);
      }
      ctx.db.put(keyOf(destination), { type: "set", value: new Set(result) }, ctx.index, null);
      return integer(result.length);
    },
  });
}

const LONG_MAX = 2n ** 63n - 1n;

function sintercard(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const numkeysError = error("ERR numkeys should be greater than 0");
  const numkeys = strictInt64Arg(arg(args, 1), numkeysError);
  if (numkeys < 1n || numkeys > LONG_MAX) fail(numkeysError);
  if (numkeys > BigInt(args.length - 2)) {
    fail(error("ERR Number of keys can't be greater than number of args"));
  }
  const keysEnd = 2 + Number(numkeys);
  let limit = 0n;
  for (let i = keysEnd; i < args.length; i++) {
    if (optionName(args[i]) === "limit" && i + 1 < args.length) {
      i++;
      const limitError = error("ERR LIMIT can't be negative");
      limit = strictInt64Arg(args[i], limitError);
      if (limit < 0n) fail(limitError);
    } else {
      fail(SYNTAX_ERROR);
    }
  }
  const sets = sourceSets(ctx, args.slice(2, keysEnd));
  const cap = limit > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(limit);
  return integer(intersect(sets, cap).length);
}

/** SMOVE: checks in Redis's order (a missing source answers 0 before any type check). */
function smove(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const sourceKey = arg(args, 1);
  const destinationKey = arg(args, 2);
  const source = lookup(ctx, sourceKey);
  const destination = lookup(ctx, destinationKey);
  const member = keyOf(arg(args, 3));
  if (source === undefined) return integer(0);
  if (source.value.type !== "set" || (destination !== undefined && destination.value.type !== "set")) {
    fail(WRONGTYPE);
  }
  if (source === destination) return integer(source.value.value.has(member) ? 1 : 0);
  if (!source.value.value.delete(member)) return integer(0);
  noteChanged(ctx, sourceKey, source, -memberBytes(member));
  const target = lookupEntry(ctx, destinationKey, "set") ?? createSet(ctx, destinationKey);
  // Redis counts the destination as modified even when it already held the member (WATCH).
  const added = !target.value.has(member);
  target.value.add(member);
  noteChanged(ctx, destinationKey, target.entry, added ? memberBytes(member) : 0);
  return integer(1);
}

export const setAlgebraCommands: readonly RedisCommand[] = [
  command("smove", 4, ["write", "fast"], {
    keys: [1, 2, 1], group: "set", since: "1.0.0", summary: "Moves a member from one set to another.",
    kind: "write", exec: smove,
  }),
  readCommand("sinter", "inter", "Returns the intersect of multiple sets."),
  command("sintercard", -3, ["readonly", "movablekeys"], {
    keys: [0, 0, 0], group: "set", since: "7.0.0", kind: "read", exec: sintercard,
    summary: "Returns the number of members of the intersect of multiple sets.",
  }),
  storeCommand("sinterstore", "inter", "Stores the intersect of multiple sets in a key."),
  readCommand("sunion", "union", "Returns the union of multiple sets."),
  storeCommand("sunionstore", "union", "Stores the union of multiple sets in a key."),
  readCommand("sdiff", "diff", "Returns the difference of multiple sets."),
  storeCommand("sdiffstore", "diff", "Stores the difference of multiple sets in a key."),
];
