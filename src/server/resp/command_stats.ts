/**
 * INFO commandstats' counters: calls, time and failures per command, kept on the server's
 * shared state by the connection as each command settles. Time is from start to reply, so a
 * write's includes its replication (Redis counts only execution, which raftkv cannot separate).
 */
import { argText, type CommandSpec, type CommandStat, type ServerState } from "./command_context.js";
import type { Reply } from "./reply.js";

/** Commands whose first argument is a subcommand: their stats and CLIENT LIST's cmd= say both. */
const WITH_SUBCOMMANDS = new Set(["client", "config", "command", "object", "memory", "debug"]);

function statOf(server: ServerState, name: string): CommandStat {
  let stat = server.commandStats.get(name);
  if (stat === undefined) {
    stat = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
    server.commandStats.set(name, stat);
  }
  return stat;
}

/** "get", or "client|setname" for a command with subcommands. */
export function commandLabel(spec: CommandSpec, args: readonly Buffer[]): string {
  return WITH_SUBCOMMANDS.has(spec.name) && args.length > 1
    ? `${spec.name}|${argText(args[1]).toLowerCase()}` : spec.name;
}

export function countCall(server: ServerState, name: string, startedNs: bigint, reply: Reply): void {
  const stat = statOf(server, name);
  stat.calls += 1;
  stat.usec += Number((process.hrtime.bigint() - startedNs) / 1000n);
  if (reply.type === "error") stat.failedCalls += 1;
}

/**
 * A command refused before it ran (wrong arity, no permission); `known` tells a command of the
 * table from an unknown name, which Redis does not keep (and a client could invent endlessly).
 */
export function countRejected(server: ServerState, args: readonly Buffer[],
  known: (name: string) => boolean): void {
  const name = argText(args[0]).toLowerCase();
  if (known(name)) statOf(server, name).rejectedCalls += 1;
}
