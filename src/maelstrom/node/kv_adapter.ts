/**
 * Maps Maelstrom's lin-kv requests onto raftkv's key-value state machine (src/kv) and its
 * results back onto lin-kv replies (reference/maelstrom.md §2).
 *
 * Keys are JSON values in Maelstrom (integers in practice) and strings in raftkv: a key is stored
 * under its JSON text. Values are stored wrapped in a one-element array, so that a written `null`
 * stays distinguishable from an absent key (the state machine reads an absent key as null).
 */
import type { KvCommand, KvResult, KvStateMachine, KvValue } from "../../kv/index.js";
import { ErrorCode, type Body, type OutgoingBody } from "../protocol.js";

export type ClientOp = "read" | "write" | "cas";

/** A request that cannot be processed: the reply is a definite error. */
export interface Rejection {
  readonly reject: OutgoingBody;
}

export function isClientOp(type: string): type is ClientOp {
  return type === "read" || type === "write" || type === "cas";
}

export function storedKey(key: unknown): string {
  return JSON.stringify(key);
}

function wrap(value: unknown): KvValue {
  return [value as KvValue];
}

/** The command for a write or cas (reads take the ReadIndex path unless configured otherwise). */
export function commandOf(body: Body, clientId: string, seq: number): KvCommand | Rejection {
  const malformed = (text: string): Rejection => ({ reject: errorBody(ErrorCode.malformedRequest, text) });
  if (!("key" in body)) return malformed(`${body.type} needs a key`);
  const key = storedKey(body.key);
  switch (body.type) {
    case "read":
      return { op: "read", clientId, seq, key };
    case "write":
      if (!("value" in body)) return malformed("write needs a value");
      return { op: "write", clientId, seq, key, value: wrap(body.value) };
    case "cas":
      if (!("from" in body) || !("to" in body)) return malformed("cas needs from and to");
      return { op: "cas", clientId, seq, key, from: wrap(body.from), to: wrap(body.to) };
    default:
      return { reject: errorBody(ErrorCode.notSupported, `unsupported request type ${body.type}`) };
  }
}

export function errorBody(code: number, text: string): OutgoingBody {
  return { type: "error", code, text };
}

/** The value inside a stored wrapper, or `absent` when the key holds nothing. */
function unwrap(stored: KvValue): { readonly present: boolean; readonly value: unknown } {
  if (!Array.isArray(stored)) return { present: false, value: null };
  const items = stored as readonly KvValue[];
  return { present: true, value: items[0] ?? null };
}

/** A local read of the state machine, for a read whose ReadIndex has been applied (§6.4). */
export function readReply(kv: KvStateMachine, key: unknown): OutgoingBody {
  const stored = unwrap(kv.get(storedKey(key)));
  if (!stored.present) return errorBody(ErrorCode.keyDoesNotExist, "key does not exist");
  return { type: "read_ok", value: stored.value };
}

/** The lin-kv reply for an applied command's result (closed schemas: no extra keys on *_ok). */
export function replyOf(op: ClientOp, result: KvResult): OutgoingBody {
  switch (result.kind) {
    case "ok":
      if (op === "read") {
        const stored = unwrap(result.value);
        return stored.present
          ? { type: "read_ok", value: stored.value }
          : errorBody(ErrorCode.keyDoesNotExist, "key does not exist");
      }
      return { type: op === "write" ? "write_ok" : "cas_ok" };
    case "key-absent":
      return errorBody(ErrorCode.keyDoesNotExist, "key does not exist");
    case "precondition-failed": {
      const current = unwrap(result.current).value;
      const text = `expected a different value; current is ${JSON.stringify(current)}`;
      return errorBody(ErrorCode.preconditionFailed, text);
    }
    case "stale-session":
      // A newer command of this client was applied first; this one was skipped. The client has
      // long since timed out; stay indefinite all the same.
      return errorBody(ErrorCode.crash, "superseded by a newer request of the same client");
    default:
      return assertNeverResult(result);
  }
}

function assertNeverResult(result: never): never {
  throw new Error(`Unknown kv result ${JSON.stringify(result)}`);
}
