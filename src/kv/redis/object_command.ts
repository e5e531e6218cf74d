/**
 * OBJECT ENCODING / REFCOUNT / IDLETIME / FREQ / HELP (object.c). raftkv keeps each type in one
 * representation, so ENCODING is computed from the value's current contents with Redis 7.0's
 * rules and the thresholds in encoding_settings.ts. Unlike Redis, which never converts a value
 * back to its compact form, a value that shrinks below a threshold reports the compact encoding
 * again (docs/redis-compatibility.md). A read command: it changes nothing.
 */
import { arg, command, lookup, optionName, argText, type ExecContext, type RedisCommand } from "./command.js";
import { encodingSettings as limits } from "./encoding_settings.js";
import type { Bytes, RedisValue } from "./keyspace.js";
import { NULL, array, bulk, error, integer, simple, type Reply } from "./reply.js";

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
/** Redis shares the integers 0..9999 (OBJ_SHARED_INTEGERS) with refcount OBJ_SHARED_REFCOUNT. */
const SHARED_INTEGERS = 10_000n;
const SHARED_REFCOUNT = 2_147_483_647;
const EMBSTR_MAX = 44;

/** The integer in `text` as Redis's string2ll reads it (no '+', no leading 0, no "-0"), or null. */
function string2ll(text: string): bigint | null {
  if (text.length === 0 || text.length > 20 || !/^(0|-?[1-9][0-9]*)$/.test(text)) return null;
  const n = BigInt(text);
  return n < LONG_MIN || n > LONG_MAX ? null : n;
}

function bytesText(value: Bytes): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1");
}

function stringEncoding(value: Bytes): string {
  if (string2ll(bytesText(value)) !== null) return "int";
  return value.byteLength <= EMBSTR_MAX ? "embstr" : "raw";
}

function hashEncoding(hash: ReadonlyMap<string, Bytes>): string {
  if (hash.size > limits.hashMaxListpackEntries) return "hashtable";
  for (const [field, value] of hash) {
    if (field.length > limits.hashMaxListpackValue || value.byteLength > limits.hashMaxListpackValue) return "hashtable";
  }
  return "listpack";
}

function setEncoding(members: ReadonlySet<string>): string {
  if (members.size > limits.setMaxIntsetEntries) return "hashtable";
  for (const member of members) if (string2ll(member) === null) return "hashtable";
  return "intset";
}

/** Redis 7.0's encoding name for `value` as it is now. */
export function encodingOf(value: RedisValue): string {
  switch (value.type) {
    case "string": return stringEncoding(value.value);
    case "list": return "quicklist"; // Redis 7.0 keeps every list in a quicklist
    case "set": return setEncoding(value.value);
    case "hash": return hashEncoding(value.value);
    case "zset": {
      const zset = value.value;
      if (zset.size > limits.zsetMaxListpackEntries) return "skiplist";
      for (const member of zset.members()) if (member.length > limits.zsetMaxListpackValue) return "skiplist";
      return "listpack";
    }
  }
}

function refcount(value: RedisValue): number {
  if (value.type !== "string") return 1;
  const n = string2ll(bytesText(value.value));
  return n !== null && n >= 0n && n < SHARED_INTEGERS ? SHARED_REFCOUNT : 1;
}

const NOT_LFU = error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. " +
  "Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");

const HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
];

const KEYED: Readonly<Record<string, (value: RedisValue) => Reply>> = {
  encoding: (value) => bulk(encodingOf(value)),
  refcount: (value) => integer(refcount(value)),
  idletime: () => integer(0), // raftkv does not track access times
  freq: () => NOT_LFU, // the policy is always noeviction
};

function objectCommand(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const sub = optionName(arg(args, 1));
  if (sub === "help") {
    if (args.length !== 2) return error("ERR wrong number of arguments for 'object|help' command");
    return array(HELP.map((line) => simple(line)));
  }
  const run = Object.hasOwn(KEYED, sub) ? KEYED[sub] : undefined;
  if (run === undefined) return error(`ERR unknown subcommand '${argText(args[1])}'. Try OBJECT HELP.`);
  if (args.length !== 3) return error(`ERR wrong number of arguments for 'object|${sub}' command`);
  const entry = lookup(ctx, arg(args, 2));
  return entry === undefined ? NULL : run(entry.value);
}

export const objectCommands: readonly RedisCommand[] = [
  command("object", -2, ["readonly"], {
    keys: [2, 2, 1], group: "generic", since: "2.2.3", kind: "read",
    summary: "A container for object introspection commands", exec: objectCommand,
  }),
];
