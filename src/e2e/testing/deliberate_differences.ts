/**
 * Test support: the differences from Redis that raftkv makes on purpose, and the only ones the
 * differential test lets through (docs/redis-compatibility.md lists the same, with reasons).
 * Each names a command (and subcommand); a mismatch in any other command fails the test, and so
 * does "unknown command" from raftkv for a command Redis knows.
 */
export interface DeliberateDifference {
  /** Upper case, as sent. */
  readonly command: string;
  /** Upper case; undefined: every form of the command. */
  readonly subcommand?: string;
  readonly why: string;
}

export const DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [
  { command: "INFO", why: "the content describes raftkv (versions, memory, Raft role), not Redis" },
  { command: "HELLO", why: "server, version, id and role describe raftkv" },
  { command: "OBJECT", why: "ENCODING is computed from the current contents (Redis never converts back); IDLETIME is 0" },
  { command: "DEBUG", why: "not implemented: it exposes Redis's internals" },
  { command: "MEMORY", why: "raftkv's memory is an estimate, not allocator bytes" },
  { command: "COMMAND", why: "raftkv's table lists the commands it implements, not Redis's 240" },
  { command: "CLIENT", subcommand: "ID", why: "connection ids are per process" },
  { command: "CLIENT", subcommand: "INFO", why: "ids, addresses, ages and buffer sizes differ" },
  { command: "CLIENT", subcommand: "LIST", why: "ids, addresses, ages and buffer sizes differ" },
  { command: "CLIENT", subcommand: "NO-TOUCH", why: "raftkv follows Redis 7.2 (Debian's 7.0 lacks it)" },
  { command: "CONFIG", subcommand: "SET", why: "only a harmless subset is settable; the rest is ERR" },
  { command: "TIME", why: "two clocks read at two instants (compared by shape)" },
  { command: "SAVE", why: "persistence is the Raft log and its snapshots" },
  { command: "BGSAVE", why: "persistence is the Raft log and its snapshots" },
  { command: "LASTSAVE", why: "persistence is the Raft log and its snapshots" },
];

/** Whether a mismatch on `argv` is one of the deliberate differences. */
export function isDeliberate(argv: readonly string[]): boolean {
  const command = (argv[0] ?? "").toUpperCase();
  const subcommand = (argv[1] ?? "").toUpperCase();
  return DELIBERATE_DIFFERENCES.some((d) => d.command === command &&
    (d.subcommand === undefined || d.subcommand === subcommand));
}
