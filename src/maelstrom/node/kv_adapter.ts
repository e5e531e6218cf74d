/**
 * Maps Maelstrom's lin-kv requests onto the shipped key-value store (`ReplicatedKv`, binary keys
 * and values) and its answers back onto lin-kv replies (maelstrom.md §2).
 *
 * Keys and values are JSON values in Maelstrom (integers in practice): both are stored as their
 * JSON text in UTF-8, so a written `null` is the four bytes `null`, distinct from an absent key,
 * and `cas` compares the JSON text of `from` with the stored text (equal integers have equal
 * text).
 */
import type { CasOutcome } from "../../kv/index.js";
import { ErrorCode, type Body, type OutgoingBody } from "../protocol.js";

type Bytes = Uint8Array;

/** A lin-kv request, its key and values already in stored form. */
export type LinKvRequest =
  | { readonly op: "read"; readonly key: Bytes }
  | { readonly op: "write"; readonly key: Bytes; readonly value: Bytes }
  | { readonly op: "cas"; readonly key: Bytes; readonly from: Bytes; readonly to: Bytes };

/** A request that cannot be processed: the reply is a definite error. */
export interface Rejection {
  readonly reject: OutgoingBody;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function isClientOp(type: string): boolean {
  return type === "read" || type === "write" || type === "cas";
}

/** The stored form of a JSON key or value. */
export function storedJson(value: unknown): Bytes {
  return encoder.encode(JSON.stringify(value));
}

export function errorBody(code: number, text: string): OutgoingBody {
  return { type: "error", code, text };
}

/** The request in `body`, or the definite refusal of a malformed or unsupported one. */
export function parseRequest(body: Body): LinKvRequest | Rejection {
  const malformed = (text: string): Rejection => ({
    reject: errorBody(ErrorCode.malformedRequest, text),
  });
  if (!isClientOp(body.type)) {
    return { reject: errorBody(ErrorCode.notSupported, `unsupported request type ${body.type}`) };
  }
  if (!("key" in body)) return malformed(`${body.type} needs a key`);
  const key = storedJson(body.key);
  if (body.type === "read") return { op: "read", key };
  if (body.type === "write") {
    if (!("value" in body)) return malformed("write needs a value");
    return { op: "write", key, value: storedJson(body.value) };
  }
  if (!("from" in body) || !("to" in body)) return malformed("cas needs from and to");
  return { op: "cas", key, from: storedJson(body.from), to: storedJson(body.to) };
}

/** The reply to a read that found `stored` (null: the key is absent). */
export function readReply(stored: Bytes | null): OutgoingBody {
  if (stored === null) return errorBody(ErrorCode.keyDoesNotExist, "key does not exist");
  return { type: "read_ok", value: JSON.parse(decoder.decode(stored)) as unknown };
}

/** The reply to a cas: ok, 20 when the key did not exist, 22 when it held another value. */
export function casReply(outcome: CasOutcome): OutgoingBody {
  switch (outcome) {
    case "written":
      return { type: "cas_ok" };
    case "absent":
      return errorBody(ErrorCode.keyDoesNotExist, "key does not exist");
    case "differs":
      return errorBody(ErrorCode.preconditionFailed, "the key holds another value");
  }
}
