import { test } from "node:test";
import assert from "node:assert/strict";
import type { Bytes } from "../kv_service.js";
import { kvServiceChecks, kvServiceComplianceSuite } from "./kv_service_compliance.js";
import { MemoryKvService } from "./memory_kv_service.js";

kvServiceComplianceSuite("MemoryKvService", () => new MemoryKvService());
kvServiceComplianceSuite("MemoryKvService with delays", () => new MemoryKvService({ delayMs: 1 }));

/** Known-bad: ignores NX/XX, lets writes overtake each other and keeps the caller's buffers. */
class CarelessKvService extends MemoryKvService {
  #stored = new Map<string, Bytes>();
  #sets = 0;
  override async set(key: Bytes, value: Bytes): Promise<boolean> {
    this.#sets += 1;
    // Every other write is delayed, so a later one can land first.
    if (this.#sets % 2 === 1) await new Promise((resolve) => setImmediate(resolve));
    this.#stored.set(Buffer.from(key).toString("latin1"), value);
    return true;
  }
  override get(key: Bytes): Promise<Bytes | null> {
    return Promise.resolve(this.#stored.get(Buffer.from(key).toString("latin1")) ?? null);
  }
}

test("the compliance checks fail a careless service", async () => {
  const failing: string[] = [];
  for (const check of kvServiceChecks) {
    try {
      await check.run(new CarelessKvService());
    } catch {
      failing.push(check.name);
    }
  }
  for (const expected of ["set honours nx", "in call order", "does not alias"]) {
    assert.ok(failing.some((name) => name.includes(expected)), `no check caught: ${expected}`);
  }
});
