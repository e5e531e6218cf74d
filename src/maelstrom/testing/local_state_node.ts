#!/usr/bin/env node
/**
 * A deliberately wrong lin-kv node: every node answers from its own local map, with no
 * consensus at all (tutorial chapter 1's two-node counterexample). Must be judged invalid.
 */
import { applyKv, isClientRequest, runTinyNode } from "./tiny_node.js";

const store = new Map<string, unknown>();

runTinyNode((node, message) => {
  if (isClientRequest(message)) node.reply(message, applyKv(store, message.body));
});
