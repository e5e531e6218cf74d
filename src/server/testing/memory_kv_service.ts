/**
 * TEST-ONLY: an in-memory `KvService` for the front ends' tests. It is not replicated, not
 * durable and never used on a production path. It keeps the ordering contract of
 * `kv_service.ts` (writes take effect in call order) but deliberately makes the ordering hazards
 * visible: a write takes effect only after `delayMs`, while a read looks at the state at the
 * instant it is called, so a front end that started a read before an earlier write settled would
 * read stale data in tests.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { INDEX_ZERO, TERM_ZERO, nodeId } from "../../core/index.js";
import {
  IntegerOverflowError,
  NotIntegerError,
  ValueTooLargeError,
} from "../errors.js";
import type { Bytes, KvService, RaftStatusView, SetOptions } from "../kv_service.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const integerPattern = /^-?(0|[1-9][0-9]{0,18})$/;

export interface MemoryKvServiceOptions {
  /** How long each operation takes before it settles; 0 still settles asynchronously. */
  readonly delayMs?: number;
  readonly valueBytesMax?: number;
}

function keyOf(key: Bytes): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
}

export class MemoryKvService implements KvService {
  readonly #data = new Map<string, Bytes>();
  readonly #delayMs: number;
  readonly #valueBytesMax: number;
  #writes: Promise<unknown> = Promise.resolve();
  /** Errors thrown by the next operations, one each, before they touch the data. */
  readonly failures: unknown[] = [];
  statusView: RaftStatusView = {
    id: nodeId("n1"),
    role: "leader",
    term: TERM_ZERO,
    vote: null,
    leaderId: nodeId("n1"),
    commit: INDEX_ZERO,
    applied: INDEX_ZERO,
    lastIndex: INDEX_ZERO,
    progress: null,
    confState: { voters: [nodeId("n1")], learners: [], votersOutgoing: [] },
    transferee: null,
  };
  /** Operations started, by name; tests use it to see what reached the service. */
  readonly calls: string[] = [];

  constructor(options: MemoryKvServiceOptions = {}) {
    this.#delayMs = options.delayMs ?? 0;
    this.#valueBytesMax = options.valueBytesMax ?? 1024 * 1024;
  }

  get(key: Bytes): Promise<Bytes | null> {
    return this.#read("get", () => this.#data.get(keyOf(key)) ?? null);
  }

  set(key: Bytes, value: Bytes, options: SetOptions = {}): Promise<boolean> {
    if (value.byteLength > this.#valueBytesMax) {
      return Promise.reject(new ValueTooLargeError("value", value.byteLength, this.#valueBytesMax));
    }
    return this.#write("set", () => {
      const present = this.#data.has(keyOf(key));
      if ((options.condition === "nx" && present) || (options.condition === "xx" && !present)) {
        return false;
      }
      this.#data.set(keyOf(key), new Uint8Array(value));
      return true;
    });
  }

  del(keys: readonly Bytes[]): Promise<number> {
    return this.#write("del", () => keys.filter((key) => this.#data.delete(keyOf(key))).length);
  }

  exists(keys: readonly Bytes[]): Promise<number> {
    return this.#read("exists", () => keys.filter((key) => this.#data.has(keyOf(key))).length);
  }

  incrBy(key: Bytes, delta: bigint): Promise<bigint> {
    return this.#write("incrBy", () => {
      const current = this.#data.get(keyOf(key));
      const text = current === undefined ? "0" : Buffer.from(current).toString("latin1");
      if (!integerPattern.test(text)) throw new NotIntegerError();
      const before = BigInt(text);
      if (before < INT64_MIN || before > INT64_MAX) throw new NotIntegerError();
      const after = before + delta;
      if (after < INT64_MIN || after > INT64_MAX) throw new IntegerOverflowError();
      this.#data.set(keyOf(key), Buffer.from(after.toString(), "latin1"));
      return after;
    });
  }

  cas(key: Bytes, expected: Bytes | null, next: Bytes): Promise<boolean> {
    return this.#write("cas", () => {
      const current = this.#data.get(keyOf(key)) ?? null;
      const matches = current === null || expected === null
        ? current === expected
        : Buffer.from(current).equals(expected);
      if (matches) this.#data.set(keyOf(key), new Uint8Array(next));
      return matches;
    });
  }

  dbSize(): Promise<number> {
    return this.#read("dbSize", () => this.#data.size);
  }

  status(): RaftStatusView {
    return this.statusView;
  }

  /** Reads the state now, settles later. */
  async #read<T>(name: string, read: () => T): Promise<T> {
    this.calls.push(name);
    this.#maybeFail();
    const result = read();
    await this.#delay();
    return result;
  }

  /** Takes effect after `delayMs`, after every earlier write: writes apply in call order. */
  async #write<T>(name: string, apply: () => T): Promise<T> {
    // Everything up to the first await runs at call time, so writes queue in call order.
    this.calls.push(name);
    this.#maybeFail();
    const result = this.#writes.then(async () => {
      await this.#delay();
      return apply();
    });
    this.#writes = result.catch(() => undefined);
    return await result;
  }

  /** A timer when a delay is set; otherwise only a microtask, so benchmarks measure the server. */
  async #delay(): Promise<void> {
    if (this.#delayMs > 0) await sleep(this.#delayMs);
  }

  #maybeFail(): void {
    if (this.failures.length > 0) throw this.failures.shift();
  }
}
