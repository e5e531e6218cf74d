#!/usr/bin/env node
/**
 * A deliberately wrong lin-kv node: like primary_node, but a non-primary acknowledges a write
 * at once and only then sends it to n0, before the write is applied anywhere that counts. A read
 * can then miss an acknowledged write, and a partition loses acknowledged writes outright.
 * Must be judged invalid.
 */
import type { Body, Envelope, OutgoingBody } from "../protocol.js";
import { applyKv, isClientRequest, runTinyNode } from "./tiny_node.js";

const primary = "n0";
const store = new Map<string, unknown>();
const proxied = new Map<number, Envelope>();

runTinyNode((node, message) => {
  if (isClientRequest(message)) {
    if (node.id === primary) {
      node.reply(message, applyKv(store, message.body));
    } else if (message.body.type === "write") {
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
