/**
 * The HTTP API's key forms and client limits: base64url keys (binary-safe keys over HTTP), the
 * key length limit shared with the RESP server, the per-address connection limit and the global
 * client-memory cap applied to request bodies, the last two over real sockets.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { once } from "node:events";
import type { DisconnectReason } from "../client_memory.js";
import { createClientResources, type ClientLimits } from "../client_resources.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { buildHttpApi, startHttpApi, type RunningHttpApi } from "./server.js";

interface ErrorBody {
  error: { code: string; message: string };
}

const KiB = 1024;
const MiB = 1024 * KiB;

async function start(limits: Partial<ClientLimits>): Promise<{
  api: RunningHttpApi;
  reasons: DisconnectReason[];
}> {
  const reasons: DisconnectReason[] = [];
  const resources = createClientResources(limits, { counted: (r) => { reasons.push(r); } });
  const api = await startHttpApi({ service: new MemoryKvService(), resources },
    { port: 0, bodyBytesMax: 32 * MiB });
  return { api, reasons };
}

describe("HTTP API key forms and limits", { timeout: 30_000 }, () => {
  test("a key that is not UTF-8 is reachable through /v1/kv-b64/, as the same bytes",
    async () => {
      const service = new MemoryKvService();
      const app = buildHttpApi({ service }, { keyBytesMax: 64 });
      const key = Buffer.from([0xff, 0x00, 0xfe, 0x2f]);
      const encoded = key.toString("base64url");
      const put = await app.inject({
        method: "PUT", url: `/v1/kv-b64/${encoded}`, payload: { value: "v" },
      });
      assert.equal(put.statusCode, 200);
      assert.deepEqual(put.json(), { key: encoded, written: true });
      assert.deepEqual(Buffer.from(await service.get(key) ?? []), Buffer.from("v"));
      assert.deepEqual((await app.inject(`/v1/kv-b64/${encoded}`)).json(),
        { key: encoded, value: "v", encoding: "utf8" });
      const cas = await app.inject({ method: "POST", url: `/v1/kv-b64/${encoded}/cas`,
        payload: { expected: "v", value: "w" } });
      assert.deepEqual(cas.json(), { key: encoded, swapped: true });
      const del = await app.inject({ method: "DELETE", url: `/v1/kv-b64/${encoded}` });
      assert.deepEqual(del.json(), { key: encoded, deleted: true });
      const bad = await app.inject("/v1/kv-b64/not+base64url");
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json<ErrorBody>().error.code, "BAD_REQUEST");
      await app.close();
    });

  test("keys up to keyBytesMax are accepted on both key forms over a real socket; one byte " +
    "more is 413", async () => {
    const keyBytesMax = 64 * KiB;
    const api = await startHttpApi({ service: new MemoryKvService() }, { port: 0, keyBytesMax });
    try {
      // The text form's worst case: every byte of the UTF-8 key percent-encoded as %XX.
      const percentEncoded = (key: Buffer): string =>
        [...key].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
      const url = (form: string, key: Buffer): string => `http://127.0.0.1:${api.port}` +
        (form === "b64" ? `/v1/kv-b64/${key.toString("base64url")}`
          : `/v1/kv/${percentEncoded(key)}`);
      const longest = Buffer.from("é".repeat(keyBytesMax / 2), "utf8");
      assert.equal(longest.length, keyBytesMax);
      for (const form of ["b64", "text"]) {
        const put = await fetch(url(form, longest), {
          method: "PUT", headers: { "content-type": "text/plain" }, body: "v",
        });
        assert.equal(put.status, 200, `${form}: ${await put.text()}`);
        const over = await fetch(url(form, Buffer.concat([longest, Buffer.from("x")])));
        assert.equal(over.status, 413, form);
        assert.match((await over.json() as ErrorBody).error.message,
          /key is 65537 bytes, more than the limit of 65536/);
      }
    } finally {
      await api.close();
    }
  });

  test("connectionsPerAddressMax: the next connection gets 429 and is closed", async () => {
    const { api, reasons } = await start({ connectionsPerAddressMax: 1 });
    try {
      const first = connect(api.port, "127.0.0.1");
      await once(first, "connect");
      const second = connect(api.port, "127.0.0.1");
      second.on("error", () => undefined);
      const received: Buffer[] = [];
      second.on("data", (chunk: Buffer) => { received.push(chunk); });
      await new Promise<void>((resolve) => { second.once("close", () => { resolve(); }); });
      assert.match(Buffer.concat(received).toString(), /^HTTP\/1.1 429 Too Many Requests/);
      assert.deepEqual(reasons, ["connections_per_address"]);
      first.destroy();
    } finally {
      await api.close();
    }
  });

  test("a request body that takes the client memory over the cap closes its connection",
    async () => {
      const { api, reasons } = await start({ clientMemoryMaxBytes: 2 * MiB,
        clientOutputBytesMax: 1 * MiB });
      try {
        const socket = connect(api.port, "127.0.0.1");
        socket.on("error", () => undefined);
        await once(socket, "connect");
        socket.write(`PUT /v1/kv/k HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n` +
          `Content-Length: ${16 * MiB}\r\n\r\n`);
        const filler = Buffer.alloc(64 * KiB, 0x61);
        let open = true;
        const closed = new Promise<void>((resolve) => {
          socket.once("close", () => { open = false; resolve(); });
        });
        const pump = (): void => {
          while (open && socket.write(filler));
          if (open) socket.once("drain", pump);
        };
        pump();
        await closed;
        assert.deepEqual(reasons, ["client_memory_cap"]);
        const ok = await fetch(`http://127.0.0.1:${api.port}/v1/kv/other`, {
          method: "PUT", headers: { "content-type": "text/plain" }, body: "small",
        });
        assert.equal(ok.status, 200, "other clients are still served");
      } finally {
        await api.close();
      }
    });
});
