/**
 * Linearizable reads without writing to the log (§6.4): the leader records its commit index for
 * a read, confirms it is still the leader by a heartbeat round that a quorum acknowledges, and
 * only then releases the read at that index. `ReadOnly` is the leader's queue of such rounds.
 *
 * Each round gets its own heartbeat context, made by the leader (`<term>.<seq>`), so contexts
 * chosen by different clients can never collide. Acknowledgements are cumulative: a follower
 * that answered round s answered a heartbeat sent after every earlier round began, so it
 * confirms those too; once a quorum confirms round s, every round up to s is released.
 */
import { assert, type LogIndex, type NodeId, type Term } from "./types.js";

/** A read asked of the leader: by itself (`from` = leader) or forwarded by a follower. */
export interface ReadRequest {
  readonly from: NodeId;
  readonly context: string;
}

export interface ReleasedRead {
  readonly index: LogIndex;
  readonly request: ReadRequest;
}

interface Round {
  readonly seq: number;
  readonly context: string;
  readonly index: LogIndex;
  readonly requests: readonly ReadRequest[];
}

export class ReadOnly {
  private readonly rounds: Round[] = [];
  private readonly seqOf = new Map<string, number>();
  private readonly ackedSeq = new Map<NodeId, number>();
  private nextSeq = 1;
  private requestCount = 0;

  constructor(private readonly self: NodeId, private readonly term: Term) {}

  /** Requests waiting for their quorum round. */
  pendingCount(): number {
    return this.requestCount;
  }

  /** Starts a round for `requests` at read index `index`; returns the heartbeat context. */
  addRound(index: LogIndex, requests: readonly ReadRequest[]): string {
    assert(requests.length > 0, "a read round needs at least one request");
    const last = this.rounds[this.rounds.length - 1];
    assert(last === undefined || last.index <= index, `read index ${index} went backwards`);
    const seq = this.nextSeq++;
    const context = `${this.term}.${seq}`;
    this.rounds.push({ seq, context, index, requests });
    this.seqOf.set(context, seq);
    this.ackedSeq.set(this.self, seq);
    this.requestCount += requests.length;
    return context;
  }

  /** The context of the newest round, carried by periodic heartbeats; null when idle. */
  lastContext(): string | null {
    return this.rounds[this.rounds.length - 1]?.context ?? null;
  }

  /**
   * Records that `from` acknowledged the heartbeat carrying `context` and returns the reads now
   * confirmed by a quorum (in order). Unknown or stale contexts are ignored. `quorumValue` gives
   * the highest round a quorum of voters has acknowledged (JointConfig.quorumValue), so one ack
   * costs O(voters log voters) however many rounds wait.
   */
  recvAck(
    from: NodeId,
    context: string,
    quorumValue: (valueOf: (id: NodeId) => number | undefined) => number,
  ): ReleasedRead[] {
    const seq = this.seqOf.get(context);
    if (seq === undefined) return [];
    if ((this.ackedSeq.get(from) ?? 0) < seq) this.ackedSeq.set(from, seq);
    const confirmed = quorumValue((id) => this.ackedSeq.get(id));
    const pending = this.rounds.findIndex((round) => round.seq > confirmed);
    const released = pending < 0 ? this.rounds.length : pending;
    return released === 0 ? [] : this.releaseThrough(released - 1);
  }

  private releaseThrough(position: number): ReleasedRead[] {
    const released: ReleasedRead[] = [];
    for (const round of this.rounds.splice(0, position + 1)) {
      this.seqOf.delete(round.context);
      this.requestCount -= round.requests.length;
      for (const request of round.requests) released.push({ index: round.index, request });
    }
    return released;
  }
}
