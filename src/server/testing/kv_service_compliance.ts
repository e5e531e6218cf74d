/**
 * TEST-ONLY: the behaviour every `KvService` must have, as a node:test suite to run against each
 * implementation (STYLE.md rule 13): `kvServiceComplianceSuite("name", () => makeService())`.
 * The in-memory service runs it in `memory_kv_service.test.ts`; the node runtime's service should
 * run it against a one-node cluster. `makeService` must return an empty store. The checks are
 * also exported one by one, so tests can show each failing a deliberately wrong service.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { IntegerOverflowError, NotIntegerError } from "../errors.js";
import type { KvService } from "../kv_service.js";

const bytes = (text: string): Buffer => Buffer.from(text, "utf8");

async function text(service: KvService, key: string): Promise<string | null> {
  const value = await service.get(bytes(key));
  return value === null ? null : Buffer.from(value).toString("utf8");
}

export interface KvServiceCheck {
  readonly name: string;
  /** Rejects when `service`, an empty store, does not behave as `KvService` promises. */
  run(service: KvService): Promise<void>;
}

export const kvServiceChecks: readonly KvServiceCheck[] = [
  {
    name: "get returns what set wrote, byte for byte; absent keys are null",
    run: async (service) => {
      assert.equal(await service.get(bytes("k")), null);
      const value = Buffer.from([0, 255, 13, 10, 1]);
      assert.equal(await service.set(bytes("k"), value), true);
      assert.deepEqual(Buffer.from((await service.get(bytes("k"))) ?? []), value);
    },
  },
  {
    name: "set honours nx and xx and reports whether it wrote",
    run: async (service) => {
      assert.equal(await service.set(bytes("k"), bytes("1"), { condition: "xx" }), false);
      assert.equal(await service.set(bytes("k"), bytes("1"), { condition: "nx" }), true);
      assert.equal(await service.set(bytes("k"), bytes("2"), { condition: "nx" }), false);
      assert.equal(await service.set(bytes("k"), bytes("3"), { condition: "xx" }), true);
      assert.equal(await text(service, "k"), "3");
    },
  },
  {
    name: "del and exists count keys; dbSize counts the store",
    run: async (service) => {
      await service.set(bytes("a"), bytes("1"));
      await service.set(bytes("b"), bytes("2"));
      assert.equal(await service.dbSize(), 2);
      assert.equal(await service.exists([bytes("a"), bytes("a"), bytes("z")]), 2);
      assert.equal(await service.del([bytes("a"), bytes("z")]), 1);
      assert.equal(await service.exists([bytes("a")]), 0);
      assert.equal(await service.dbSize(), 1);
    },
  },
  {
    name: "incrBy adds in signed 64 bits and refuses non-integers and overflow",
    run: async (service) => {
      assert.equal(await service.incrBy(bytes("n"), 5n), 5n);
      assert.equal(await service.incrBy(bytes("n"), -7n), -2n);
      assert.equal(await text(service, "n"), "-2");
      await service.set(bytes("s"), bytes("12a"));
      await assert.rejects(service.incrBy(bytes("s"), 1n), NotIntegerError);
      await service.set(bytes("max"), bytes("9223372036854775807"));
      await assert.rejects(service.incrBy(bytes("max"), 1n), IntegerOverflowError);
      assert.equal(await text(service, "max"), "9223372036854775807");
    },
  },
  {
    name: "cas writes only when the current value matches; null expects absence",
    run: async (service) => {
      assert.equal(await service.cas(bytes("r"), bytes("x"), bytes("1")), false);
      assert.equal(await service.cas(bytes("r"), null, bytes("1")), true);
      assert.equal(await service.cas(bytes("r"), null, bytes("2")), false);
      assert.equal(await service.cas(bytes("r"), bytes("1"), bytes("2")), true);
      assert.equal(await text(service, "r"), "2");
    },
  },
  {
    name: "writes started without awaiting take effect in call order",
    run: async (service) => {
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 100; i += 1) {
        writes.push(service.set(bytes("order"), bytes(String(i))));
        writes.push(service.incrBy(bytes("count"), 1n));
      }
      const results = await Promise.all(writes);
      assert.deepEqual(results.filter((r) => typeof r === "bigint"),
        Array.from({ length: 100 }, (_, i) => BigInt(i + 1)));
      assert.equal(await text(service, "order"), "99");
    },
  },
  {
    name: "a stored value does not alias the caller's buffer (views must be copied)",
    run: async (service) => {
      const value = Buffer.from("original");
      await service.set(bytes("k"), value);
      value.fill(0);
      assert.equal(await text(service, "k"), "original");
    },
  },
  {
    name: "status describes this node",
    run: (service) => {
      const status = service.status();
      assert.ok(["follower", "pre-candidate", "candidate", "leader"].includes(status.role));
      assert.ok(status.applied <= status.commit);
      return Promise.resolve();
    },
  },
];

export function kvServiceComplianceSuite(
  name: string,
  makeService: () => KvService | Promise<KvService>,
): void {
  describe(`KvService compliance: ${name}`, { timeout: 30_000 }, () => {
    for (const check of kvServiceChecks) {
      test(check.name, async () => { await check.run(await makeService()); });
    }
  });
}
