import { test } from "node:test";
import assert from "node:assert/strict";
import { AssertionError, logIndex, nodeId, term, type Message } from "../../core/index.js";
import { silentLogger } from "../../transport/index.js";
import type { OutgoingBody } from "../protocol.js";
import { StdioTransport } from "./stdio_transport.js";
import { encodeRaftBody } from "./wire.js";

const [n1, n2] = [nodeId("n1"), nodeId("n2")];

function heartbeat(from: string, to: string): Message {
  return {
    type: "Heartbeat", from: nodeId(from), to: nodeId(to), term: term(1), commit: logIndex(0),
    context: null,
  };
}

interface Endpoint {
  readonly transport: StdioTransport;
  readonly sent: [string, OutgoingBody][];
  readonly received: Message[];
}

function endpoint(): Endpoint {
  const sent: [string, OutgoingBody][] = [];
  const received: Message[] = [];
  const transport = new StdioTransport({
    nodeId: n1, peers: [n1, n2], logger: silentLogger,
    send: (dest, body) => { sent.push([dest, body]); },
  });
  transport.onMessage((message) => { received.push(message); });
  return { transport, sent, received };
}

test("sends raft bodies to peers only, and nothing once closed", async () => {
  const { transport, sent } = endpoint();
  await transport.start();
  assert.equal(transport.send(heartbeat("n1", "n2")), true);
  assert.equal(transport.send(heartbeat("n1", "n3")), false);
  assert.deepEqual(sent.map(([dest, body]) => [dest, body.type]), [["n2", "raft"]]);
  assert.equal(transport.stats().messagesDroppedUnknownPeer, 1);
  assert.throws(() => transport.send(heartbeat("n2", "n1")), AssertionError);
  await transport.close();
  assert.equal(transport.send(heartbeat("n1", "n2")), false);
});

test("delivers only well-formed messages from a peer, as that peer, to this node", async () => {
  const { transport, received } = endpoint();
  await transport.start();
  const good = heartbeat("n2", "n1");
  transport.deliver("n2", encodeRaftBody(good));
  transport.deliver("n3", encodeRaftBody(heartbeat("n3", "n1"))); // not a peer
  transport.deliver("n2", encodeRaftBody(heartbeat("n3", "n1"))); // forged sender
  transport.deliver("n2", encodeRaftBody(heartbeat("n2", "n3"))); // misaddressed
  transport.deliver("n2", { type: "raft", m: "not msgpack" });
  assert.deepEqual(received, [good]);
  assert.equal(transport.stats().connectionsRejected, 4);
  const stats = transport.stats().peers.find((peer) => peer.peer === n2);
  assert.equal(stats?.messagesReceived, 1);
});
