/**
 * `ReplicatedKv`: the front ends' `KvService` (src/server/kv_service.ts, matched structurally)
 * on top of a ClusterNode running a StoreMachine. Writes go through the log and resolve with
 * this node's applied result; reads wait for a read barrier (§6.4) and then read local state.
 *
 * Ordering of pipelined writes (the KvService contract): each write is handed to the node
 * synchronously, inside the call, so writes enter the core in call order. The core appends a
 * leader's proposals in that order, and a follower forwards them in order over a per-peer FIFO
 * link, never forwarding twice. Across a leadership change a forwarded proposal can still be
 * overtaken (held in a send queue to the old leader, which is re-elected later and appends it
 * after a newer write). The session sequence number closes that gap: the store machine ignores
 * a command older than one its session already applied (`stale`), so writes of one ReplicatedKv
 * never take effect out of call order; the overtaken write fails definitely
 * (ProposalDroppedError), or is reported unknown if it timed out first, and never applies.
 */
import { NotLeaderError, ProposalDroppedError, RaftError, type Status, assertNever } from "../../core/index.js";
import {
  ClusterNode, InvalidProposalError, NodeStoppedError, ReadTimeoutError, type ClusterNodeOptions,
} from "../../node/index.js";
import type { ClusterAdmin } from "../../node/admin.js";
import { realHost, type RuntimeHost } from "../../node/host.js";
import {
  IntegerOverflowError, NotIntegerError, OutcomeUnknownError, ValueTooLargeError, WrongTypeError,
} from "../errors.js";
import { commandName } from "../redis/command.js";
import { arityFits, findStoreCommand } from "../redis/command_table.js";
import { keyspaceInfoOf, type KeyspaceInfo } from "../redis/keyspace_info.js";
import { error as errorReply, type Reply } from "../redis/reply.js";
import { watchKeys, type WatchedKey } from "../redis/transactions.js";
import { ActiveExpiry } from "./active_expiry.js";
import { isInt64 } from "./int64.js";
import { ReadCoalescer } from "./read_coalescer.js";
import {
  encodeStoreCommand, type Bytes, type SetCondition, type StoreCommand, type StoreResult,
} from "./store_commands.js";
import {
  DEFAULT_STORE_LIMITS, EXEC_OOM_REPLY, OOM_REPLY, checkCommandArguments, checkCommandBytes,
  checkStoreLimits, type StoreLimits,
} from "./store_limits.js";
import { StoreMachine } from "./store_machine.js";
import { WriteBatcher } from "./write_batcher.js";

export { DEFAULT_STORE_LIMITS, EXEC_OOM_REPLY, OOM_REPLY, type StoreLimits } from "./store_limits.js";

export interface ReplicatedKvOptions extends Omit<ClusterNodeOptions<StoreResult>, "stateMachine"> {
  readonly store?: Partial<StoreLimits> & { readonly clientSessionsMax?: number };
}

/** How a cas ended: it wrote, or the key held another value, or the key did not exist. */
export type CasOutcome = "written" | "differs" | "absent";

/** Distributes Omit over the command union, so each variant keeps its own fields. */
type CommandBody = StoreCommand extends infer C ? (C extends StoreCommand ? Omit<C, "clientId" | "seq"> : never) : never;

/** The store's memory for INFO memory: the keyspace's estimate and the configured limit (0: none). */
export interface StoreMemory {
  readonly usedBytes: number;
  readonly maxmemoryBytes: number;
}

/** A Redis write of at most this many argument bytes may share a log entry with others. */
const BATCHED_COMMAND_BYTES_MAX = 16 * 1024;
/** At most this many commands, and argument bytes, per shared entry. */
const BATCH_COMMANDS_MAX = 256;
const BATCH_BYTES_MAX = 128 * 1024;

export class ReplicatedKv {
  /** This instance's client session: unique per process incarnation. */
  readonly clientId: string;
  private seq = 0;
  /** Concurrent reads share one barrier (see read_coalescer.ts). */
  private readonly reads: ReadCoalescer;
  /** The leader's removal of expired keys (active_expiry.ts). */
  readonly expiry: ActiveExpiry;
  /** Redis writes arriving while one is in flight share a log entry (write_batcher.ts). */
  private readonly batcher: WriteBatcher;

