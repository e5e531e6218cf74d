/**
 * Set commands, as Redis 7.0 answers them (replies, RESP3 types and error texts). A set is a
 * Set of members (latin1) in insertion order, replicated, so every replica iterates alike.
 * SPOP (a write) draws from the entry's seeded `ctx.random`, so every replica removes the same
 * members; SRANDMEMBER (a read) from the read's seed. Set algebra (SINTER, SUNION, SDIFF and
 * their STORE / CARD forms, SMOVE) is in set_algebra.ts; SSCAN's cursors in collection_scan.ts.
 */
import {
  arg, command, fail, lookupTyped, SYNTAX_ERROR, type ExecContext, type RedisCommand,
} from "./command.js";
import {
  checkRepeatCount, createSet, distinctPositions, lookupEntry, memberBytes, noteChanged, randomCountArg,
  strictInt64Arg,
} from "./collection_write.js";
import { isIntset, wholeSetOrder } from "./set_order.js";
import {
  EMPTY_SCAN, globMatch, parseCursor, parseScanOptions, scanPage,
} from "./collection_scan.js";
import { setAlgebraCommands } from "./set_algebra.js";
import { bytesOf, keyOf, type Bytes } from "./keyspace.js";
import { NULL, array, bulk, error, integer, set, type Reply } from "./reply.js";

const members = (values: Iterable<string>): Reply[] => [...values].map((m) => bulk(bytesOf(m)));

const base = { group: "set", keys: [1, 1, 1] as const };

export const setCommands: readonly RedisCommand[] = [
  command("sadd", -3, ["write", "denyoom", "fast"], {
    ...base, since: "1.0.0", kind: "write",
    summary: "Adds one or more members to a set. Creates the key if it doesn't exist.",
    exec(ctx, args) {
      const key = arg(args, 1);
      const { entry, value } = lookupEntry(ctx, key, "set") ?? createSet(ctx, key);
      let added = 0;
      let delta = 0;
      for (const raw of args.slice(2)) {
        const member = keyOf(raw);
        if (value.has(member)) continue;
        value.add(member);
        added++;
        delta += memberBytes(member);
      }
      // Adding only members already there is no write (WATCH is not disturbed), as in Redis.
      if (added > 0) noteChanged(ctx, key, entry, delta);
      return integer(added);
    },
  }),
  command("srem", -3, ["write", "fast"], {
    ...base, since: "1.0.0", kind: "write",
    summary: "Removes one or more members from a set. Deletes the set if the last member was removed.",
    exec(ctx, args) {
      const key = arg(args, 1);
      const found = lookupEntry(ctx, key, "set");
      if (found === undefined) return integer(0);
      let removed = 0;
      let delta = 0;
      for (const raw of args.slice(2)) {
        const member = keyOf(raw);
        if (!found.value.delete(member)) continue;
        removed++;
        delta -= memberBytes(member);
      }
      if (removed > 0) noteChanged(ctx, key, found.entry, delta);
      return integer(removed);
    },
  }),
  command("scard", 2, ["readonly", "fast"], {
    ...base, since: "1.0.0", summary: "Returns the number of members in a set.", kind: "read",
    exec: (ctx, args) => integer(lookupTyped(ctx, arg(args, 1), "set")?.size ?? 0),
  }),
  command("sismember", 3, ["readonly", "fast"], {
    ...base, since: "1.0.0", summary: "Determines whether a member belongs to a set.", kind: "read",
    exec(ctx, args) {
      return integer(lookupTyped(ctx, arg(args, 1), "set")?.has(keyOf(arg(args, 2))) === true ? 1 : 0);
    },
  }),
  command("smismember", -3, ["readonly", "fast"], {
    ...base, since: "6.2.0", kind: "read", summary: "Determines whether multiple members belong to a set.",
    exec(ctx, args) {
      const value = lookupTyped(ctx, arg(args, 1), "set");
      return array(args.slice(2).map((m) => integer(value?.has(keyOf(m)) === true ? 1 : 0)));
    },
  }),
  command("smembers", 2, ["readonly"], {
    ...base, since: "1.0.0", summary: "Returns all members of a set.", kind: "read",
    exec: (ctx, args) => set(members(wholeSetOrder(lookupTyped(ctx, arg(args, 1), "set") ?? []))),
  }),
  command("spop", -2, ["write", "fast"], {
    ...base, since: "1.0.0", kind: "write",
    summary: "Returns one or more random members from a set after removing them. "
      + "Deletes the set if the last member was popped.",
    exec: (ctx, args) => spop(ctx, args),
  }),
  command("srandmember", -2, ["readonly"], {
    ...base, since: "1.0.0", summary: "Get one or multiple random members from a set", kind: "read",
    exec: (ctx, args) => srandmember(ctx, args),
  }),
  ...setAlgebraCommands,
  command("sscan", -3, ["readonly"], {
    ...base, since: "2.8.0", summary: "Iterates over members of a set.", kind: "read",
    exec(ctx, args) {
      const cursor = parseCursor(arg(args, 2));
      const found = lookupEntry(ctx, arg(args, 1), "set");
      if (found === undefined) return EMPTY_SCAN;
      const options = parseScanOptions(args, 3);
      const value = found.value;
      const compact = isIntset(value);
      const values = compact ? wholeSetOrder(value) : value;
      const identity = { entry: found.entry, value, version: found.entry.modifiedIndex, size: value.size };
      const page = scanPage({ values, size: value.size, identity }, { cursor, count: options.count, compact });
      const pattern = options.pattern;
      const visited = pattern === null ? page.visited : page.visited.filter((m) => globMatch(pattern, m));
      return array([bulk(page.next), array(members(visited))]);
    },
  }),
];

