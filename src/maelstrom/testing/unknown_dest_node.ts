#!/usr/bin/env node
/**
 * A node that breaks the protocol by sending to an id that does not exist. Real Maelstrom would
 * silently stop reading this node's stdout; the runner must fail the run naming the destination.
 */
import { isClientRequest, runTinyNode } from "./tiny_node.js";

runTinyNode((node, message) => {
  if (isClientRequest(message)) node.send("n99", { type: "gossip" });
});
