import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ClientMemory, type DisconnectReason, type MemoryClient } from "./client_memory.js";
import { createClientResources, resolveClientLimits } from "./client_resources.js";
import { AddressLimiter } from "./connection_limits.js";
import type { Logger } from "../core/logger.js";

interface FakeClient extends MemoryClient {
  bytes: number;
  cut: DisconnectReason | null;
}

function fakeClient(label: string, bytes = 0): FakeClient {
  const client: FakeClient = {
    label, remoteAddress: `10.0.0.1:${label}`, bytes, cut: null,
    memoryBytes: () => client.bytes,
    disconnect: (reason) => { client.cut = reason; },
  };
  return client;
}

function recordingLogger(): { logger: Logger; warnings: object[] } {
  const warnings: object[] = [];
  const none = (): void => undefined;
  return {
    warnings,
    logger: { debug: none, info: none, error: none, warn: (fields) => { warnings.push(fields); } },
  };
}

describe("ClientMemory: the global client-memory cap", () => {
  test("under the cap nobody is cut; the total follows updates and releases", () => {
    const memory = new ClientMemory(100, recordingLogger());
    const a = fakeClient("a", 40);
    const b = fakeClient("b", 50);
    const ha = memory.register(a);
    const hb = memory.register(b);
    ha.update();
    hb.update();
    assert.equal(memory.totalBytes, 90);
    a.bytes = 10;
    ha.update();
    assert.equal(memory.totalBytes, 60);
    hb.release();
    hb.release();
    assert.equal(memory.totalBytes, 10);
    assert.equal(a.cut, null);
    assert.equal(b.cut, null);
  });

  test("over the cap the largest clients are cut, logged with address and bytes, and counted",
    () => {
      const { logger, warnings } = recordingLogger();
      const counts: DisconnectReason[] = [];
      const memory = new ClientMemory(100, { logger, counted: (r) => { counts.push(r); } });
      const small = fakeClient("small", 20);
      const big = fakeClient("big", 60);
      const bigger = fakeClient("bigger", 70);
      const handles = [small, big, bigger].map((c) => memory.register(c));
      handles[0]?.update();
      handles[1]?.update();
      assert.equal(big.cut, null);
      handles[2]?.update(); // 150 > 100: cutting "bigger" (70) leaves 80
      assert.equal(bigger.cut, "client_memory_cap");
      assert.equal(big.cut, null);
      assert.equal(small.cut, null);
      assert.equal(memory.totalBytes, 80);
      assert.deepEqual(counts, ["client_memory_cap"]);
      assert.deepEqual(warnings.map((w) => [
        (w as { address: string }).address, (w as { bytes: number }).bytes,
      ]), [["10.0.0.1:bigger", 70]]);
      handles[2]?.update(); // a cut client no longer counts, even if it reports again
      assert.equal(memory.totalBytes, 80);
    });

  test("the client that pushes the total over is cut when it is the largest", () => {
    const memory = new ClientMemory(100, recordingLogger());
    const quiet = fakeClient("quiet", 30);
    const greedy = fakeClient("greedy", 10);
    const hq = memory.register(quiet);
    const hg = memory.register(greedy);
    hq.update();
    hg.update();
    greedy.bytes = 90;
    hg.update();
    assert.equal(greedy.cut, "client_memory_cap");
    assert.equal(quiet.cut, null);
    assert.equal(memory.totalBytes, 30);
  });
});

describe("client limits and the per-address connection limit", () => {
  test("resolveClientLimits rejects a non-positive value and an output limit above the cap", () => {
    assert.throws(() => resolveClientLimits({ clientMemoryMaxBytes: 0 }), /clientMemoryMaxBytes/);
    assert.throws(() => resolveClientLimits({ connectionsPerAddressMax: 1.5 }),
      /connectionsPerAddressMax/);
    assert.throws(() => resolveClientLimits({ clientMemoryMaxBytes: 10, clientOutputBytesMax: 11 }),
      /clientOutputBytesMax/);
    assert.equal(createClientResources({ clientMemoryMaxBytes: 1000, clientOutputBytesMax: 10 })
      .memory.capBytes, 1000);
  });

  test("an address at its limit is refused until one of its connections is released", () => {
    const limiter = new AddressLimiter(2);
    const first = limiter.tryAcquire("10.0.0.1");
    const second = limiter.tryAcquire("10.0.0.1");
    assert.ok(first !== null && second !== null);
    assert.equal(limiter.tryAcquire("10.0.0.1"), null);
    assert.notEqual(limiter.tryAcquire("10.0.0.2"), null, "other addresses are not affected");
    first();
    first();
    assert.equal(limiter.countOf("10.0.0.1"), 1, "releasing twice counts once");
    assert.notEqual(limiter.tryAcquire("10.0.0.1"), null);
  });
});
