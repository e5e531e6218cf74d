/**
 * Raft core messages carried between Maelstrom nodes. A core Message travels inside a body of
 * type "raft" as the peer protocol's own msgpack encoding (transport/message_codec.ts) in base64
 * (`{"type":"raft","m":"<base64>"}`), so the envelope stays plain JSON and every received
 * message passes the same validation as one read from a TCP peer before the node sees it.
 */
import type { Message } from "../../core/index.js";
import { encodeMessage, MessageDecodeError, unpackMessage } from "../../transport/index.js";
import type { Body, OutgoingBody } from "../protocol.js";

export const RAFT_BODY_TYPE = "raft";

/** The "raft" body carrying `message`. */
export function encodeRaftBody(message: Message): OutgoingBody {
  return { type: RAFT_BODY_TYPE, m: Buffer.from(encodeMessage(message)).toString("base64") };
}

/**
 * The core message in a "raft" body.
 * @throws MessageDecodeError when the body carries no well-formed message.
 */
export function decodeRaftBody(body: Body): Message {
  if (typeof body.m !== "string") {
    throw new MessageDecodeError("m", "the raft body carries no base64 string");
  }
  return unpackMessage(new Uint8Array(Buffer.from(body.m, "base64")));
}
