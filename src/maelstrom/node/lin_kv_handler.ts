/**
 * Serves Maelstrom's lin-kv requests from the shipped store: every request becomes one call on
 * `ReplicatedKv` (the ClusterNode + StoreMachine that users run), so the Maelstrom ladder tests
 * the runtime's Ready loop, forwarding, sessions and read barriers, not a copy of them.
 *
 * - write/cas go through the log; a follower forwards them to the leader. The reply is this
 *   node's applied result, so it reflects a committed entry.
 * - read takes a read barrier (ReadIndex, §6.4; a follower asks the leader), then reads locally.
 * - While no leader is known (an election is under way) a request waits up to `leaderWaitMs`
 *   for one (ClusterNode.waitForLeader), then is refused with 11, definitely: it never entered
 *   the log.
 * - Error codes keep Maelstrom's meaning: a definite error (11) only when the store says the
 *   operation certainly did not take effect; an unknown outcome is reported as 13 (crash, an
 *   indefinite error), exactly what a client timeout would say.
 */
import type { ReplicatedKv } from "../../kv/index.js";
import type { Logger } from "../../core/logger.js";
import { ErrorCode, type Envelope, type OutgoingBody } from "../protocol.js";
import { casReply, errorBody, parseRequest, readReply, type LinKvRequest } from "./kv_adapter.js";

export interface LinKvHandlerOptions {
  readonly kv: ReplicatedKv;
  /** Sends `body` as the reply to `request`. */
  readonly reply: (request: Envelope, body: OutgoingBody) => void;
  /** How long a request waits for a leader to be known before it is refused. */
  readonly leaderWaitMs: number;
  /** Requests in progress on this node; more are refused at once (definitely). */
  readonly pendingRequestsMax: number;
  readonly log: Logger;
}

const unavailable = ErrorCode.temporarilyUnavailable;

export class LinKvHandler {
  private inFlight = 0;

  constructor(private readonly options: LinKvHandlerOptions) {}

  /** How many requests await their reply. */
  get pending(): number {
    return this.inFlight;
  }

  /** Serves one client request; the reply goes out through `options.reply`. */
  handle(request: Envelope): void {
    const parsed = parseRequest(request.body);
    if ("reject" in parsed) {
      this.options.reply(request, parsed.reject);
      return;
    }
    if (this.inFlight >= this.options.pendingRequestsMax) {
      this.options.reply(request, errorBody(unavailable, "too many requests in flight"));
      return;
    }
    this.inFlight++;
    this.serve(parsed).then(
      (body) => {
        this.options.reply(request, body);
      },
      (error: unknown) => {
        this.options.reply(request, this.errorReply(error));
      },
    ).finally(() => {
      this.inFlight--;
    });
  }

  private async serve(request: LinKvRequest): Promise<OutgoingBody> {
    const { kv } = this.options;
    if (kv.node.status().leaderId === null) {
      await kv.node.waitForLeader({ timeoutMs: this.options.leaderWaitMs });
    }
    switch (request.op) {
      case "read":
        return readReply(await kv.get(request.key));
      case "write":
        await kv.set(request.key, request.value);
        return { type: "write_ok" };
      case "cas":
        return casReply(await kv.casOutcome(request.key, request.from, request.to));
    }
  }

  /** Definite errors become 11; anything else is indefinite (13): it may have taken effect. */
  private errorReply(error: unknown): OutgoingBody {
    const message = error instanceof Error ? error.message : String(error);
    if (isDefinite(error)) return errorBody(unavailable, message);
    this.options.log.warn({ err: error }, "request outcome unknown");
    return errorBody(ErrorCode.crash, message);
  }
}

/** The store's and the node's typed errors carry `definite`; anything else is not definite. */
function isDefinite(error: unknown): boolean {
  return error instanceof Error && "definite" in error && error.definite === true;
}
