/**
 * Maelstrom's wire protocol (docs/maelstrom.md §1-§2): one JSON envelope per line, the
 * closed reply schemas of the lin-kv workload, and the error-code table with each code's
 * definite/indefinite meaning. Shared by the runner (which validates what nodes print) and by the
 * node (which must only ever print what this file accepts).
 */

/** A message body: `type` is mandatory; `msg_id`/`in_reply_to` are reserved. */
export interface Body {
  readonly type: string;
  readonly msg_id?: number;
  readonly in_reply_to?: number;
  readonly [field: string]: unknown;
}

/** A body before its sender stamps `msg_id` (and, for a reply, `in_reply_to`) on it. */
export interface OutgoingBody {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** The envelope schema is closed: `src`, `dest`, `body` and Maelstrom's journal `id`. */
export interface Envelope {
  readonly src: string;
  readonly dest: string;
  readonly body: Body;
  readonly id?: number;
}

interface ErrorCodeInfo {
  readonly name: string;
  readonly definite: boolean;
}

/** resources/errors.edn. Codes not listed here (and every code >= 1000) are indefinite. */
export const ERROR_CODES: Readonly<Record<number, ErrorCodeInfo>> = {
  0: { name: "timeout", definite: false },
  1: { name: "node-not-found", definite: true },
  10: { name: "not-supported", definite: true },
  11: { name: "temporarily-unavailable", definite: true },
  12: { name: "malformed-request", definite: true },
  13: { name: "crash", definite: false },
  14: { name: "abort", definite: true },
  20: { name: "key-does-not-exist", definite: true },
  21: { name: "key-already-exists", definite: true },
  22: { name: "precondition-failed", definite: true },
  30: { name: "txn-conflict", definite: true },
};

/** The codes a lin-kv node uses, by name, so nobody writes a bare number. */
export const ErrorCode = {
  timeout: 0,
  notSupported: 10,
  temporarilyUnavailable: 11,
  malformedRequest: 12,
  crash: 13,
  abort: 14,
  keyDoesNotExist: 20,
  preconditionFailed: 22,
} as const;

/** True when the code says the operation certainly did not take effect. */
export function isDefiniteError(code: number): boolean {
  return ERROR_CODES[code]?.definite ?? false;
}

/** The name Maelstrom prints for a code, e.g. "key-does-not-exist"; "error-<n>" when unknown. */
export function errorName(code: number): string {
  return ERROR_CODES[code]?.name ?? `error-${code}`;
}

/** A line a node printed that breaks the protocol; `line` is the offending text. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  readonly code = "MAELSTROM_PROTOCOL";
  constructor(
    readonly nodeId: string,
    readonly line: string,
    readonly reason: string,
  ) {
    super(`Node ${nodeId} broke the Maelstrom protocol: ${reason}\n` +
      `  offending line: ${clip(line)}`);
  }
}

function clip(line: string): string {
  const lineCharsMax = 500;
  if (line.length <= lineCharsMax) return line;
  return `${line.slice(0, lineCharsMax)}... (${line.length} chars)`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const envelopeKeys: ReadonlySet<string> = new Set(["src", "dest", "body", "id"]);

function isOptionalInteger(value: unknown): boolean {
  return value === undefined || (typeof value === "number" && Number.isSafeInteger(value));
}

/**
 * Parses one stdout line of node `nodeId` and checks the envelope.
 * @throws ProtocolError for non-JSON, a non-object, extra envelope keys, a `src` other than the
 *   node itself, a `dest` that `isKnownId` rejects, or a body without a string `type`.
 */
export function parseNodeLine(
  nodeId: string,
  line: string,
  isKnownId: (id: string) => boolean,
): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new ProtocolError(nodeId, line, "stdout line is not valid JSON (log to stderr instead)");
  }
  if (!isRecord(parsed)) throw new ProtocolError(nodeId, line, "stdout line is not a JSON object");
  for (const key of Object.keys(parsed)) {
    if (!envelopeKeys.has(key)) {
      throw new ProtocolError(nodeId, line, `envelope has an extra key "${key}"`);
    }
  }
  const { src, dest, body } = parsed;
  if (src !== nodeId) {
    const got = JSON.stringify(src);
    throw new ProtocolError(nodeId, line, `"src" must be the node's own id "${nodeId}", got ${got}`);
  }
  if (typeof dest !== "string") throw new ProtocolError(nodeId, line, `"dest" must be a string`);
  if (!isKnownId(dest)) {
    throw new ProtocolError(nodeId, line, `"dest" names an unknown node "${dest}"`);
  }
  if (!isRecord(body) || typeof body.type !== "string") {
    throw new ProtocolError(nodeId, line, `"body" must be an object with a string "type"`);
  }
  if (!isOptionalInteger(body.msg_id) || !isOptionalInteger(body.in_reply_to)) {
    throw new ProtocolError(nodeId, line, `"msg_id" and "in_reply_to" must be integers`);
  }
  return parsed as unknown as Envelope;
}

/** What a client makes of a reply body (maelstrom.client, §2's outcome mapping). */
export type ReplyOutcome =
  | { readonly kind: "ok"; readonly value: unknown }
  | { readonly kind: "error"; readonly code: number; readonly text: string | null }
  | { readonly kind: "malformed"; readonly reason: string };

/** lin-kv's closed reply schemas: exactly these keys, `msg_id` optional. */
interface ReplySchema {
  readonly type: string;
  readonly keys: readonly string[];
}

const replySchemas: Readonly<Record<string, ReplySchema>> = {
  read: { type: "read_ok", keys: ["type", "value", "in_reply_to"] },
  write: { type: "write_ok", keys: ["type", "in_reply_to"] },
  cas: { type: "cas_ok", keys: ["type", "in_reply_to"] },
};

/** Classifies a reply to a lin-kv request `f`; error bodies are exempt from the closed schema. */
export function classifyReply(f: string, body: Body): ReplyOutcome {
  if (body.type === "error") {
    if (typeof body.code !== "number" || !Number.isSafeInteger(body.code)) {
      const reason = `error body without an integer "code": ${JSON.stringify(body)}`;
      return { kind: "malformed", reason };
    }
    const text = typeof body.text === "string" ? body.text : null;
    return { kind: "error", code: body.code, text };
  }
  const schema = replySchemas[f];
  if (schema === undefined) return { kind: "malformed", reason: `no schema for f ${f}` };
  if (body.type !== schema.type) {
    const reason = `expected type "${schema.type}", got ${JSON.stringify(body)}`;
    return { kind: "malformed", reason };
  }
  const allowed = new Set([...schema.keys, "msg_id"]);
  for (const key of Object.keys(body)) {
    if (!allowed.has(key)) {
      return { kind: "malformed", reason: `${schema.type} has extra key "${key}"` };
    }
  }
  for (const key of schema.keys) {
    if (!(key in body)) return { kind: "malformed", reason: `${schema.type} is missing "${key}"` };
  }
  return { kind: "ok", value: body.value ?? null };
}