  constructor(
    readonly node: ClusterNode<StoreResult>,
    readonly machine: StoreMachine,
    readonly limits: StoreLimits = DEFAULT_STORE_LIMITS,
    private readonly host: RuntimeHost = realHost,
  ) {
    this.clientId = `${node.id}/${Buffer.from(host.drawBytes(8)).toString("hex")}`;
    this.reads = new ReadCoalescer(() => node.readBarrier());
    this.batcher = new WriteBatcher({
      propose: (db, commands) => this.proposeBatch(db, commands, true),
      defer: (fn) => { host.defer(fn); },
      commandsMax: BATCH_COMMANDS_MAX,
      bytesMax: BATCH_BYTES_MAX,
    });
    this.expiry = new ActiveExpiry({
      isLeader: () => node.raftStatus().role === "leader",
      keyspace: () => machine.engine.keyspace,
      clockMs: () => machine.engine.clockMs,
      propose: (db, stampMs, keys) => this.write({ op: "expire", db, stampMs, keys }),
    }, host);
    this.expiry.start();
  }

  /**
   * Starts a node replicating a new StoreMachine.
   * @throws whatever ClusterNode.start throws (ConfigError, storage and transport errors).
   */
  static async start(options: ReplicatedKvOptions): Promise<ReplicatedKv> {
    const { store, ...nodeOptions } = options;
    const limits = { ...DEFAULT_STORE_LIMITS, ...store };
    const host = options.host ?? realHost;
    const machine = new StoreMachine({
      limits,
      ...(options.testingBugs?.runtime?.storeClockInApply === true
        ? { clockInApplyBug: () => host.wallClockMs() } : {}),
      ...(store?.clientSessionsMax === undefined
        ? {} : { clientSessionsMax: store.clientSessionsMax }),
    });
    const node = await ClusterNode.start({ ...nodeOptions, stateMachine: machine });
    return new ReplicatedKv(node, machine, limits, host);
  }

  /** Stops the node (see ClusterNode.stop). */
  stop(): Promise<void> {
    this.expiry.stop();
    return this.node.stop();
  }

  /** @throws NotLeaderError, ProposalDroppedError (definite: reads change nothing). */
  async get(key: Bytes): Promise<Bytes | null> {
    await this.barrier();
    return this.machine.get(key, this.host.wallClockMs());
  }

  /**
   * @returns false when the NX/XX condition did not hold.
   * @throws ValueTooLargeError, NotLeaderError, ProposalDroppedError, OutcomeUnknownError.
   */
  async set(key: Bytes, value: Bytes, options: { readonly condition?: SetCondition } = {}): Promise<boolean> {
    this.checkKey(key);
    this.checkValue(value);
    const result = await this.write({ op: "set", key, value, condition: options.condition ?? null });
    return writtenOf(result);
  }

  /** @returns how many keys existed. @throws as `set`. */
  async del(keys: readonly Bytes[]): Promise<number> {
    for (const key of keys) this.checkKey(key);
    const result = await this.write({ op: "del", keys });
    if (result.kind !== "deleted") throw unexpected(result);
    return result.count;
  }

  /** @throws NotLeaderError, ProposalDroppedError. */
  async exists(keys: readonly Bytes[]): Promise<number> {
    await this.barrier();
    return this.machine.exists(keys, this.host.wallClockMs());
  }

  /**
   * @returns the new value.
   * @throws NotIntegerError, IntegerOverflowError (definite: nothing changed), and as `set`.
   */
  async incrBy(key: Bytes, delta: bigint): Promise<bigint> {
    this.checkKey(key);
    if (!isInt64(delta)) throw new NotIntegerError();
    const result = await this.write({ op: "incrBy", key, delta });
    if (result.kind === "integer") return result.value;
    if (result.kind === "error") {
      if (result.code === "WRONGTYPE") throw new WrongTypeError();
      throw result.code === "NOT_INTEGER" ? new NotIntegerError() : new IntegerOverflowError();
    }
    throw unexpected(result);
  }

  /** @returns whether it wrote. @throws as `set`. */
  async cas(key: Bytes, expected: Bytes | null, next: Bytes): Promise<boolean> {
    this.checkKey(key);
    if (expected !== null) this.checkValue(expected);
    this.checkValue(next);
    return writtenOf(await this.write({ op: "cas", key, expected, next }));
  }

  /**
   * As `cas`, telling a failure on an absent key apart from one on a different value (as
   * Maelstrom's lin-kv must).
   * @returns "written", "differs" or "absent". @throws as `set`.
   */
  async casOutcome(key: Bytes, expected: Bytes, next: Bytes): Promise<CasOutcome> {
    this.checkKey(key);
    this.checkValue(expected);
    this.checkValue(next);
    const result = await this.write({ op: "cas", key, expected, next });
    if (writtenOf(result)) return "written";
    return result.kind === "written" && result.absent === true ? "absent" : "differs";
  }

