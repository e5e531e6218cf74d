/**
 * The one table that turns a `KvService` error into a Redis error reply. The first word of a
 * Redis error is its code, which clients branch on:
 *
 * | code                          | reply                                                      |
 * |-------------------------------|------------------------------------------------------------|
 * | NOT_LEADER, PROPOSAL_DROPPED, | `-TRYAGAIN ...`: definitely not applied; retry. TRYAGAIN is |
 * | UNCOMMITTED_BYTES_EXCEEDED    | Redis's own "not performed, try again" code (cluster clients |
 * |                               | retry it). The leader's id, when known, is in the text.     |
 * | UNKNOWN_OUTCOME, INTERNAL     | `-UNKNOWN outcome unknown: the command may have been applied` |
 * |                               | never a definite failure (history-format.md `info`).        |
 * | VALUE_TOO_LARGE               | `-ERR string exceeds maximum allowed size ...`              |
 * | NOT_INTEGER                   | `-ERR value is not an integer or out of range` (Redis)      |
 * | INTEGER_OVERFLOW              | `-ERR increment or decrement would overflow` (Redis)        |
 * | REMOVED                       | `-ERR n3 was removed from the cluster ...`: ask a member    |
 */
import { classifyError, messageOf, type KnownError, type KnownErrorCode } from "../errors.js";
import { error, type Reply } from "./reply.js";

type ErrorOf<C extends KnownErrorCode> = Extract<KnownError, { code: C }>["error"];

const table: { readonly [C in KnownErrorCode]: (error: ErrorOf<C>) => string } = {
  NOT_LEADER: (e) => e.leaderId === null
    ? "TRYAGAIN no leader is known, retry later"
    : `TRYAGAIN not the leader, the leader is ${e.leaderId}; retry`,
  PROPOSAL_DROPPED: (e) => `TRYAGAIN proposal dropped (${e.reason}); retry`,
  UNCOMMITTED_BYTES_EXCEEDED: (e) =>
    `TRYAGAIN the leader is overloaded (${e.uncommittedBytes} uncommitted bytes); retry later`,
  UNKNOWN_OUTCOME: (e) =>
    `UNKNOWN outcome unknown: the command may have been applied (${e.reason})`,
  VALUE_TOO_LARGE: (e) =>
    `ERR string exceeds maximum allowed size: the ${e.what} is ${e.bytes} bytes, ` +
    `the limit is ${e.bytesMax}`,
  NOT_INTEGER: () => "ERR value is not an integer or out of range",
  INTEGER_OVERFLOW: () => "ERR increment or decrement would overflow",
  WRONGTYPE: (e) => `WRONGTYPE ${e.message}`,
  REMOVED: (e) => `ERR ${e.message}`,
  INTERNAL: (e) =>
    `UNKNOWN outcome unknown: the command may have been applied (internal error: ${messageOf(e)})`,
};

function render(known: KnownError): string {
  // `classifyError` pairs each code with its error class, which TypeScript cannot correlate
  // through the table's index.
  const format = table[known.code] as (error: unknown) => string;
  return format(known.error);
}

/** The error reply for anything a `KvService` call threw. */
export function errorReply(thrown: unknown): Reply {
  return error(render(classifyError(thrown)));
}
