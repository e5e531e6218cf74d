/**
 * The commands of the key-value state machine and their wire form. Every command that changes
 * state carries the client session that issued it (`clientId`, `seq`) so that applying is
 * exactly-once even when the same proposal reaches the log twice (§6.3 of the Raft
 * dissertation, "client sessions"): a duplicated Propose message, or a client retry.
 *
 * The encoding is compact JSON through TextEncoder: a tuple, not an object, so keys are not
 * repeated in every log entry. Decoding validates the shape and throws a typed error.
 */
import { assertNever } from "../core/types.js";

/** Values are anything JSON can carry; the store never looks inside them. */
export type KvValue = null | boolean | number | string | readonly KvValue[] | { readonly [key: string]: KvValue };

export interface ClientSession {
  /** A stable identity for one client process; never reused for a different client. */
  readonly clientId: string;
  /** Increases by one with every command the client issues (starting at 1). */
  readonly seq: number;
}

export interface ReadCommand extends ClientSession {
  readonly op: "read";
  readonly key: string;
}
export interface WriteCommand extends ClientSession {
  readonly op: "write";
  readonly key: string;
  readonly value: KvValue;
}
export interface CasCommand extends ClientSession {
  readonly op: "cas";
  readonly key: string;
  readonly from: KvValue;
  readonly to: KvValue;
}

export type KvCommand = ReadCommand | WriteCommand | CasCommand;
export type KvOp = KvCommand["op"];

/** The outcome of applying a command; the same for every replica (it is part of the state). */
export type KvResult =
  | { readonly kind: "ok"; readonly value: KvValue }
  | { readonly kind: "precondition-failed"; readonly current: KvValue }
  | { readonly kind: "key-absent" }
  /** The session already applied a newer command; this one is an old duplicate and was ignored. */
  | { readonly kind: "stale-session" };

/** A log entry's bytes do not hold a valid key-value command. */
export class KvCommandDecodeError extends Error {
  override readonly name = "KvCommandDecodeError";
  readonly code = "KV_COMMAND_INVALID";
  readonly definite = true;
}

type Wire =
  | readonly ["r", string, number, string]
  | readonly ["w", string, number, string, KvValue]
  | readonly ["c", string, number, string, KvValue, KvValue];

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Encodes a command for `propose`. */
export function encodeCommand(command: KvCommand): Uint8Array {
  let wire: Wire;
  switch (command.op) {
    case "read":
      wire = ["r", command.clientId, command.seq, command.key];
      break;
    case "write":
      wire = ["w", command.clientId, command.seq, command.key, command.value];
      break;
    case "cas":
      wire = ["c", command.clientId, command.seq, command.key, command.from, command.to];
      break;
    default:
      return assertNever(command, "kv command");
  }
  return encoder.encode(JSON.stringify(wire));
}

/**
 * Decodes the bytes of a "normal" log entry.
 * @throws KvCommandDecodeError if the bytes are not UTF-8 JSON of a known command shape.
 */
export function decodeCommand(bytes: Uint8Array): KvCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new KvCommandDecodeError(`Cannot decode a kv command: ${String(error)}`);
  }
  if (!Array.isArray(parsed) || parsed.length < 4) {
    throw new KvCommandDecodeError("Cannot decode a kv command: expected a JSON array of at least 4 items");
  }
  const [tag, clientId, seq, key] = parsed as unknown[];
  if (typeof clientId !== "string" || typeof key !== "string" || !Number.isSafeInteger(seq)) {
    throw new KvCommandDecodeError("Cannot decode a kv command: bad clientId, seq or key");
  }
  const session = { clientId, seq: seq as number, key };
  if (tag === "r" && parsed.length === 4) return { op: "read", ...session };
  if (tag === "w" && parsed.length === 5) return { op: "write", ...session, value: parsed[4] as KvValue };
  if (tag === "c" && parsed.length === 6) {
    return { op: "cas", ...session, from: parsed[4] as KvValue, to: parsed[5] as KvValue };
  }
  throw new KvCommandDecodeError(`Cannot decode a kv command: unknown tag ${JSON.stringify(tag)}`);
}
