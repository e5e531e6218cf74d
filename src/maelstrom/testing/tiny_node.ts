/**
 * The few lines every small test node shares: read one JSON message per stdin line, answer
 * `init`, and send envelopes with a per-node `msg_id` counter. These nodes exist to prove the
 * runner's verdicts (a correct one must pass, broken ones must fail); they are not raftkv.
 */
import { createInterface } from "node:readline";
import type { Body, Envelope, OutgoingBody } from "../protocol.js";

export interface TinyNode {
  readonly id: string;
  readonly nodeIds: readonly string[];
  /** Sends `body` (given a fresh msg_id) to `dest`; returns the msg_id. */
  send(dest: string, body: OutgoingBody): number;
  /** Replies to `request` with `body`. */
  reply(request: Envelope, body: OutgoingBody): void;
}

export type Handler = (node: TinyNode, message: Envelope) => void;

/** Runs a node: answers init itself and hands every other message to `handle`. */
export function runTinyNode(handle: Handler): void {
  let nextMsgId = 1;
  let self: TinyNode | null = null;
  const write = (envelope: Envelope): void => {
    process.stdout.write(`${JSON.stringify(envelope)}\n`);
  };
  const makeNode = (id: string, nodeIds: readonly string[]): TinyNode => ({
    id,
    nodeIds,
    send(dest, body) {
      const msgId = nextMsgId++;
      write({ src: id, dest, body: { ...body, msg_id: msgId } });
      return msgId;
    },
    reply(request, body) {
      const inReplyTo = request.body.msg_id;
      write({ src: id, dest: request.src, body: { ...body, msg_id: nextMsgId++, in_reply_to: inReplyTo } as Body });
    },
  });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    const message = JSON.parse(line) as Envelope;
    if (message.body.type === "init") {
      self = makeNode(String(message.body.node_id), message.body.node_ids as string[]);
      self.reply(message, { type: "init_ok" });
      return;
    }
    if (self !== null) handle(self, message);
  });
}

/** A key-value map with lin-kv's semantics; returns the reply body for a client request. */
export function applyKv(store: Map<string, unknown>, body: Body): OutgoingBody {
  const key = JSON.stringify(body.key);
  switch (body.type) {
    case "read":
      return store.has(key) ? { type: "read_ok", value: store.get(key) } : { type: "error", code: 20 };
    case "write":
      store.set(key, body.value);
      return { type: "write_ok" };
    case "cas":
      if (!store.has(key)) return { type: "error", code: 20 };
      if (JSON.stringify(store.get(key)) !== JSON.stringify(body.from)) return { type: "error", code: 22 };
      store.set(key, body.to);
      return { type: "cas_ok" };
    default:
      return { type: "error", code: 10, text: `unsupported type ${body.type}` };
  }
}

export function isClientRequest(message: Envelope): boolean {
  return message.src.startsWith("c") && ["read", "write", "cas"].includes(message.body.type);
}
