/**
 * The lin-kv node shape two test nodes share: n0 holds the only copy of the data and answers
 * everything; other nodes proxy client requests to n0 and relay its reply. With
 * `ackWritesEarly` a non-primary acknowledges a write before n0 has applied it: the one
 * deliberate bug that turns the correct node into the broken one.
 */
import type { Body, Envelope, OutgoingBody } from "../protocol.js";
import { applyKv, isClientRequest, runTinyNode } from "./tiny_node.js";

const primary = "n0";

export function runProxyToPrimary(options: { readonly ackWritesEarly: boolean }): void {
  const store = new Map<string, unknown>();
  /** msg_id of a proxy request -> the client request it carries. */
  const proxied = new Map<number, Envelope>();
  runTinyNode((node, message) => {
    if (isClientRequest(message)) {
      if (node.id === primary) {
        node.reply(message, applyKv(store, message.body));
      } else if (options.ackWritesEarly && message.body.type === "write") {
        node.reply(message, { type: "write_ok" });
        node.send(primary, { type: "proxy", request: message.body });
      } else {
        proxied.set(node.send(primary, { type: "proxy", request: message.body }), message);
      }
      return;
    }
    if (message.body.type === "proxy") {
      node.reply(message, { type: "proxy_ok", reply: applyKv(store, message.body.request as Body) });
      return;
    }
    if (message.body.type === "proxy_ok") {
      const request = proxied.get(message.body.in_reply_to ?? -1);
      if (request === undefined) return;
      proxied.delete(message.body.in_reply_to ?? -1);
      node.reply(request, message.body.reply as OutgoingBody);
    }
  });
}
