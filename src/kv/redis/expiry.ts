/**
 * Expiry commands (expire.c): EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX|XX|GT|LT, TTL, PTTL,
 * EXPIRETIME, PEXPIRETIME, PERSIST. Times are absolute replicated milliseconds (`ctx.nowMs` is
 * the entry's stamp, or the read's time); a TTL in the past deletes the key, as in Redis.
 */
import {
  arg, command, fail, lookup, optionName, type ExecContext, type RedisCommand,
} from "./command.js";
import { expireCommandAt } from "./expire_time.js";
import { keyOf, type Bytes } from "./keyspace.js";
import { error, integer, type Reply } from "./reply.js";

interface ExpireFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
}

/** parseExtendedExpireArgumentsOrReply: the flags, then their compatibility. */
function parseExpireFlags(args: readonly Bytes[]): ExpireFlags {
  const flags: ExpireFlags = { nx: false, xx: false, gt: false, lt: false };
  for (const option of args.slice(3)) {
    const name = optionName(option);
    if (name === "nx" || name === "xx" || name === "gt" || name === "lt") flags[name] = true;
    else fail(error(`ERR Unsupported option ${Buffer.from(option).toString("latin1")}`));
  }
  if (flags.nx && (flags.xx || flags.gt || flags.lt)) {
    fail(error("ERR NX and XX, GT or LT options at the same time are not compatible"));
  }
  if (flags.gt && flags.lt) fail(error("ERR GT and LT options at the same time are not compatible"));
  return flags;
}

/** Whether the flags allow replacing `current` (null: no TTL, i.e. infinite) with `when`. */
function flagsAllow(flags: ExpireFlags, current: number | null, when: number): boolean {
  if (flags.nx && current !== null) return false;
  if (flags.xx && current === null) return false;
  if (flags.gt && (current === null || when <= current)) return false;
  if (flags.lt && current !== null && when >= current) return false;
  return true;
}

function expireGeneric(name: string, seconds: boolean, relative: boolean) {
  return (ctx: ExecContext, args: readonly Bytes[]): Reply => {
    const flags = parseExpireFlags(args);
    const when = expireCommandAt(ctx, arg(args, 2), { seconds, relative, command: name });
    const key = arg(args, 1);
    const entry = lookup(ctx, key);
    if (entry === undefined) return integer(0);
    if (!flagsAllow(flags, entry.expiresAtMs, when)) return integer(0);
    if (when <= ctx.nowMs) ctx.db.remove(keyOf(key), ctx.index);
    else ctx.db.setExpiry(keyOf(key), entry, when, ctx.index);
    return integer(1);
  };
}

/** TTL/PTTL/EXPIRETIME/PEXPIRETIME: -2 no key, -1 no TTL, else `shape(expiresAtMs)`. */
function ttlGeneric(shape: (ctx: ExecContext, expiresAtMs: number) => number) {
  return (ctx: ExecContext, args: readonly Bytes[]): Reply => {
    const entry = lookup(ctx, arg(args, 1));
    if (entry === undefined) return integer(-2);
    if (entry.expiresAtMs === null) return integer(-1);
    const value = shape(ctx, entry.expiresAtMs);
    // Beyond 2^53 ms (year 287396) a stored time is a double: print all its digits, not 1e18-style.
    return integer(Number.isSafeInteger(value) ? value : BigInt(Math.trunc(value)));
  };
}

const remainingMs = (ctx: ExecContext, at: number): number => Math.max(0, at - ctx.nowMs);

const keyed = { keys: [1, 1, 1] as const, group: "generic" };
const writeFast = ["write", "fast"];
const readFast = ["readonly", "fast"];

export const expiryCommands: readonly RedisCommand[] = [
  command("expire", -3, writeFast, {
    ...keyed, since: "1.0.0", summary: "Sets the expiration time of a key in seconds.", kind: "write",
    exec: expireGeneric("expire", true, true),
  }),
  command("pexpire", -3, writeFast, {
    ...keyed, since: "2.6.0", summary: "Sets the expiration time of a key in milliseconds.", kind: "write",
    exec: expireGeneric("pexpire", false, true),
  }),
  command("expireat", -3, writeFast, {
    ...keyed, since: "1.2.0", summary: "Sets the expiration time of a key to a Unix timestamp.",
    kind: "write", exec: expireGeneric("expireat", true, false),
  }),
  command("pexpireat", -3, writeFast, {
    ...keyed, since: "2.6.0", summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.",
    kind: "write", exec: expireGeneric("pexpireat", false, false),
  }),
  command("ttl", 2, readFast, {
    ...keyed, since: "1.0.0", summary: "Returns the expiration time in seconds of a key.", kind: "read",
    // Redis rounds to the nearest second: (ttl + 500) / 1000.
    exec: ttlGeneric((ctx, at) => Math.floor((remainingMs(ctx, at) + 500) / 1000)),
  }),
  command("pttl", 2, readFast, {
    ...keyed, since: "2.6.0", summary: "Returns the expiration time in milliseconds of a key.", kind: "read",
    exec: ttlGeneric(remainingMs),
  }),
  command("expiretime", 2, readFast, {
    ...keyed, since: "7.0.0", summary: "Returns the expiration time of a key as a Unix timestamp.",
    kind: "read", exec: ttlGeneric((_ctx, at) => Math.trunc(at / 1000)),
  }),
  command("pexpiretime", 2, readFast, {
    ...keyed, since: "7.0.0", summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.",
    kind: "read", exec: ttlGeneric((_ctx, at) => at),
  }),
  command("persist", 2, writeFast, {
    ...keyed, since: "2.2.0", summary: "Removes the expiration time of a key.", kind: "write",
    exec(ctx, args) {
      const key = arg(args, 1);
      const entry = lookup(ctx, key);
      if (entry?.expiresAtMs === undefined || entry.expiresAtMs === null) return integer(0);
      ctx.db.setExpiry(keyOf(key), entry, null, ctx.index);
      return integer(1);
    },
  }),
];
