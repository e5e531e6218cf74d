/**
 * raftkv as a Maelstrom lin-kv node: the Raft core (src/core) with in-memory storage, driving
 * raftkv's key-value state machine (src/kv). It is I/O-free: `main.ts` feeds it messages and
 * ticks and gives it a `send` function.
 *
 * - write/cas: proposed as a kv command tagged (client id, node-local seq); a follower's
 *   proposal is forwarded to the leader inside Raft. The node that received the request answers
 *   it when IT applies the entry carrying that tag, so every reply reflects a committed entry.
 * - read: a ReadIndex round (§6.4; the follower asks the leader), then a local read once the
 *   applied index reaches it. With `readsThroughLog` reads are proposed like writes instead.
 * - Error codes keep Maelstrom's meaning: 11 (definite) only when the request certainly never
 *   entered the log (no leader known, proposal refused); once it may be in the log the node
 *   never sends a definite error: it answers from the log or lets the client time out.
 */
import type { Logger } from "../../core/logger.js";
import { NotLeaderError, RaftError } from "../../core/errors.js";
import type { Message } from "../../core/messages.js";
import { RaftNode } from "../../core/raft_node.js";
import type { Ready } from "../../core/ready.js";
import { DEFAULT_CONFIG } from "../../core/config.js";
import { SeededRng } from "../../core/rng.js";
import { nodeId, type LogIndex } from "../../core/types.js";
import { decodeCommand, encodeCommand, KvStateMachine, type KvCommand } from "../../kv/index.js";
import { MemoryStorage } from "../../storage/memory_storage.js";
import { ErrorCode, type Envelope, type OutgoingBody } from "../protocol.js";
import {
  commandOf, errorBody, isClientOp, readReply, replyOf, type ClientOp,
} from "./kv_adapter.js";
import type { NodeTimings } from "./timings.js";
import { decodeRaftBody, encodeRaftBody, RAFT_BODY_TYPE } from "./wire.js";

export interface LinKvNodeOptions {
  readonly id: string;
  readonly nodeIds: readonly string[];
  readonly timings: NodeTimings;
  readonly seed: number;
  readonly readsThroughLog: boolean;
  /** Sends a body to `dest` (a peer or the client of a request). */
  readonly send: (dest: string, body: OutgoingBody, inReplyTo?: number) => void;
  readonly nowMs: () => number;
  readonly log: Logger;
}

interface Pending {
  readonly request: Envelope;
  readonly op: ClientOp;
  readonly expiresAtMs: number;
  /** For reads: the index to wait for once the read index is known. */
  readIndex: LogIndex | null;
}

interface AwaitingLeader {
  readonly request: Envelope;
  readonly op: ClientOp;
  readonly giveUpAtMs: number;
}

const unavailable = ErrorCode.temporarilyUnavailable;

export class LinKvNode {
  private readonly raft: RaftNode;
  private readonly storage: MemoryStorage;
  private readonly kv = new KvStateMachine();
  private readonly peers: ReadonlySet<string>;
  /** Writes/cas (and log reads) by command tag; ReadIndex reads by context. */
  private readonly pendingCommands = new Map<string, Pending>();
  private readonly pendingReads = new Map<string, Pending>();
  /** Requests that arrived while no leader was known, with the time to give up on them. */
  private awaitingLeader: AwaitingLeader[] = [];
  private seq = 0;
  private applied = 0;

  constructor(private readonly options: LinKvNodeOptions) {
    const { id, nodeIds, timings, seed } = options;
    this.peers = new Set(nodeIds.filter((peer) => peer !== id));
    const voters = nodeIds.map(nodeId);
    this.storage = new MemoryStorage({ voters, learners: [], votersOutgoing: [] });
    this.raft = new RaftNode({
      config: {
        ...DEFAULT_CONFIG,
        id: nodeId(id),
        heartbeatIntervalTicks: timings.heartbeatIntervalTicks,
        electionTimeoutTicksMin: timings.electionTimeoutTicksMin,
        electionTimeoutTicksMax: timings.electionTimeoutTicksMax,
      },
      storage: this.storage,
      rng: new SeededRng(seed),
    });
  }

  tick(): void {
    this.raft.tick();
    this.expirePending();
  }

  private hasLeader(): boolean {
    return this.raft.status().leaderId !== null;
  }

  /** A message from a peer (type "raft") or a client request. */
  receive(message: Envelope): void {
    const { body } = message;
    if (body.type === RAFT_BODY_TYPE) {
      if (!this.peers.has(message.src)) return;
      const raftMessage = decodeRaftBody(body);
      if (raftMessage !== null) this.raft.step(raftMessage);
      return;
    }
    if (!isClientOp(body.type)) {
      if (body.in_reply_to === undefined) {
        const refusal = errorBody(ErrorCode.notSupported, `unsupported type ${body.type}`);
        this.options.send(message.src, refusal, body.msg_id);
      }
      return;
    }
    this.handleClientRequest(message, body.type);
  }

