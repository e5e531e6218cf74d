/**
 * The seam between the client front ends (RESP, HTTP) and the replicated store. The front ends
 * call only this interface; the node runtime implements it on top of Raft, and
 * `testing/memory_kv_service.ts` implements it in memory for the front ends' own tests.
 *
 * Keys and values are binary-safe byte strings (`Uint8Array`) end to end, as in Redis: the RESP
 * front end passes the request's bytes through untouched, and the HTTP front end converts its
 * UTF-8 or base64 text at its edge (see `http/value_encoding.ts`). Callers never modify a buffer
 * after handing it over, but it may be a view into a larger one (the RESP front end passes views
 * of the socket's receive chunks, to avoid a copy per argument): an implementation that keeps a
 * key or value beyond the call, rather than encoding it into a log entry, must copy it.
 *
 * Ordering contract: calls that start one after another (without awaiting) must take effect in
 * call order when they are writes, because the RESP front end pipelines a client's consecutive
 * writes instead of waiting for each commit (§5.3: the leader appends proposals in the order it
 * receives them). The front ends never start a read before the same client's earlier writes have
 * settled, nor a write before its earlier reads have settled, so that a pipelined `SET x 1; GET x`
 * reads its own write.
 *
 * Errors: every method may reject with the core's `NotLeaderError`, `ProposalDroppedError` or
 * `UncommittedBytesExceededError` (definite: nothing happened; retry), or with the errors of
 * `./errors.ts` (`OutcomeUnknownError` when a write may or may not have been applied). Anything
 * else is treated as a bug and reported to the client as an unknown outcome.
 */
import type { Status } from "../core/index.js";
import type { Reply } from "../kv/redis/reply.js";
import type { ClusterAdmin } from "../node/admin.js";
import type { KeyspaceInfo } from "../kv/redis/keyspace_info.js";

export type { KeyspaceInfo } from "../kv/redis/keyspace_info.js";

/**
 * One WATCHed key as `KvService.watch` returns it and `transaction` takes it back (opaque to the
 * front end; see kv/redis/transactions.ts).
 */
export interface WatchedKey {
  readonly db: number;
  readonly key: Uint8Array;
  readonly index: number;
  readonly expired: boolean;
}

/** A key or a value: an arbitrary byte string. */
export type Bytes = Uint8Array;

/** `nx`: write only if the key is absent; `xx`: write only if it is present. */
export type SetCondition = "nx" | "xx";

export interface SetOptions {
  readonly condition?: SetCondition;
}

/**
 * What the INFO `raft` section and `GET /v1/status` show: the core's own `Status` (role, term,
 * leader, commit and applied indexes, and on the leader each peer's match/next index), so the
 * runtime can hand over what `RawNode.status()` returns without conversion. A peer's lag is
 * `lastIndex - match`.
 */
export type RaftStatusView = Status;

/**
 * The role to show people: the core's, except "learner" for a non-voting member (which the core
 * runs as a follower that never campaigns).
 */
export function displayRole(status: RaftStatusView): string {
  const learner = status.role === "follower" && status.confState.learners.includes(status.id);
  return learner ? "learner" : status.role;
}

export interface KvService {
  /**
   * Linearizable read (ReadIndex, §6.4): the value, or null when the key is absent.
   * @throws NotLeaderError when no leader is known to confirm the read.
   */
  get(key: Bytes): Promise<Bytes | null>;

  /**
   * Writes `value` under `key`, subject to `options.condition`.
   * @returns false when the NX/XX condition did not hold (nothing was written).
   * @throws ValueTooLargeError, NotLeaderError, ProposalDroppedError, OutcomeUnknownError.
   */
  set(key: Bytes, value: Bytes, options?: SetOptions): Promise<boolean>;

  /**
   * Deletes the keys. @returns how many of them existed.
   * @throws NotLeaderError, ProposalDroppedError, OutcomeUnknownError.
   */
  del(keys: readonly Bytes[]): Promise<number>;

  /**
   * Linearizable read. @returns how many of the keys exist (a key named twice counts twice).
   * @throws NotLeaderError.
   */
  exists(keys: readonly Bytes[]): Promise<number>;

  /**
   * Adds `delta` to the signed 64-bit integer stored as decimal text at `key` (absent = 0).
   * @returns the new value.
   * @throws NotIntegerError if the stored value is not a decimal 64-bit integer;
   *   IntegerOverflowError if the result leaves the signed 64-bit range; NotLeaderError,
   *   ProposalDroppedError, OutcomeUnknownError.
   */
  incrBy(key: Bytes, delta: bigint): Promise<bigint>;

  /**
   * Compare-and-set: writes `next` only if the current value equals `expected` byte for byte
   * (`expected === null`: only if the key is absent). @returns whether it wrote.
   * @throws ValueTooLargeError, NotLeaderError, ProposalDroppedError, OutcomeUnknownError.
   */
  cas(key: Bytes, expected: Bytes | null, next: Bytes): Promise<boolean>;

  /** Linearizable read of the number of keys. @throws NotLeaderError. */
  dbSize(): Promise<number>;

  /**
   * Runs one command of the store's Redis table (kv/redis/command_table.ts) on database `db`
   * (0-15): a read command is linearizable (ReadIndex, §6.4), a write goes through the log.
   * Redis errors (WRONGTYPE, syntax, ...) come back as error replies, not exceptions.
   * @throws NotLeaderError, ProposalDroppedError, ValueTooLargeError, OutcomeUnknownError.
   */
  command(db: number, argv: readonly Bytes[]): Promise<Reply>;

  /**
   * WATCH: linearizable (a read barrier); records what `transaction` compares each key with.
   * Absent on services without transactions (MULTI/EXEC then answer an error).
   * @throws NotLeaderError, ProposalDroppedError.
   */
  watch?(db: number, keys: readonly Bytes[]): Promise<WatchedKey[]>;

  /**
   * EXEC: runs the queued `commands` (each a store command or PING/ECHO/SELECT, checked when
   * queued) from database `db` as one atomic step, unless a key of `watches` changed.
   * @returns an array of the replies, a null array (a watched key changed), or an error (-OOM).
   * @throws NotLeaderError, ProposalDroppedError, ValueTooLargeError, OutcomeUnknownError.
   */
  transaction?(db: number, commands: readonly (readonly Bytes[])[], watches: readonly WatchedKey[]): Promise<Reply>;

  /**
   * The store's memory for INFO memory: Redis's used_memory estimate of the keyspace and the
   * configured maxmemory (0: none). Local and cheap, never throws.
   */
  memory?(): { readonly usedBytes: number; readonly maxmemoryBytes: number };

  /** This node's current view of the cluster; local and cheap, never throws. */
  status(): RaftStatusView;

  /**
   * Key counts per database and memory, from this node's applied state without a read barrier
   * (INFO must answer while there is no leader); absent: INFO shows no keyspace figures.
   */
  keyspaceInfo?(): KeyspaceInfo;

  /**
   * Cluster operations (membership, leadership transfer, snapshots) for the HTTP API's admin
   * routes; absent on services without a Raft node behind them (those routes then answer 501).
   */
  readonly admin?: ClusterAdmin;
}
