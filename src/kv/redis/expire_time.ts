/**
 * Expiry arguments as Redis 7 reads them (SET EX/PX/EXAT/PXAT, GETEX, SETEX, PSETEX, EXPIRE...):
 * 64-bit integers, seconds or milliseconds, relative to the replicated time `ctx.nowMs` or
 * absolute, with Redis's error for a bad one: "ERR invalid expire time in '<command>' command".
 */
import { fail, int64Arg, type ExecContext } from "./command.js";
import type { Bytes } from "./keyspace.js";
import { error, type Reply } from "./reply.js";

export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);

export type ExpireUnit = "ex" | "px" | "exat" | "pxat";

export function invalidExpireTime(command: string): Reply {
  return error(`ERR invalid expire time in '${command}' command`);
}

/**
 * The absolute expiry (ms) of SET/GETEX/SETEX-style arguments, as getExpireMillisecondsOrReply:
 * the number must be positive, and the absolute time must not overflow.
 * @throws CommandError NOT_INTEGER, or the invalid-expire-time error for `command`.
 */
export function setExpiryAt(ctx: ExecContext, unit: ExpireUnit, value: Bytes, command: string): number {
  let ms = int64Arg(value);
  const seconds = unit === "ex" || unit === "exat";
  if (ms <= 0n || (seconds && ms > INT64_MAX / 1000n)) fail(invalidExpireTime(command));
  if (seconds) ms *= 1000n;
  if (unit === "ex" || unit === "px") ms += BigInt(ctx.nowMs);
  if (ms <= 0n || ms > INT64_MAX) fail(invalidExpireTime(command));
  return Number(ms);
}

/**
 * The absolute expiry (ms) of EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT: any 64-bit number (negative and
 * past times delete the key), refusing only an overflow, as expireGenericCommand.
 * @throws CommandError NOT_INTEGER, or the invalid-expire-time error for `command`.
 */
export function expireCommandAt(
  ctx: ExecContext, value: Bytes, options: { seconds: boolean; relative: boolean; command: string },
): number {
  let when = int64Arg(value);
  if (options.seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) fail(invalidExpireTime(options.command));
    when *= 1000n;
  }
  const base = options.relative ? BigInt(ctx.nowMs) : 0n;
  if (when > INT64_MAX - base) fail(invalidExpireTime(options.command));
  return Number(when + base);
}
