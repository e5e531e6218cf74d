/**
 * Raft core messages carried between Maelstrom nodes. A core Message travels inside a body of
 * type "raft" (`{"type":"raft","m":{...}}`); its Uint8Array fields (entry data, snapshot data,
 * forwarded proposals) become `{"$b64": "..."}` so the envelope stays plain JSON. Branded
 * numbers and ids are plain JSON numbers and strings already.
 */
import type { Message } from "../../core/messages.js";
import { isRecord, type Body, type OutgoingBody } from "../protocol.js";

export const RAFT_BODY_TYPE = "raft";

function encodeValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $b64: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(encodeValue);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = encodeValue(field);
    return out;
  }
  return value;
}

function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (isRecord(value)) {
    if (typeof value.$b64 === "string" && Object.keys(value).length === 1) {
      return new Uint8Array(Buffer.from(value.$b64, "base64"));
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = decodeValue(field);
    return out;
  }
  return value;
}

export function encodeRaftBody(message: Message): OutgoingBody {
  return { type: RAFT_BODY_TYPE, m: encodeValue(message) };
}

/** The core message in a "raft" body; the core itself rejects nonsense it cannot use. */
export function decodeRaftBody(body: Body): Message | null {
  const decoded = decodeValue(body.m);
  if (!isRecord(decoded) || typeof decoded.type !== "string") return null;
  return decoded as unknown as Message;
}
