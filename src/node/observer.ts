/**
 * Optional hooks through which the runtime reports what metrics need (the CLI wires them to
 * src/server/metrics.ts; the node layer cannot import the server), and what a checker needs to
 * follow the Ready loop (the simulator's invariant checkers). Hooks are called inline: they must
 * be quick and must not throw.
 */
import {
  NotLeaderError, RaftError, type Entry, type Message, type NodeId, type Ready,
  type SnapshotMetadata,
} from "../core/index.js";

/** How a proposal of this node ended (the `result` label of `raft_proposals_total`). */
export type ProposalOutcome = "committed" | "dropped" | "not_leader" | "unknown";

/**
 * A stage in the life of a write, for the per-write timeline (docs/performance.md): `index` is
 * the log index it concerns (for a batch, its last entry). Leader: proposed, appended (the Ready
 * carrying it was taken), fsyncStart/fsyncEnd (its save), sent (AppendEntries to a peer),
 * ackReceived, committed, applied. Follower: appendReceived, appended, fsyncStart/fsyncEnd,
 * ackSent, committed, applied.
 */
export type WriteStage =
  | "proposed" | "appended" | "fsyncStart" | "fsyncEnd" | "sent" | "appendReceived"
  | "ackSent" | "ackReceived" | "committed" | "applied";

export interface NodeObserver {
  /** Tracing only (the app wires it at log level `trace`): a write reached `stage`. */
  readonly writeStage?: (stage: WriteStage, index: number) => void;
  /** A proposal made on this node settled, `seconds` after `propose` was called. */
  readonly proposalSettled?: (outcome: ProposalOutcome, seconds: number) => void;
  /**
   * A `storage.save` that had to sync became durable after `seconds`; it carried `entryBytes`
   * bytes of entry payloads (the log entries' data, without framing).
   */
  readonly saveDurable?: (seconds: number, entryBytes: number) => void;
  /** The Ready loop took `ready` from the core; nothing in it is persisted or sent yet. */
  readonly readyTaken?: (ready: Ready) => void;
  /**
   * The Ready taken last was persisted, sent, applied and advanced, `seconds` after it was
   * taken (a Ready cut short by a failure is not reported).
   */
  readonly readyFinished?: (seconds: number) => void;
  /** A Raft message from a peer reached this node (before the core steps it). */
  readonly messageReceived?: (message: Message) => void;
  /** A `readBarrier` settled after `seconds`: `ok` when the read point was reached. */
  readonly readSettled?: (ok: boolean, seconds: number) => void;
  /** `entry` (any kind: normal, config, empty) is being applied, in log order. */
  readonly entryApplied?: (entry: Entry) => void;
  /** A leader's snapshot replaced the state machine's state. */
  readonly snapshotRestored?: (metadata: SnapshotMetadata) => void;
  /**
   * A committed entry could not be decoded (its envelope or its command) and was applied as a
   * no-op (`raft_apply_errors_total`); entry_applier.ts. Every replica reports it.
   */
  readonly entryApplyFailed?: () => void;
  /** This leader's WAL save stalled past `diskStallMs`; it is handing leadership over. */
  readonly leaderDiskStalled?: () => void;
  /** Follower `peer` acknowledged heartbeats while its match index stood still; reset. */
  readonly replicationStalled?: (peer: NodeId) => void;
}

function outcomeOf(error: unknown): ProposalOutcome {
  if (error instanceof NotLeaderError) return "not_leader";
  return error instanceof RaftError && error.definite ? "dropped" : "unknown";
}

/**
 * `outcome`, reporting how it ends to `observer.proposalSettled` when there is one, timed on
 * the host's clock `nowMs`.
 */
export function observeProposal<R>(
  outcome: Promise<R>,
  observer: NodeObserver,
  nowMs: () => number,
): Promise<R> {
  const hook = observer.proposalSettled;
  if (hook === undefined) return outcome;
  const startMs = nowMs();
  const seconds = (): number => (nowMs() - startMs) / 1000;
  return outcome.then((result) => {
    hook("committed", seconds());
    return result;
  }, (error: unknown) => {
    hook(outcomeOf(error), seconds());
    throw error;
  });
}

/** `barrier`, reporting how it ends to `observer.readSettled` when there is one. */
export function observeRead(
  barrier: Promise<void>,
  observer: NodeObserver,
  nowMs: () => number,
): Promise<void> {
  const hook = observer.readSettled;
  if (hook === undefined) return barrier;
  const startMs = nowMs();
  return barrier.then(() => {
    hook(true, (nowMs() - startMs) / 1000);
  }, (error: unknown) => {
    hook(false, (nowMs() - startMs) / 1000);
    throw error;
  });
}
