#!/usr/bin/env node
/**
 * A node that breaks the protocol: it answers init, then prints a log line to stdout instead of
 * stderr when the first client request arrives. The runner must fail the run and quote the line.
 */
import { isClientRequest, runTinyNode } from "./tiny_node.js";

runTinyNode((node, message) => {
  if (isClientRequest(message)) process.stdout.write(`${node.id}: got a ${message.body.type}, working on it\n`);
});
