/** The port probe behind freePortBase answers false for a port in use, never EADDRINUSE. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { once } from "node:events";
import { canListen } from "./testing_cluster.js";

test("a port in use probes as taken (so freePortBase tries another base) instead of throwing", async () => {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  try {
    assert.equal(await canListen(address.port), false);
  } finally {
    server.close();
  }
  await once(server, "close");
  assert.equal(await canListen(address.port), true);
});
