/**
 * TEST-ONLY: an in-memory `KvService` for the front ends' tests. It is not replicated, not
 * durable and never used on a production path. It keeps the ordering contract of
 * `kv_service.ts` (writes take effect in call order) but deliberately makes the ordering hazards
 * visible: a write takes effect only after `delayMs`, while a read looks at the state at the
 * instant it is called, so a front end that started a read before an earlier write settled would
 * read stale data in tests.
 */
import { randomInt } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { findStoreCommand } from "../../kv/redis/command_table.js";
import type { Reply } from "../../kv/redis/reply.js";
import { StoreMachine } from "../../kv/binary_store/store_machine.js";
import {
  encodeStoreCommand, type StoreCommand, type StoreResult,
} from "../../kv/binary_store/store_commands.js";
import { INDEX_ZERO, TERM_ZERO, nodeId } from "../../core/index.js";
import {
  IntegerOverflowError,
  NotIntegerError,
  ValueTooLargeError,
  WrongTypeError,
} from "../errors.js";
import { keyspaceInfoOf, type KeyspaceInfo } from "../../kv/redis/keyspace_info.js";
import type { Bytes, KvService, RaftStatusView, SetOptions, WatchedKey } from "../kv_service.js";
import { watchKeys } from "../../kv/redis/transactions.js";
import { EXEC_OOM_REPLY, OOM_REPLY } from "../../kv/binary_store/store_limits.js";

type StoreCommandBody = StoreCommand extends infer C
  ? (C extends StoreCommand ? Omit<C, "clientId" | "seq"> : never) : never;

function copy(bytes: Bytes): Uint8Array {
  return Uint8Array.from(bytes);
}

function written(result: StoreResult): boolean {
  return result.kind === "written" ? result.written : unexpected(result);
}

/** A result the operation cannot give, or its error as the front ends' error class. */
function unexpected(result: StoreResult): never {
  if (result.kind === "error") {
    if (result.code === "NOT_INTEGER") throw new NotIntegerError();
    if (result.code === "INTEGER_OVERFLOW") throw new IntegerOverflowError();
    throw new WrongTypeError();
  }
  throw new Error(`unexpected store result ${result.kind}`);
}

export interface MemoryKvServiceOptions {
  /** How long each operation takes before it settles; 0 still settles asynchronously. */
  readonly delayMs?: number;
  readonly valueBytesMax?: number;
  /** Redis's maxmemory over the keyspace's estimate: "denyoom" commands get -OOM. 0: none. */
  readonly maxmemoryBytes?: number;
}


export class MemoryKvService implements KvService {
  readonly #machine = new StoreMachine();
  #index = 0;
  #seq = 0;
  readonly #delayMs: number;
  readonly #valueBytesMax: number;
  readonly #maxmemoryBytes: number;
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
    this.#maxmemoryBytes = options.maxmemoryBytes ?? 0;
  }

  get(key: Bytes): Promise<Bytes | null> {
    return this.#read("get", () => this.#machine.get(key, Date.now()));
  }

  set(key: Bytes, value: Bytes, options: SetOptions = {}): Promise<boolean> {
    if (value.byteLength > this.#valueBytesMax) {
      return Promise.reject(new ValueTooLargeError("value", value.byteLength, this.#valueBytesMax));
    }
    const command = { op: "set", key: copy(key), value: copy(value), condition: options.condition ?? null } as const;
    return this.#write("set", () => written(this.#apply(command)));
  }

  del(keys: readonly Bytes[]): Promise<number> {
    const command = { op: "del", keys: keys.map(copy) } as const;
    return this.#write("del", () => {
      const result = this.#apply(command);
      return result.kind === "deleted" ? result.count : unexpected(result);
    });
  }

  exists(keys: readonly Bytes[]): Promise<number> {
    return this.#read("exists", () => this.#machine.exists(keys, Date.now()));
  }

  incrBy(key: Bytes, delta: bigint): Promise<bigint> {
    const command = { op: "incrBy", key: copy(key), delta } as const;
    return this.#write("incrBy", () => {
      const result = this.#apply(command);
      return result.kind === "integer" ? result.value : unexpected(result);
    });
  }

  cas(key: Bytes, expected: Bytes | null, next: Bytes): Promise<boolean> {
    const command = { op: "cas", key: copy(key), expected: expected === null ? null : copy(expected), next: copy(next) } as const;
    return this.#write("cas", () => written(this.#apply(command)));
  }

  dbSize(): Promise<number> {
    return this.#read("dbSize", () => this.#machine.size);
  }

  command(db: number, argv: readonly Bytes[]): Promise<Reply> {
    const spec = findStoreCommand(Buffer.from(argv[0] ?? new Uint8Array()).toString("latin1"));
    if (spec?.kind === "read") {
      return this.#read("command", () => this.#machine.engine.read(db, argv, {
        wallMs: Date.now(), index: this.#index, seed: randomInt(0x1_0000_0000),
      }));
    }
    if (spec?.flags.includes("denyoom") === true && this.#isOverMaxmemory()) return Promise.resolve(OOM_REPLY);
    const command = {
      op: "redis", db, stampMs: Date.now(), seed: randomInt(0x1_0000_0000), argv: argv.map(copy),
    } as const;
    return this.#write("command", () => {
      const result = this.#apply(command);
      return result.kind === "reply" ? result.reply : unexpected(result);
    });
  }

  watch(db: number, keys: readonly Bytes[]): Promise<WatchedKey[]> {
    return this.#read("watch", () => watchKeys(this.#machine.engine.keyspace, db, keys, {
      nowMs: Math.max(this.#machine.engine.clockMs, Date.now()), index: this.#index,
    }));
  }

  transaction(db: number, commands: readonly (readonly Bytes[])[], watches: readonly WatchedKey[]): Promise<Reply> {
    const denyoom = commands.some((argv) => findStoreCommand(Buffer.from(argv[0] ?? new Uint8Array())
      .toString("latin1"))?.flags.includes("denyoom") === true);
    if (denyoom && this.#isOverMaxmemory()) return Promise.resolve(EXEC_OOM_REPLY);
    const command = {
      op: "multi", db, stampMs: Date.now(), seed: randomInt(0x1_0000_0000), watches,
      commands: commands.map((argv) => argv.map(copy)),
    } as const;
    return this.#write("transaction", () => {
      const result = this.#apply(command);
      return result.kind === "reply" ? result.reply : unexpected(result);
    });
  }

  memory(): { usedBytes: number; maxmemoryBytes: number } {
    return { usedBytes: this.#machine.engine.keyspace.usedBytes, maxmemoryBytes: this.#maxmemoryBytes };
  }

  #isOverMaxmemory(): boolean {
    return this.#maxmemoryBytes > 0 && this.#machine.engine.keyspace.usedBytes > this.#maxmemoryBytes;
  }

  /** Applies one command through the store machine's own encoding, as a log entry would be. */
  #apply(body: StoreCommandBody): StoreResult {
    const bytes = encodeStoreCommand({ ...body, clientId: "memory", seq: ++this.#seq });
    return this.#machine.apply(bytes, ++this.#index);
  }

  status(): RaftStatusView {
    return this.statusView;
  }

  keyspaceInfo(): KeyspaceInfo {
    return keyspaceInfoOf(this.#machine.engine.keyspace);
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