/** The member at `position` in iteration order (sets have no index: O(position)). */
function memberAt(value: Set<string>, position: number): string | undefined {
  let i = 0;
  for (const member of value) {
    if (i++ === position) return member;
  }
  return undefined;
}

function spop(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const key = arg(args, 1);
  if (args.length === 2) {
    const found = lookupEntry(ctx, key, "set");
    if (found === undefined) return NULL;
    const member = memberAt(found.value, ctx.random.nextInt(found.value.size));
    if (member === undefined) return NULL;
    found.value.delete(member);
    noteChanged(ctx, key, found.entry, -memberBytes(member));
    return bulk(bytesOf(member));
  }
  if (args.length > 3) fail(SYNTAX_ERROR);
  const count = strictInt64Arg(arg(args, 2), error("ERR value is out of range, must be positive"));
  if (count < 0n) fail(error("ERR value is out of range, must be positive"));
  const found = lookupEntry(ctx, key, "set");
  if (found === undefined || count === 0n) return set([]);
  const all = [...found.value];
  if (count >= BigInt(all.length)) {
    ctx.db.remove(keyOf(key), ctx.index);
    return set(members(wholeSetOrder(all)));
  }
  const popped = distinctPositions(ctx, all.length, Number(count)).map((p) => all[p] ?? "");
  let delta = 0;
  for (const member of popped) {
    found.value.delete(member);
    delta -= memberBytes(member);
  }
  noteChanged(ctx, key, found.entry, delta);
  return set(members(popped));
}

function srandmember(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const key = arg(args, 1);
  if (args.length === 2) {
    const value = lookupTyped(ctx, key, "set");
    if (value === undefined) return NULL;
    const member = memberAt(value, ctx.random.nextInt(value.size));
    return member === undefined ? NULL : bulk(bytesOf(member));
  }
  if (args.length > 3) fail(SYNTAX_ERROR);
  const count = randomCountArg(arg(args, 2));
  const value = lookupTyped(ctx, key, "set");
  if (value === undefined || count === 0n) return array([]);
  const all = [...value];
  if (count < 0n) {
    checkRepeatCount(-count);
    const picked: Reply[] = [];
    for (let i = 0; i < Number(-count); i++) {
      picked.push(bulk(bytesOf(all[ctx.random.nextInt(all.length)] ?? "")));
    }
    return array(picked);
  }
  if (count >= BigInt(all.length)) return array(members(wholeSetOrder(all)));
  return array(members(distinctPositions(ctx, all.length, Number(count)).map((p) => all[p] ?? "")));
}