  /** Persists, sends, applies and advances until the core has nothing more to do. */
  drain(): void {
    while (this.raft.hasReady()) {
      const ready = this.raft.ready();
      const { hardState, entries, snapshot } = ready;
      this.storage.saveSync({ hardState, entries, snapshot });
      if (ready.softState !== null) this.options.log.info({ ...ready.softState }, "role changed");
      for (const message of ready.messages) this.sendRaft(message);
      this.apply(ready);
      this.raft.advance(ready);
    }
    this.serveReads();
    if (this.awaitingLeader.length > 0 && this.hasLeader()) {
      const waiting = this.awaitingLeader;
      this.awaitingLeader = [];
      for (const { request, op } of waiting) this.submit(request, op);
      if (this.raft.hasReady()) this.drain();
    }
  }

  private sendRaft(message: Message): void {
    if (!this.peers.has(message.to)) {
      this.options.log.warn({ to: message.to, type: message.type }, "dropping a message to non-peer");
      return;
    }
    this.options.send(message.to, encodeRaftBody(message));
  }

  private handleClientRequest(request: Envelope, op: ClientOp): void {
    const { pendingCommands, pendingReads, awaitingLeader } = this;
    const pendingCount = pendingCommands.size + pendingReads.size + awaitingLeader.length;
    if (pendingCount >= this.options.timings.pendingRequestsMax) {
      this.reply(request, errorBody(unavailable, "too many requests in flight"));
      return;
    }
    if (!this.hasLeader()) {
      // An election is probably under way: hold the request briefly rather than refuse it at
      // once. It has not been proposed, so refusing it later is still definite.
      const giveUpAtMs = this.options.nowMs() + this.options.timings.leaderWaitMs;
      this.awaitingLeader.push({ request, op, giveUpAtMs });
      return;
    }
    this.submit(request, op);
  }

  private submit(request: Envelope, op: ClientOp): void {
    const seq = ++this.seq;
    const expiresAtMs = this.options.nowMs() + this.options.timings.pendingTimeoutMs;
    const pending: Pending = { request, op, expiresAtMs, readIndex: null };
    if (op === "read" && !this.options.readsThroughLog) {
      this.startRead(pending, `${this.options.id}:${seq}`);
      return;
    }
    const command = commandOf(request.body, request.src, seq);
    if ("reject" in command) {
      this.reply(request, command.reject);
      return;
    }
    this.propose(pending, command);
  }

  private startRead(pending: Pending, context: string): void {
    if (!("key" in pending.request.body)) {
      this.reply(pending.request, errorBody(ErrorCode.malformedRequest, "read needs a key"));
      return;
    }
    try {
      this.raft.readIndex(context);
      this.pendingReads.set(context, pending);
    } catch (error: unknown) {
      // A read changes nothing, so any refusal is definite.
      this.reply(pending.request, this.refusal(error));
    }
  }

  private propose(pending: Pending, command: KvCommand): void {
    const tag = commandTag(command);
    try {
      this.raft.propose(encodeCommand(command));
      // From here on the command may be in the log: only the log decides its reply.
      this.pendingCommands.set(tag, pending);
    } catch (error: unknown) {
      if (error instanceof RaftError && error.definite) {
        this.reply(pending.request, this.refusal(error));
        return;
      }
      throw error;
    }
  }

  /** The definite error for a request the core refused before it could enter the log. */
  private refusal(error: unknown): OutgoingBody {
    if (error instanceof NotLeaderError) return errorBody(unavailable, "no leader known");
    if (error instanceof RaftError && error.definite) return errorBody(unavailable, error.message);
    throw error;
  }

  private apply(ready: Ready): void {
    if (ready.snapshot !== null) {
      this.kv.restore(ready.snapshot.data);
      this.applied = ready.snapshot.metadata.index;
    }
    for (const entry of ready.committedEntries) {
      this.applied = entry.index;
      if (entry.kind !== "normal") continue;
      const command = decodeCommand(entry.data);
      const result = this.kv.apply(command);
      const tag = commandTag(command);
      const pending = this.pendingCommands.get(tag);
      if (pending === undefined) continue;
      this.pendingCommands.delete(tag);
      this.reply(pending.request, replyOf(pending.op, result));
    }
    for (const readState of ready.readStates) {
      const pending = this.pendingReads.get(readState.context);
      if (pending !== undefined) pending.readIndex = readState.index;
    }
  }

  /** Serves every read whose read index has been applied (§6.4). */
  private serveReads(): void {
    for (const [context, pending] of this.pendingReads) {
      if (pending.readIndex === null || pending.readIndex > this.applied) continue;
      this.pendingReads.delete(context);
      this.reply(pending.request, readReply(this.kv, pending.request.body.key));
    }
  }

  /** Forgets requests whose clients gave up long ago; no reply (their fate may be unknown). */
  private expirePending(): void {
    const nowMs = this.options.nowMs();
    const stillWaiting = this.awaitingLeader.filter((waiting) => waiting.giveUpAtMs > nowMs);
    for (const waiting of this.awaitingLeader) {
      if (waiting.giveUpAtMs <= nowMs) {
        this.reply(waiting.request, errorBody(unavailable, "no leader known"));
      }
    }
    this.awaitingLeader = stillWaiting;
    for (const map of [this.pendingCommands, this.pendingReads]) {
      for (const [key, pending] of map) {
        if (pending.expiresAtMs <= nowMs) map.delete(key);
      }
    }
  }

  private reply(request: Envelope, body: OutgoingBody): void {
    this.options.send(request.src, body, request.body.msg_id);
  }
}

function commandTag(command: KvCommand): string {
  return `${command.clientId}\u0000${command.seq}`;
}
