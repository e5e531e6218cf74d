/**
 * lin-kv operations: what the generator asks for (jepsen.tests.linearizable-register: values
 * 0-4, writes and cas at 1:2) and how a client turns a reply into a history completion
 * (maelstrom.client/with-errors, docs/maelstrom.md §2): definite error -> fail; indefinite
 * error or timeout -> info, except reads (idempotent) -> fail; malformed reply -> info.
 */
import type { Rng } from "../../core/rng.js";
import { classifyReply, errorName, ErrorCode, isDefiniteError, type OutgoingBody } from "../protocol.js";
import type { RpcResult } from "./client.js";

export type OpF = "read" | "write" | "cas";

export interface OpRequest {
  readonly f: OpF;
  readonly key: number;
  /** write: the value; cas: [from, to]; read: null. */
  readonly value: unknown;
}

const valuesMax = 5;

export function readOp(key: number): OpRequest {
  return { f: "read", key, value: null };
}

/** (gen/mix [w cas cas]) with (rand-int 5) values. */
export function writerOp(key: number, rng: Rng): OpRequest {
  if (rng.nextInt(3) === 0) return { f: "write", key, value: rng.nextInt(valuesMax) };
  return { f: "cas", key, value: [rng.nextInt(valuesMax), rng.nextInt(valuesMax)] };
}

/** The request body Maelstrom's lin-kv client sends (integer keys and values). */
export function requestBody(op: OpRequest): OutgoingBody {
  switch (op.f) {
    case "read":
      return { type: "read", key: op.key };
    case "write":
      return { type: "write", key: op.key, value: op.value };
    case "cas": {
      const [from, to] = op.value as [number, number];
      return { type: "cas", key: op.key, from, to };
    }
    default:
      return assertNeverF(op.f);
  }
}

function assertNeverF(f: never): never {
  throw new Error(`Unknown lin-kv f ${JSON.stringify(f)}`);
}

/** A completion as the history records it, plus Maelstrom's own view for stats. */
export interface Completion {
  /** What history.jsonl records (checker semantics of history-format.md). */
  readonly type: "ok" | "fail" | "info";
  /** What Maelstrom's history would say (used for stats and availability). */
  readonly maelstromType: "ok" | "fail" | "info";
  readonly value: unknown;
  readonly error?: string;
  /** A malformed reply: Maelstrom records it as an exception. */
  readonly exception?: string;
}

/**
 * Maps one RPC result to its completion.
 * @param strictReads §7.8: a null read value or a read's error 20 means "key absent".
 */
export function completionOf(op: OpRequest, result: RpcResult, strictReads: boolean): Completion {
  const isRead = op.f === "read";
  if (result.kind === "timeout") {
    return isRead
      ? { type: "fail", maelstromType: "fail", value: null, error: "net-timeout" }
      : { type: "info", maelstromType: "info", value: op.value, error: "net-timeout" };
  }
  const reply = classifyReply(op.f, result.body);
  switch (reply.kind) {
    case "ok":
      if (!isRead) return { type: "ok", maelstromType: "ok", value: op.value };
      if (reply.value !== null || strictReads) return { type: "ok", maelstromType: "ok", value: reply.value };
      // Knossos treats a nil read as "don't know"; in our history format null means absent, so
      // the read is recorded as constraining nothing (a read that failed is simply dropped).
      return { type: "fail", maelstromType: "ok", value: null, error: "read-null-unknown-value" };
    case "error": {
      const error = errorName(reply.code);
      if (isRead && strictReads && reply.code === ErrorCode.keyDoesNotExist) {
        return { type: "ok", maelstromType: "fail", value: null, error };
      }
      if (isDefiniteError(reply.code) || isRead) {
        return { type: "fail", maelstromType: "fail", value: isRead ? null : op.value, error };
      }
      return { type: "info", maelstromType: "info", value: op.value, error };
    }
    case "malformed":
      return { type: "info", maelstromType: "info", value: isRead ? null : op.value, exception: reply.reason };
    default:
      return assertNeverKind(reply);
  }
}

function assertNeverKind(reply: never): never {
  throw new Error(`Unknown reply ${JSON.stringify(reply)}`);
}