  /**
   * Runs one command of the Redis table (kv/redis/command_table.ts) on database `db`: a read
   * command locally after a read barrier (§6.4), a write command through the log, stamped with
   * this node's wall clock and a random seed. Unknown commands and wrong arity are answered
   * without touching the log.
   * @returns the command's reply (Redis errors are replies).
   * @throws NotLeaderError, ProposalDroppedError, ValueTooLargeError, OutcomeUnknownError.
   */
  async command(db: number, argv: readonly Bytes[]): Promise<Reply> {
    const name = commandName(argv);
    const spec = findStoreCommand(name);
    if (spec === undefined) return errorReply(`ERR unknown command '${name.slice(0, 128)}'`);
    if (!arityFits(spec, argv.length)) {
      return errorReply(`ERR wrong number of arguments for '${spec.name}' command`);
    }
    if (spec.kind === "read") {
      await this.barrier();
      return this.machine.engine.read(db, argv, {
        wallMs: this.host.wallClockMs(), index: this.node.raftStatus().applied,
        seed: this.host.drawInt(0x1_0000_0000),
      });
    }
    if (spec.flags.includes("denyoom") && this.isOverMaxmemory()) return OOM_REPLY;
    let argvBytes = 0;
    for (const arg of argv) argvBytes += arg.byteLength;
    if (this.batchable(argvBytes)) {
      // Its own encoding is far below commandBytesMax: only its keys and values are checked
      // here, with the errors the unbatched path gives; the batch then checks only its size.
      const tooLarge = checkCommandArguments(spec, argv, this.limits);
      if (tooLarge !== null) throw tooLarge;
      return this.batcher.submit(db, argv, argvBytes);
    }
    const [reply] = await this.proposeBatch(db, [argv], false);
    if (reply === undefined) throw new Error("a proposed command got no reply");
    return reply;
  }

  /**
   * Whether a write of `argvBytes` argument bytes may share an entry (write_batcher.ts): a small
   * one, when a whole batch (BATCH_BYTES_MAX and its framing) fits in commandBytesMax twice over.
   */
  private batchable(argvBytes: number): boolean {
    return argvBytes <= BATCHED_COMMAND_BYTES_MAX && this.limits.commandBytesMax >= 4 * BATCH_BYTES_MAX;
  }

  /**
   * Proposes `commands` as one entry: the plain command, or a transaction without WATCH.
   * `argsChecked`: their keys and values already passed the limits (batched commands).
   */
  private async proposeBatch(
    db: number, commands: readonly (readonly Bytes[])[], argsChecked: boolean,
  ): Promise<readonly Reply[]> {
    const stampMs = this.host.wallClockMs();
    const seed = this.host.drawInt(0x1_0000_0000);
    const [only] = commands;
    if (commands.length === 1 && only !== undefined) {
      const result = await this.write({ op: "redis", db, stampMs, seed, argv: only }, argsChecked);
      if (result.kind !== "reply") throw unexpected(result);
      return [result.reply];
    }
    const result = await this.write({ op: "multi", db, stampMs, seed, watches: [], commands },
      argsChecked);
    if (result.kind !== "reply" || result.reply.type !== "array") throw unexpected(result);
    return result.reply.items;
  }

  /**
   * WATCH: after a read barrier, what each key's later writes will be compared with (the
   * applied index, and whether the key was already expired). See kv/redis/transactions.ts.
   * @throws NotLeaderError, ProposalDroppedError (definite).
   */
  async watch(db: number, keys: readonly Bytes[]): Promise<WatchedKey[]> {
    await this.barrier();
    const nowMs = Math.max(this.machine.engine.clockMs, this.host.wallClockMs());
    return watchKeys(this.machine.engine.keyspace, db, keys, { nowMs, index: this.node.raftStatus().applied });
  }

  /**
   * EXEC: runs `commands` (checked when queued) as one log entry, atomically on every replica,
   * unless a key of `watches` changed since its WATCH.
   * @returns the array of the commands' replies, a null array (a watched key changed), or
   *   EXECABORT (-OOM: a "denyoom" command past maxmemory).
   * @throws NotLeaderError, ProposalDroppedError, ValueTooLargeError, OutcomeUnknownError.
   */
  async transaction(
    db: number, commands: readonly (readonly Bytes[])[], watches: readonly WatchedKey[],
  ): Promise<Reply> {
    const denyoom = commands.some((argv) =>
      findStoreCommand(commandName(argv))?.flags.includes("denyoom") === true);
    if (denyoom && this.isOverMaxmemory()) return EXEC_OOM_REPLY;
    const result = await this.write({
      op: "multi", db, stampMs: this.host.wallClockMs(), seed: this.host.drawInt(0x1_0000_0000),
      watches, commands,
    });
    if (result.kind !== "reply") throw unexpected(result);
    return result.reply;
  }

