/**
 * The RESP server's resource limits over real sockets: destroy after a protocol error, the
 * per-connection output limit, the global client-memory cap (largest offender first), the
 * per-address connection limit, the shared key length limit, and the per-turn command budget.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import type { DisconnectReason } from "../client_memory.js";
import { createClientResources, type ClientLimits } from "../client_resources.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { RawRespClient } from "../testing/raw_resp_client.js";
import { RespServer } from "./server.js";
import type { RespServerOptions } from "./options.js";

const KiB = 1024;
const MiB = 1024 * KiB;

async function startServer(
  limits: Partial<ClientLimits>,
  options: Partial<RespServerOptions> = {},
): Promise<{ server: RespServer; service: MemoryKvService; reasons: DisconnectReason[] }> {
  const reasons: DisconnectReason[] = [];
  const resources = createClientResources(limits, { counted: (r) => { reasons.push(r); } });
  const service = new MemoryKvService();
  const server = await RespServer.start({ service, resources }, { port: 0, ...options });
  return { server, service, reasons };
}

function setHeader(valueBytes: number): string {
  return `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${valueBytes}\r\n`;
}

/** Resolves when `socket` closes; writes `filler` meanwhile, as a client that ignores errors. */
function writeUntilClosed(socket: Socket, filler: Buffer): Promise<void> {
  // Not events.once: it would reject on the EPIPE/ECONNRESET the destroyed peer causes.
  const closed = new Promise<void>((resolve) => { socket.once("close", () => { resolve(); }); });
  let open = true;
  void closed.then(() => { open = false; });
  const pump = (): void => {
    while (open && socket.write(filler));
    if (open) socket.once("drain", pump);
  };
  pump();
  return closed;
}

describe("RESP server resource limits", { timeout: 30_000 }, () => {
  test("after a protocol error the connection is destroyed: nothing more is read", async () => {
    const { server, reasons } = await startServer({});
    try {
      // allowHalfOpen: the client does not close its side when the server ends; only a server
      // that destroys the socket closes it.
      const socket = connect({ port: server.port, host: "127.0.0.1", allowHalfOpen: true });
      socket.on("error", () => undefined);
      await once(socket, "connect");
      const received: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => { received.push(chunk); });
      socket.write("*1\r\n$abc\r\n");
      await writeUntilClosed(socket, Buffer.alloc(64 * KiB, 0x61));
      assert.equal(Buffer.concat(received).toString(),
        "-ERR Protocol error: invalid bulk length\r\n");
      assert.deepEqual(reasons, ["protocol_error"]);
    } finally {
      await server.close();
    }
  });

  test("a client that does not read its replies is closed past clientOutputBytesMax", async () => {
    const { server, service, reasons } = await startServer({
      clientOutputBytesMax: 1 * MiB, clientMemoryMaxBytes: 64 * MiB,
    });
    try {
      await service.set(Buffer.from("big"), Buffer.alloc(256 * KiB, 0x62));
      const client = await RawRespClient.connect(server.port);
      client.pauseReading();
      client.send("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(64));
      client.resumeReading();
      await client.untilClosed();
      assert.ok(client.length < 64 * 256 * KiB, `received ${client.length} bytes`);
      assert.deepEqual(reasons, ["output_buffer_limit"]);
    } finally {
      await server.close();
    }
  });

  test("over clientMemoryMaxBytes the largest client is closed and the others are served",
    async () => {
      const { server, reasons } = await startServer({
        clientMemoryMaxBytes: 4 * MiB, clientOutputBytesMax: 1 * MiB,
      });
      try {
        const small = await Promise.all([1, 2].map(() => RawRespClient.connect(server.port)));
        for (const client of small) client.send(setHeader(MiB) + "a".repeat(MiB - 1));
        const big = await RawRespClient.connect(server.port);
        big.send(setHeader(8 * MiB));
        await writeUntilClosed(big.socket, Buffer.alloc(256 * KiB, 0x61));
        assert.deepEqual(reasons, ["client_memory_cap"]);
        for (const client of small) {
          assert.equal(await client.exchange("a\r\n", "+OK\r\n"), "+OK\r\n");
          client.destroy();
        }
      } finally {
        await server.close();
      }
    });

  test("connectionsPerAddressMax refuses the next connection from the same address", async () => {
    const { server, reasons } = await startServer({ connectionsPerAddressMax: 2 });
    try {
      const allowed = await Promise.all([1, 2].map(() => RawRespClient.connect(server.port)));
      const refused = await RawRespClient.connect(server.port);
      assert.match(await refused.untilClosed(), /^-ERR max number of clients from this address/);
      assert.deepEqual(reasons, ["connections_per_address"]);
      assert.equal(await allowed[0]?.exchange("PING\r\n", "+PONG\r\n"), "+PONG\r\n");
      for (const client of allowed) client.destroy();
    } finally {
      await server.close();
    }
  });

  test("a key longer than keyBytesMax is refused with the store's error", async () => {
    const { server } = await startServer({}, { keyBytesMax: 16 });
    try {
      const client = await RawRespClient.connect(server.port);
      const reply = "-ERR string exceeds maximum allowed size: the key is 17 bytes, the limit is " +
        "16\r\n";
      assert.equal(await client.exchange(`GET ${"k".repeat(17)}\r\n`, reply), reply);
      assert.equal(await client.exchange(`SET ${"k".repeat(17)} v\r\n`, reply), reply);
      assert.equal(await client.exchange(`DEL a ${"k".repeat(17)}\r\n`, reply), reply);
      assert.equal(await client.exchange(`SET ${"k".repeat(16)} v\r\n`, "+OK\r\n"), "+OK\r\n");
      client.destroy();
    } finally {
      await server.close();
    }
  });

  test("a long pipeline is processed across many event-loop turns (commandsPerTurnMax)",
    async () => {
      const { server } = await startServer({},
        { commandsPerTurnMax: 8, pipelineRequestsMax: 4096 });
      try {
        const client = await RawRespClient.connect(server.port);
        const count = 2000;
        const before = server.commandsProcessed;
        const seen = new Set<number>();
        let sampling = true;
        const sample = (): void => {
          const done = server.commandsProcessed - before;
          if (done > 0 && done < count) seen.add(done);
          if (sampling) setImmediate(sample);
        };
        sample();
        client.send("*1\r\n$4\r\nPING\r\n".repeat(count));
        await client.untilLength(count * "+PONG\r\n".length);
        sampling = false;
        // Without the budget, each received chunk (thousands of requests) is handled in one go.
        assert.ok(seen.size >= 50, `only ${seen.size} intermediate counts were observed`);
        client.destroy();
      } finally {
        await server.close();
      }
    });
});