  /** The store's memory use and limit (INFO memory). Local and cheap. */
  memory(): StoreMemory {
    return { usedBytes: this.machine.engine.keyspace.usedBytes, maxmemoryBytes: this.limits.maxmemoryBytes ?? 0 };
  }

  private isOverMaxmemory(): boolean {
    const max = this.limits.maxmemoryBytes ?? 0;
    return max > 0 && this.machine.engine.keyspace.usedBytes > max;
  }

  /** @throws NotLeaderError, ProposalDroppedError. */
  async dbSize(): Promise<number> {
    await this.barrier();
    return this.machine.size;
  }

  status(): Status {
    return this.node.raftStatus();
  }

  /** Keys per database and the memory estimate of the applied state (local: no barrier). */
  keyspaceInfo(): KeyspaceInfo {
    return keyspaceInfoOf(this.machine.engine.keyspace, this.limits.maxmemoryBytes ?? 0);
  }

  /** Cluster operations (membership, transfer, snapshots) for the HTTP API: the node itself. */
  get admin(): ClusterAdmin {
    return this.node;
  }

  /**
   * Proposes one command. Everything before `node.propose` is synchronous, so the command
   * enters the core during the caller's call: pipelined writes keep call order.
   */
  private async write(body: CommandBody, argsChecked = false): Promise<StoreResult> {
    this.batcher.flush(); // what was batched before this write enters the log before it
    // `body` is the caller's fresh literal: completing it in place gives the key order of
    // `{ ...body, clientId, seq }` (so the same bytes) without that spread's slow path.
    const command = Object.assign(body, { clientId: this.clientId, seq: ++this.seq }) as StoreCommand;
    const bytes = encodeStoreCommand(command);
    // The machine's own propose-time check, on the command as built (no second decode).
    const tooLarge = argsChecked
      ? checkCommandBytes(bytes.byteLength, this.limits)
      : checkStoreLimits(command, bytes.byteLength, this.limits);
    if (tooLarge !== null) throw tooLarge;
    let result: StoreResult;
    try {
      result = await this.node.propose(bytes, { validated: true });
    } catch (error) {
      throw writeError(error);
    }
    if (result.kind === "stale") {
      throw new ProposalDroppedError("a newer write of this client overtook it (leadership changed); not applied");
    }
    return result;
  }

  private async barrier(): Promise<void> {
    try {
      await this.reads.barrier();
    } catch (error) {
      throw readError(error);
    }
  }

  private checkKey(key: Bytes): void {
    if (key.byteLength > this.limits.keyBytesMax) {
      throw new ValueTooLargeError("key", key.byteLength, this.limits.keyBytesMax);
    }
  }

  private checkValue(value: Bytes): void {
    if (value.byteLength > this.limits.valueBytesMax) {
      throw new ValueTooLargeError("value", value.byteLength, this.limits.valueBytesMax);
    }
  }
}

function writtenOf(result: StoreResult): boolean {
  if (result.kind === "error" && result.code === "WRONGTYPE") throw new WrongTypeError();
  if (result.kind !== "written") throw unexpected(result);
  return result.written;
}

/** A result the command cannot produce: a bug (the outcome is then unknown to the client). */
function unexpected(result: StoreResult): Error {
  switch (result.kind) {
    case "invalid":
      return new Error(`the store rejected a command this node encoded: ${result.reason}`);
    case "written":
    case "deleted":
    case "integer":
    case "error":
    case "stale":
    case "reply":
      return new Error(`unexpected store result ${result.kind}`);
    default:
      return assertNever(result, "store result");
  }
}

/** The node's errors in the front ends' vocabulary (src/server/errors.ts classifyError). */
function writeError(error: unknown): unknown {
  if (error instanceof NodeStoppedError) return new ProposalDroppedError(error.message);
  if (error instanceof InvalidProposalError) {
    // Refused before the log (a size limit), or applied as a no-op: definite either way.
    return error.cause instanceof ValueTooLargeError
      ? error.cause
      : new ProposalDroppedError(error.message);
  }
  if (error instanceof OutcomeUnknownError) return error;
  if (error instanceof RaftError && !error.definite) return new OutcomeUnknownError(error.message);
  return error;
}

function readError(error: unknown): unknown {
  if (error instanceof ReadTimeoutError) return new NotLeaderError(null);
  if (error instanceof NodeStoppedError) return new ProposalDroppedError(error.message);
  return error;
}
